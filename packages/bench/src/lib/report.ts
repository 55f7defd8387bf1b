import { mkdirSync, writeFileSync } from 'node:fs';

/** One line of a result table. `met` is undefined for rows without a target (context rows). */
export interface Row {
  case: string;
  result: string;
  baseline?: string;
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Table {
  title: string;
  rows: Row[];
  notes?: string[];
}

const tables: Table[] = [];

const COLUMNS = ['case', 'result', 'baseline', 'ratio', 'target', ''] as const;

function cells(row: Row): string[] {
  return [
    row.case,
    row.result,
    row.baseline ?? '',
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.target ?? '',
    row.met === undefined ? '' : row.met ? '✓' : '✗',
  ];
}

/** Prints a table as soon as its benchmark is done, and keeps it for the markdown summary. */
export function printTable(table: Table): void {
  tables.push(table);
  const lines = [COLUMNS as readonly string[], ...table.rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...lines.map((line) => [...(line[i] ?? '')].length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [`\n## ${table.title}`, format(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map((row) => format(cells(row)))];
  for (const note of table.notes ?? []) out.push(`  · ${note}`);
  console.log(out.join('\n'));
}

/** Every table so far as markdown, for docs/benchmarks.md. */
export function writeMarkdown(path: string, header: string): void {
  const md = [header];
  for (const table of tables) {
    md.push(`\n### ${table.title}\n`, '| case | result | baseline | ratio | target | met |', '|---|---|---|---|---|---|');
    for (const row of table.rows)
      md.push(
        `| ${cells(row)
          .map((c) => c.replaceAll('|', '\\|'))
          .join(' | ')} |`,
      );
    if (table.notes?.length) md.push('', ...table.notes.map((n) => `- ${n}`));
  }
  mkdirSync(new URL('.', `file://${path}`).pathname, { recursive: true });
  writeFileSync(path, `${md.join('\n')}\n`);
}

export const summary = (): { met: number; missed: Row[] } => {
  const rows = tables.flatMap((t) => t.rows.map((r) => ({ ...r, case: `${t.title}: ${r.case}` })));
  return { met: rows.filter((r) => r.met === true).length, missed: rows.filter((r) => r.met === false) };
};

export const fmtRate = (perSecond: number, unit = '/s'): string => `${Math.round(perSecond).toLocaleString('en-US')}${unit}`;
export const fmtMicros = (micros: number): string => `${micros < 10 ? micros.toFixed(1) : Math.round(micros).toLocaleString('en-US')} µs`;
export const fmtMs = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US')} ms`;
export const fmtKb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

/**
 * A ratio at the precision the tables print it (2 decimals). Every ✓/✗ compares this with its
 * target, so a row never reads "1.50, target ≤ 1.5×, ✗" over a difference of 0.001 that the table
 * does not show and that is far inside any run's spread.
 */
export const asPrinted = (ratio: number): number => Math.round(ratio * 100) / 100;

/** Issue 19: a target capped by physics is this fraction of the ceiling printed beside it. */
export const CEILING_FRACTION = 0.85;

/**
 * A ratio's target, held against its physical ceiling: `plain` (e.g. ≥ 0.85 of raw signing) where
 * the ceiling leaves room for it, else `CEILING_FRACTION` of the ceiling, the best ratio any code
 * could reach on this CPU (the raw operation plus a floor no route avoids). A ✗ is then a real
 * shortfall and a ✓ a real pass, whatever the run's CPU does to the ceiling (docs/benchmarks.md).
 */
export function targetAgainstCeiling(ratio: number, plain: number, ceiling: number): Pick<Row, 'target' | 'met'> {
  const capped = CEILING_FRACTION * ceiling;
  if (capped >= plain) return { target: `≥ ${plain}`, met: asPrinted(ratio) >= plain };
  return { target: `≥ ${CEILING_FRACTION} × ceiling ${ceiling.toFixed(2)} = ${capped.toFixed(2)}`, met: asPrinted(ratio) >= asPrinted(capped) };
}
