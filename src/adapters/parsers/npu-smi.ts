/**
 * Huawei Ascend `npu-smi info` (box table: one NPU row, then one row per chip) and
 * `npu-smi info -m` (whitespace table NPU ID / Chip ID / Chip Logic ID / Chip Name).
 *
 * Columns are found by their header names, not by position, because they move between
 * versions (310P prints "Chip  Device", 910 prints "Hugepages-Usage(page)", 910B adds rows).
 * npu-smi's "MB" is MiB: a 910A's 32 GiB of HBM prints as "32768". Device memory is the HBM
 * total when an HBM column exists (910 series), else the Memory-Usage total (310 series).
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { readBoxTables, rowTokens, splitLines, splitWide, type BoxGroup } from '../lib/text.js';
import { readInt, readNumber, readPercentRatio, readUsedTotal, normalizeBusId } from '../lib/units.js';
import { ascendModel, healthFromWord } from '../lib/vendors.js';

const MAP_HEADER = /^\s*NPU ID\s+Chip ID\s+Chip Logic ID\s+Chip Name\s*$/m;

/** Values of one box row keyed by the header names of the matching header row. */
type Fields = Map<string, { value: string; line: number }>;

function fieldsOf(header: string[][], cells: string[], line: number): Fields | undefined {
  const out: Fields = new Map();
  for (let c = 0; c < header.length && c < cells.length; c++) {
    const names = header[c];
    if (names.length === 1) {
      out.set(names[0], { value: cells[c], line });
      continue;
    }
    const tokens = rowTokens(cells[c]);
    if (c === 0 && tokens.length > names.length) {
      // First cell "0     910A": the id, then a name that may contain spaces.
      tokens.splice(names.length - 1, tokens.length, tokens.slice(names.length - 1).join(' '));
    }
    if (tokens.length !== names.length) return undefined;
    names.forEach((n, i) => out.set(n, { value: tokens[i], line }));
  }
  return out;
}

function get(f: Fields | undefined, re: RegExp): { value: string; line: number } | undefined {
  if (!f) return undefined;
  for (const [k, v] of f) if (re.test(k)) return v;
  return undefined;
}

