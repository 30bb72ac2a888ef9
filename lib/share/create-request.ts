// The body of `POST /sharefolder/<dir...>/`, read field by field (./entry-schema.ts describes
// it for the OpenAPI document; a test keeps the two in step).
import { InvalidInput } from '../errors.ts';
import { optionalBoolean, optionalString, requiredString, type JsonObject } from '../json-fields.ts';
import type { CreateRequest } from './operations.ts';

export function createRequestOf(body: JsonObject): CreateRequest {
  const isDir = optionalBoolean(body, 'is_dir');
  if (isDir === undefined) throw new InvalidInput('"is_dir" is required');
  const name = requiredString(body, 'name');
  // Every example of the spec sends the text as `context`; the field list calls it `content`.
  const content = optionalString(body, 'content') ?? optionalString(body, 'context') ?? '';
  return { name, isDir, content };
}
