// Request bodies: the spec's curl examples send JSON labelled as a form (`curl -d` without a
// Content-Type), so the body is read as JSON whatever its label (COMPAT.md).
import type { Context } from 'hono';
import { badRequest } from './errors.ts';

export type JsonObject = Record<string, unknown>;

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

/** Field readers that name the field in their error, so a client knows what to fix. */
export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`"${field}" must be a string`);
  return value;
}

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw badRequest(`"${field}" is required`);
  return value;
}

export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`"${field}" must be true or false`);
  return value;
}

export function optionalObject(body: JsonObject, field: string): JsonObject | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`"${field}" must be a JSON object`);
  return value as JsonObject;
}