function parseInfo(ctx: ParseContext, text: string): void {
  const lines = splitLines(text);
  const version = /npu-smi\s+(\d[\w.]*)/.exec(text)?.[1];
  let header: string[][][] | undefined;
  const groups: BoxGroup[] = [];
  outer: for (const table of readBoxTables(lines)) {
    for (const group of table) {
      const first = group[0].cells;
      if (group.some((r) => r.cells.some((c) => /Process/i.test(c)))) {
        if (header) break outer;
        continue;
      }
      if (!header && /^NPU\b/.test(first[0]) && first.some((c) => /Health/i.test(c))) {
        header = group.map((r) => r.cells.map((c) => splitWide(c)));
        continue;
      }
      if (header) groups.push(group);
    }
  }
  if (!header) ctx.fail(1, 'no "NPU  Name | Health | …" header row; is this `npu-smi info` output?');
  const npuHeader = header[0];
  const chipHeader = header[1] ?? header[0];

  type Chip = { npu: number; chip: number; device?: number; npuRow: Fields; chipRow?: Fields; line: number };
  const chips: Chip[] = [];
  for (const group of groups) {
    const [npuRow, ...chipRows] = group;
    const npuFields = fieldsOf(npuHeader, npuRow.cells, npuRow.line);
    const npu = readInt(get(npuFields, /^NPU$/)?.value);
    if (!npuFields || npu === undefined) {
      ctx.warn(npuRow.line, `row not understood, skipped: "${npuRow.cells.join(' | ')}"`);
      continue;
    }
    if (chipRows.length === 0) {
      ctx.warn(npuRow.line, `NPU ${npu}: chip row missing (truncated?); bus id, utilisation and memory unknown`);
      chips.push({ npu, chip: 0, npuRow: npuFields, line: npuRow.line });
      continue;
    }
    for (const row of chipRows) {
      const f = fieldsOf(chipHeader, row.cells, row.line);
      const chip = readInt(get(f, /^Chip$/)?.value);
      if (!f || chip === undefined) {
        ctx.warn(row.line, `NPU ${npu}: chip row not understood, skipped`);
        continue;
      }
      chips.push({ npu, chip, device: readInt(get(f, /^Device$/)?.value), npuRow: npuFields, chipRow: f, line: row.line });
    }
  }
  const multi = new Set(chips.map((c) => c.npu)).size !== chips.length;
  chips.forEach((c, ordinal) => {
    const id = multi ? `npu${c.npu}-${c.chip}` : `npu${c.npu}`;
    const target = ctx.target(id);
    const name = get(c.npuRow, /^Name$/)?.value;
    const healthCell = get(c.npuRow, /^Health$/);
    const hbm = readUsedTotal(get(c.chipRow, /^HBM-Usage/)?.value, { defaultUnit: 'MiB' });
    const mem = readUsedTotal(get(c.chipRow, /^Memory-Usage/)?.value, { defaultUnit: 'MiB' });
    const total = hbm.total !== undefined && hbm.total > 0 ? hbm.total : mem.total;
    const used = hbm.total !== undefined && hbm.total > 0 ? hbm.used : mem.used;
    if (total === undefined) ctx.warn(c.line, `${id}: device memory total not readable; memoryMiB 0`);
    const health = healthFromWord(healthCell?.value);
    const busId = normalizeBusId(get(c.chipRow, /^Bus-Id$/)?.value);
    ctx.devices.push({
      id,
      kind: 'npu',
      vendor: 'huawei',
      model: name ? ascendModel(name) : 'unknown',
      memoryMiB: Math.floor(total ?? 0),
      index: multi ? (c.device ?? ordinal) : c.npu,
      ...(busId ? { busId } : {}),
      health,
      labels: { ...(version ? { 'hetpool.io/driver.version': version } : {}), 'hetpool.io/ascend.chip': String(c.chip) },
    });
    ctx.health.push({ target, health, reason: `npu-smi Health=${healthCell?.value ?? 'missing'}` });
    if (health !== 'unknown') ctx.metric(healthCell?.line ?? c.line, target, 'device.vendor.unhealthy', health === 'unhealthy' ? 1 : 0);
    const line = c.line;
    // Card-level readings (NPU row) belong to the card's first chip only, never counted twice.
    if (c.chip === chips.find((x) => x.npu === c.npu)?.chip) {
      const power = get(c.npuRow, /^Power/);
      const temp = get(c.npuRow, /^Temp/);
      ctx.metric(power?.line ?? line, target, 'device.power.watts', readNumber(power?.value));
      ctx.metric(temp?.line ?? line, target, 'device.temperature.celsius', readNumber(temp?.value));
    }
    ctx.metric(line, target, 'device.utilization.ratio', readPercentRatio(get(c.chipRow, /^AICore/)?.value));
    ctx.metric(line, target, 'device.memory.used.mib', used);
  });
}

function parseMap(ctx: ParseContext, text: string): void {
  const lines = splitLines(text);
  const start = lines.findIndex((l) => MAP_HEADER.test(l));
  type Row = { npu: number; chip: number; logic: number; name: string; line: number };
  const rows: Row[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cols = splitWide(lines[i]);
    const npu = readInt(cols[0]);
    const chip = readInt(cols[1]);
    if (cols.length !== 4 || npu === undefined || chip === undefined) {
      ctx.warn(i + 1, `row not understood, skipped: "${lines[i].trim()}"`);
      continue;
    }
    const logic = readInt(cols[2]);
    // A chip without a logic id ("-") is the card's management MCU, not a compute chip.
    if (logic === undefined) continue;
    rows.push({ npu, chip, logic, name: cols[3], line: i + 1 });
  }
  if (rows.length) ctx.warn(0, '`npu-smi info -m` shows no memory: memoryMiB 0 until merged with `npu-smi info`');
  const multi = new Set(rows.map((r) => r.npu)).size !== rows.length;
  for (const r of rows) {
    ctx.devices.push({
      id: multi ? `npu${r.npu}-${r.chip}` : `npu${r.npu}`,
      kind: 'npu',
      vendor: 'huawei',
      model: ascendModel(r.name),
      memoryMiB: 0,
      index: multi ? r.logic : r.npu,
      labels: { 'hetpool.io/ascend.chip': String(r.chip), 'hetpool.io/ascend.logic-id': String(r.logic) },
    });
  }
}

/** `npu-smi info` and `npu-smi info -m` (Huawei Ascend NPUs). */
export const npuSmiParser: AgentParser = {
  name: 'npu-smi',
  command: ['npu-smi', 'info'],
  detect(text: string): boolean {
    return (/\|\s*npu-smi\s+\d/.test(text) && /\|\s*NPU\s+Name\s*\|/.test(text)) || MAP_HEADER.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('npu-smi', options);
    if (MAP_HEADER.test(text)) parseMap(ctx, text);
    else parseInfo(ctx, text);
    return ctx.finish('Ascend NPU');
  },
};
