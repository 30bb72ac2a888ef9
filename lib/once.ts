// Values made on first use and kept: how the composition root builds only what is used.
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** An object whose every property is made on its first read and kept. */
export function lazyProperties<T extends object>(makers: { [K in keyof T]: () => T[K] }): T {
  const object = {} as T;
  for (const key of Object.keys(makers) as (keyof T)[]) {
    Object.defineProperty(object, key, { get: once(makers[key]), enumerable: true });
  }
  return object;
}
