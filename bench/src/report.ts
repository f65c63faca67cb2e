import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Environment {
  node: string;
  cpu: string;
  cores: number;
  date: string;
}

export const environment = (): Environment => ({
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
});

/** Renders rows as an aligned text table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? format(cell) : cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? '').length)));
  const line = (row: Array<string | number>) => row.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join('  ');
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

const format = (n: number): string => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(3));

/** Writes every figure with the machine it was measured on; bench/results is git-ignored. */
export async function saveResults(
  name: string,
  figures: unknown,
  dir = fileURLToPath(new URL('../results/', import.meta.url)),
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const env = environment();
  const path = `${dir}${name}-${env.date.replace(/[:.]/g, '-')}.json`;
  await writeFile(path, `${JSON.stringify({ ...env, figures }, null, 2)}\n`);
  return path;
}
