// Errors about the archive itself (not about the storage it came from). Their message goes to
// the API client as is, so it says what is wrong with the file in the client's terms.

/** What the original server answered for anything that is not one of its archives. */
export const FILE_NOT_SUPPORTED = 'File not supported';

export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}
