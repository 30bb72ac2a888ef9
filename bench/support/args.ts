// Command-line options that several benchmarks take.

/** `--rounds=N` among `args`, or `fallback` without it. */
export function roundsOption(args: readonly string[], fallback: number): number {
  return Number(args.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length) ?? fallback);
}
