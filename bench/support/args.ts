// Command-line options that several benchmarks take.

/** `--rounds=N` among `args`, or `fallback` without it. */
export function roundsOption(args: readonly string[], fallback: number): number {
  return numberOption(args, 'rounds', fallback);
}

/** `--NAME=N` among `args`, or `fallback` without it. */
export function numberOption(args: readonly string[], name: string, fallback: number): number {
  const prefix = `--${name}=`;
  return Number(args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback);
}
