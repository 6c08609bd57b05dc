/**
 * The device table of nvidia-smi look-alikes (Iluvatar `ixsmi`, MetaX `mx-smi`): a box table whose
 * header group starts with `GPU  Name`, then one group of two rows per GPU, the first row's first
 * cell `<index> <name>` and its second cell the bus id.
 */
import type { ParseContext } from './context.js';
import { groupsAfterHeader, readBoxTables, type BoxRow } from './text.js';
import { normalizeBusId, readInt } from './units.js';

/** One GPU's rows with what every such table says first. */
export interface SmiGpuRows {
  r1: BoxRow;
  /** The second row (temperature, power, memory…); absent when the capture was cut. */
  r2?: BoxRow;
  index: number;
  /** The name as printed (vendor prefix included). */
  name: string;
  /** Device id `gpu<index>` and its metric target `<node>/gpu<index>`. */
  id: string;
  target: string;
  busId?: string;
}

/**
 * The GPU groups of the table whose header's first cell matches `header`; fails (naming
 * `headerText`) when there is no such table, warns and skips a group whose first cell is not
 * `<index> <name>`, and warns when a GPU's second row is missing.
 */
export function smiGpuRows(ctx: ParseContext, lines: readonly string[], header: RegExp, headerText: string): SmiGpuRows[] {
  const found = groupsAfterHeader(readBoxTables(lines), (g) => header.test(g[0].cells[0] ?? ''));
  if (!found.header) ctx.fail(1, `no "${headerText}" header row`);
  const out: SmiGpuRows[] = [];
  for (const [r1, r2] of found.groups) {
    const m = /^(\d+)\s+(.+)$/.exec(r1.cells[0] ?? '');
    const index = readInt(m?.[1]);
    if (!m || index === undefined) {
      ctx.warn(r1.line, `row not understood, skipped: "${r1.cells.join(' | ')}"`);
      continue;
    }
    const id = `gpu${index}`;
    if (!r2) ctx.warn(r1.line, `${id}: second row missing (truncated?); memory unknown`);
    const busId = normalizeBusId(r1.cells[1]);
    out.push({ r1, ...(r2 ? { r2 } : {}), index, name: m[2], id, target: ctx.target(id), ...(busId ? { busId } : {}) });
  }
  return out;
}
