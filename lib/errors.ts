// The domain's own errors: what went wrong, in words a person can act on, with no notion of
// HTTP. lib/http maps each kind to the API's envelope and status in one place
// (lib/http/errors.ts); the worker writes the same message into a task's `error`.

export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

/** The request names something malformed or impossible (a bad field, a path the rules refuse). */
export class InvalidInput extends DomainError {}

/** A share path the request needs does not exist (the API's message is the path itself). */
export class MissingPath extends InvalidInput {}

/** A container, image or route that does not exist. */
export class NotFound extends DomainError {}

/** A write to a share folder that is configured read-only. */
export class ReadOnly extends DomainError {}

/** A name another container (or an import creating one) already holds. */
export class NameTaken extends DomainError {}

/** Something an unfinished task uses or reserves (a path, a container). */
export class InUse extends DomainError {}

/** A backend the request needs cannot be reached. */
export class Unavailable extends DomainError {}

/** The request needs a logged-in user and has no live session (or the login was refused). */
export class Unauthenticated extends DomainError {}

/** Too many failed logins for a user or from an address: refused until the window ends. */
export class TooManyAttempts extends DomainError {
  constructor(
    message: string,
    /** Whole seconds until a login may be tried again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
