// Benchmarks print their results as a Markdown table: readable in a terminal, pasteable in a note.
// A `|` inside a cell (a shell pipeline such as `docker export | gzip -6`) is escaped, or it
// would end the cell.
export function printTable(headers: string[], rows: string[][]): void {
  const escape = (cells: string[]) => cells.map((c) => c.replaceAll('|', '\\|'));
  const [head, ...body] = [headers, ...rows].map(escape);
  const widths = head!.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}
