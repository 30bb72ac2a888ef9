// What can go wrong in the CLI, each with the exit code a script can tell it by. Every one
// reaches the user as one line on stderr (main.ts); none carries a stack.

export const EXIT = {
  ok: 0,
  /** The server refused the request (its error envelope's message is the line). */
  refused: 1,
  /** Bad usage: an unknown option, a missing argument, no terminal to prompt on. */
  usage: 2,
  /** No answer from the server at all. */
  unreachable: 3,
  /** The followed task ended `aborted`. */
  aborted: 4,
  /** Ctrl-C while following a task (128 + SIGINT), which goes on on the server. */
  interrupted: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The server answered with an error status: `status` and the envelope's message. */
export class RequestRefused extends CliError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, EXIT.refused);
  }
}

export class ServerUnreachable extends CliError {
  constructor(url: string, reason: string) {
    super(`cannot reach ${url}: ${reason} (is the server running? give it with --url or STEVEDORE_URL)`, EXIT.unreachable);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
