// Request bodies: the spec's curl examples send JSON labelled as a form (`curl -d` without a
// Content-Type), so the body is read as JSON whatever its label (COMPAT.md).
import type { Context } from 'hono';
import type { JsonObject } from '../json-fields.ts';
import { badRequest } from './errors.ts';

/** The body as a JSON object; an empty body is `{}`. */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  const text = (await c.req.text()).trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('Request body must be a JSON object');
  }
  return value as JsonObject;
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The login's body: a form (`curl -d "username=admin&password=x"`) or a JSON object, told
 * apart by its first character (`{`, or `[` for JSON that is not an object) rather than its label, since `curl -d` labels JSON a form too.
 */
export async function readCredentials(c: Context): Promise<Credentials> {
  const text = (await c.req.text()).trim();
  let fields: Record<string, unknown>;
  if (text.startsWith('{') || text.startsWith('[') || c.req.header('content-type')?.toLowerCase().startsWith('application/json')) {
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw badRequest('Request body is not valid JSON');
    }
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw badRequest('Request body must be a JSON object');
  } else {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  const { username, password } = fields;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw badRequest('"username" and "password" are required');
  }
  return { username, password };
}
