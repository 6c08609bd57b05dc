/**
 * Splitting agent text: lines (CRLF tolerant, with 1-based numbers for messages), ANSI escapes,
 * `Key: Value` lines, and the table layouts vendor SMIs print: box tables drawn with `|`, `+---+`
 * and `|===|` (nvidia-smi style, copied by npu-smi, cnmon, ixsmi, mx-smi, xpu-smi) and
 * whitespace-aligned column tables (rocm-smi, hy-smi, `npu-smi info -m`).
 */

/** Split text into lines (LF or CRLF). Line `i` in the array is line `i + 1` in messages. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** 1-based line number of character offset `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * 1-based line of the `n`-th (0-based) line containing `needle` (a substring or a pattern), or 0
 * (the input as a whole) when there is none — for warnings that point into JSON.
 */
export function lineOfMatch(lines: readonly string[], needle: string | RegExp, n = 0): number {
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if ((typeof needle === 'string' ? lines[i].includes(needle) : needle.test(lines[i])) && ++seen === n) return i + 1;
  }
  return 0;
}

/** Remove ANSI escape sequences (nvidia-smi topo underlines its header with ESC[4m…ESC[0m). */
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

/** One physical row of a box table: its cells (trimmed) and its 1-based line number. */
export interface BoxRow {
  line: number;
  cells: string[];
}

/** A run of box rows between two rule lines (one device usually spans one group of 2 rows). */
export type BoxGroup = BoxRow[];

/** A rule line: `+----+---+`, `|=====+====|`, `|------|` … (at least three dashes or equals). */
export function isRuleLine(line: string): boolean {
  const t = line.trim();
  return /^[+|]?[-=+|:\s]+[+|]?$/.test(t) && /[-=]{3,}/.test(t);
}

/** The cells of a `| a | b |` row, trimmed; undefined for a line that is not a box row. */
export function boxCells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|') || isRuleLine(t)) return undefined;
  const parts = t.split('|');
  // "| a | b |" → ["", " a ", " b ", ""]; a row truncated before its last "|" keeps its tail.
  parts.shift();
  if (parts.length && parts[parts.length - 1].trim() === '') parts.pop();
  return parts.map((p) => p.trim());
}

/**
 * Read the box tables in `lines`: tables are separated by any line that is neither a box row nor
 * a rule; within a table, groups are separated by rules.
 */
export function readBoxTables(lines: readonly string[]): BoxGroup[][] {
  const tables: BoxGroup[][] = [];
  let table: BoxGroup[] | undefined;
  let group: BoxGroup | undefined;
  const closeGroup = () => {
    if (group && group.length && table) table.push(group);
    group = undefined;
  };
  const closeTable = () => {
    closeGroup();
    if (table && table.length) tables.push(table);
    table = undefined;
  };
  lines.forEach((raw, i) => {
    if (isRuleLine(raw)) {
      table ??= [];
      closeGroup();
      return;
    }
    const cells = boxCells(raw);
    if (!cells) {
      closeTable();
      return;
    }
    table ??= [];
    group ??= [];
    group.push({ line: i + 1, cells });
  });
  closeTable();
  return tables;
}

/** Split on runs of two or more spaces (column headers like "[Model : Revision]" keep their spaces). */
export function splitWide(line: string): string[] {
  return line.trim().split(/\s{2,}/).filter((s) => s !== '');
}

const ITEM = String.raw`(?:N/A|[^\s/]+)`;
const ROW_TOKEN = new RegExp(String.raw`\[[^\]]*\]|${ITEM}\s*/\s*${ITEM}(?:\s+(?:MiB|MB|GiB|GB|KiB|W)\b)?|\S+,(?:\s+\S+,)*\s+\S+|\S+`, 'g');

/**
 * Value tokens of a data row: `[0x74a1 : 0x00]` stays one token, as do `a / b` pairs
 * ("1867 / 15077", "N/A / N/A") and comma lists ("NPS1, SPX", "NPS1, SPX, 0").
 */
export function rowTokens(line: string): string[] {
  return line.trim().match(ROW_TOKEN) ?? [];
}

/** `Key : Value` / `Key: Value` → [key, value] (split at the first colon), else undefined. */
export function keyValue(line: string): [string, string] | undefined {
  const i = line.indexOf(':');
  if (i <= 0) return undefined;
  const key = line.slice(0, i).trim();
  if (key === '') return undefined;
  return [key, line.slice(i + 1).trim()];
}

/**
 * In nvidia-smi-style output: the header group (found by `isHeader`) and the groups that follow
 * it in the same table — one per device. Groups in other tables (the process list) are ignored.
 */
export function groupsAfterHeader(tables: readonly BoxGroup[][], isHeader: (g: BoxGroup) => boolean): { header?: BoxGroup; groups: BoxGroup[] } {
  for (const table of tables) {
    const h = table.findIndex(isHeader);
    if (h >= 0) return { header: table[h], groups: table.slice(h + 1) };
  }
  return { groups: [] };
}
