// Human sizes as the API reports them ("40G", "143M"), binary units like `df -h`.
const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 || unit === 0 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toString();
  return `${shown}${UNITS[unit]}`;
}
