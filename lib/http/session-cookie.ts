// The session cookie's name, on its own so that the OpenAPI document can name it without
// bundling the session gate.
/** Clients treat its value as opaque (COMPAT.md). */
export const SESSION_COOKIE = 'stevedore_sid';
