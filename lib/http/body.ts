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
