// Readers of a JSON body's fields that name the field in their error, so a client knows what
// to fix. JSON null counts as left out, as the original server treats it.
import { InvalidInput } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`"${field}" must be a string`);
  return value;
}

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw new InvalidInput(`"${field}" is required`);
  return value;
}

export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new InvalidInput(`"${field}" must be true or false`);
  return value;
}
