// A value made on first use and kept: how the composition root builds only what is used.
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
