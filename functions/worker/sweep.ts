// Placeholder until the stale-task sweep lands: the scheduled function that recovers tasks whose worker died.
export const handler = async (): Promise<void> => undefined;
