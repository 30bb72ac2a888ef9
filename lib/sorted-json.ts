// The original API answered with keys in alphabetical order (its examples all are); stored
// maps come back from DynamoDB in any order, so objects are sorted before they are sent.
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
  ) as T;
}
