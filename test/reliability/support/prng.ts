// A seeded pseudo-random generator (mulberry32): the same seed gives the same fuzz run, so a
// failure printed with its seed replays exactly.
export interface Random {
  readonly seed: number;
  /** In [0, 1). */
  next(): number;
  int(below: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return { seed, next, int, chance: (p) => next() < p, pick: (items) => items[int(items.length)]! };
}

/** The seed a run replays (STEVEDORE_FUZZ_SEED), or a new one. */
export function fuzzSeed(): number {
  const given = process.env.STEVEDORE_FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`STEVEDORE_FUZZ_SEED must be a whole number, not ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 32);
}
