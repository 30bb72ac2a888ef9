// Schema checks (zod) turned into the one-line messages clients get: the first problem found,
// naming the field as the client wrote it (`"network.port[0][2]" must be "tcp" or "udp"`).
// Every message of every schema is made here or in the schema itself, never per route.
// zod/mini loads no locale (it is what keeps a validating function's bundle small): an issue
// neither this module nor the schema words reads "Invalid input", so a new schema words its own.
import * as z from 'zod/mini';
import { quoteBounded } from './quote.ts';
import { InvalidInput } from './errors.ts';

/** Client input (a field name, a map key, a value) is quoted only up to this many characters. */
const MAX_QUOTED_CHARACTERS = 64;

/** Marks a schema's custom message as a whole sentence, not a predicate after the field's path. */
export const SENTENCE = { sentence: true } as const;

export function boundedText(text: string): string {
  return quoteBounded(text, MAX_QUOTED_CHARACTERS);
}

/** Parses with the schema; a failure is a 400 whose message names the first bad field. */
export function parseRequest<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const result = checkWith(schema, value);
  if (!result.ok) throw new InvalidInput(result.message);
  return result.value;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses with the schema, answering the message instead of throwing. */
export function checkWith<S extends z.ZodMiniType>(schema: S, value: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(value, { error: defaultMessage });
  return result.success ? { ok: true, value: result.data } : { ok: false, message: issueMessage(result.error) };
}

/** The first issue of a failed parse as one short line: `"<path>" <message>`. */
export function issueMessage(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid input';
  if (issue.code === 'unrecognized_keys') {
    return `${quotedPath([...issue.path, issue.keys[0] ?? ''])} is not a known field`;
  }
  // A record's key is checked by its own schema, whose issue says what is wrong with it.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  if (issue.code === 'custom' && issue.params?.sentence) return message;
  return issue.path.length === 0 ? message : `${quotedPath(issue.path)} ${message}`;
}

function quotedPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) text += text === '' ? boundedText(key) : `.${boundedText(key)}`;
    else if (text === '') text = boundedText(String(key));
    // Keys that are not identifiers (share paths as map keys) are shown in brackets.
    else text += `[${boundedText(String(key))}]`;
  }
  return `"${text}"`;
}

/** Messages for what a schema does not word itself: predicates that follow the field's path. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ? `must be ${TYPE_NAMES[issue.expected]}` : undefined;
    case 'invalid_value':
      return `must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'must not be empty' : undefined;
    default:
      return undefined;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  int: 'an integer',
  object: 'a JSON object',
  record: 'a JSON object',
  array: 'an array',
  tuple: 'an array',
};
