// Client input quoted in an error message, cut to a bounded prefix: a path may be kilobytes
// long, and an answer (or a log line) that echoes it whole helps nobody.

export const QUOTE_MAX_CHARS = 100;

export function quoteBounded(input: string, max = QUOTE_MAX_CHARS): string {
  const chars = Array.from(input); // by code point: never cut a surrogate pair in half
  return chars.length <= max ? input : `${chars.slice(0, max).join('')}…`;
}
