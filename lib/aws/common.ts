// What every SDK client of stevedore is built with besides its region and endpoint.
export const COMMON_CLIENT_SETTINGS = { maxAttempts: 5 } as const;
