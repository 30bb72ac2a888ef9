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

/**
 * A value made by an asynchronous step on first use and kept once it succeeds. A failure is
 * not kept: a backend that was down at the first use is asked again at the next.
 */
export function onceSucceeded<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    }));
}
