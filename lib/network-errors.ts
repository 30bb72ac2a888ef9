// The socket errors that mean a request never reached its server, or its answer never came
// back: the backend is unavailable, whatever the request was.
export const CONNECTION_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
