// Warnings about entries left out of an import. A hostile archive can trigger one per entry,
// so the list is capped and its last line counts what was left out.

export const MAX_WARNINGS = 100;

/** Keeps displayed names short: a name may be up to the name limit (4 KiB) long. */
const MAX_DISPLAYED_NAME = 200;

export class WarningLog {
  /** Grows while the archive is read; at most `cap` messages plus one "... and N more". */
  readonly messages: string[] = [];
  #omitted = 0;

  constructor(private readonly cap = MAX_WARNINGS) {}

  add(message: string): void {
    if (this.messages.length < this.cap) {
      this.messages.push(message);
      return;
    }
    this.#omitted += 1;
    this.messages[this.cap] = `... and ${this.#omitted} more`;
  }

  skipped(name: string, reason: string): void {
    this.add(`skipped ${quoteName(name)}: ${reason}`);
  }
}

export function quoteName(name: string): string {
  const shown = name.length > MAX_DISPLAYED_NAME ? `${name.slice(0, MAX_DISPLAYED_NAME)}...` : name;
  return JSON.stringify(shown);
}
