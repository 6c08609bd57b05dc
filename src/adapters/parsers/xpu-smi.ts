/**
 * Intel `xpu-smi` box tables in two shapes:
 * - `xpu-smi discovery [-d <id>]`: `| Device ID | Device Information |`, one block per device of
 *   `Key: Value` lines (memory "Memory Physical Size: 32768.00 MiB", tiles, Xe Link ports);
 * - `xpu-smi stats -d <id>`: `| Device ID | <id> |` then one metric per row, empty cells where
 *   telemetry is unavailable.
 *
 * A multi-tile GPU (Data Center GPU Max: "Number of Tiles: 2") is offered as a partition
 * profile `tile` — each tile is separately addressable (ZE_AFFINITY_MASK=<dev>.<tile>) with an
 * equal share of compute and memory: milli = 1000 / tiles, memoryMiB = memory / tiles.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import type { MetricName } from '../metrics.js';
import { boxCells, keyValue, splitLines } from '../lib/text.js';
import { normalizeBusId, readInt, readMemoryMiB, readNumber } from '../lib/units.js';
import { canonicalVendor, stripVendorPrefix } from '../lib/vendors.js';

interface Row { line: number; left: string; right: string }

function twoColumnRows(lines: string[]): Row[] {
  const rows: Row[] = [];
  lines.forEach((l, i) => {
    const c = boxCells(l);
    if (c && c.length >= 2) rows.push({ line: i + 1, left: c[0], right: c.slice(1).join('|').trim() });
  });
  return rows;
}

function parseDiscovery(ctx: ParseContext, rows: Row[]): void {
  type Block = { index: number; line: number; fields: Map<string, { value: string; line: number }> };
  const blocks: Block[] = [];
  let cur: Block | undefined;
  for (const r of rows) {
    if (r.left === 'Device ID') continue;
    if (r.left !== '') {
      const index = readInt(r.left);
      if (index === undefined) {
        ctx.warn(r.line, `device id "${r.left}" not a number; block skipped`);
        cur = undefined;
        continue;
      }
      cur = { index, line: r.line, fields: new Map() };
      blocks.push(cur);
    }
    const kv = keyValue(r.right);
    if (cur && kv) cur.fields.set(kv[0], { value: kv[1], line: r.line });
  }
  for (const b of blocks) {
    const f = (k: string) => b.fields.get(k)?.value;
    const id = `gpu${b.index}`;
    const type = f('Device Type');
    if (type !== undefined && type !== 'GPU') {
      ctx.warn(b.line, `${id}: device type "${type}" is not a GPU; skipped`);
      continue;
    }
    const memLine = b.fields.get('Memory Physical Size');
    const memory = readMemoryMiB(memLine?.value);
    if (memory === undefined) ctx.warn(memLine?.line ?? b.line, `${id}: "Memory Physical Size" missing or unreadable; memoryMiB 0`);
    const memoryMiB = Math.floor(memory ?? 0);
    const vendor = canonicalVendor(f('Vendor Name'));
    if (!vendor) ctx.warn(b.line, `${id}: vendor "${f('Vendor Name') ?? ''}" not recognised, assumed intel`);
    const tiles = readInt(f('Number of Tiles'));
    const labels: Record<string, string> = {};
    const put = (label: string, key: string) => {
      const v = f(key);
      if (v !== undefined && v !== '' && v.length <= 253) labels[`hetpool.io/${label}`] = v;
    };
    put('uuid', 'UUID');
    put('driver.version', 'Driver Version');
    put('firmware', 'Firmware Version');
    put('intel.eu-count', 'Number of EUs');
    put('intel.tiles', 'Number of Tiles');
    put('intel.xe-link.ports', 'Number of Xe Link ports');
    put('intel.xe-link.port-speed', 'Max Tx/Rx Speed per Xe Link port');
    put('pcie.generation', 'PCIe Generation');
    put('pcie.width', 'PCIe Max Link Width');
    const busId = normalizeBusId(f('PCI BDF Address'));
    const name = f('Device Name');
    ctx.devices.push({
      id,
      kind: 'gpu',
      vendor: vendor ?? 'intel',
      model: name ? stripVendorPrefix(name) : 'unknown',
      memoryMiB,
      index: b.index,
      ...(busId ? { busId } : {}),
      ...(tiles !== undefined && tiles >= 2 && tiles <= 64
        ? { sharing: { mode: 'partition' as const, profiles: [{ name: 'tile', milli: Math.floor(1000 / tiles), memoryMiB: Math.floor(memoryMiB / tiles), maxCount: tiles }] } }
        : {}),
      labels,
    });
  }
}

/** Row label prefix → metric; percentages are divided by 100 into ratios. */
const STATS: Array<[RegExp, MetricName, 'percent' | 'plain']> = [
  [/^Average % utilization of/, 'device.utilization.ratio', 'percent'],
  [/^GPU Power \(W\)/, 'device.power.watts', 'plain'],
  [/^GPU Core Temperature \(C\)/, 'device.temperature.celsius', 'plain'],
  [/^GPU Memory Temperature \(C\)/, 'device.memory.temperature.celsius', 'plain'],
  [/^GPU Memory Used \(MiB\)/, 'device.memory.used.mib', 'plain'],
  [/^GPU Memory Util \(%\)/, 'device.memory.used.ratio', 'percent'],
  [/^Mem Errors Correctable/, 'device.ecc.correctable.count', 'plain'],
  [/^Mem Errors Uncorrectable/, 'device.ecc.uncorrectable.count', 'plain'],
  [/^Reset/, 'device.reset.count', 'plain'],
];

function parseStats(ctx: ParseContext, rows: Row[]): void {
  const head = rows.find((r) => r.left === 'Device ID');
  const index = readInt(head?.right);
  if (!head || index === undefined) ctx.fail(head?.line ?? 1, '"| Device ID | <n> |" row missing or not a number');
  const target = ctx.target(`gpu${index}`);
  for (const r of rows) {
    const hit = STATS.find(([re]) => re.test(r.left));
    if (!hit || r.right === '') continue;
    const v = readNumber(r.right);
    if (v === undefined) {
      ctx.warn(r.line, `${r.left}: "${r.right}" is not a number; skipped`);
      continue;
    }
    if (hit[2] === 'percent' && v > 100) {
      ctx.warn(r.line, `${r.left}: ${v} % is above 100; skipped`);
      continue;
    }
    ctx.metric(r.line, target, hit[1], hit[2] === 'percent' ? v / 100 : v);
  }
}

/** Intel `xpu-smi discovery` and `xpu-smi stats`. */
export const xpuSmiParser: AgentParser = {
  name: 'xpu-smi',
  command: ['xpu-smi', 'discovery'],
  detect(text: string): boolean {
    return /^\|\s*Device ID\s*\|/m.test(text) && /Device Information|GPU Power \(W\)|Engine Util|Device Name:/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('xpu-smi', options);
    const rows = twoColumnRows(splitLines(text));
    if (rows.length === 0) ctx.fail(1, 'no "| … | … |" table rows');
    if (rows.some((r) => r.left === 'Device ID' && /^Device Information/.test(r.right))) parseDiscovery(ctx, rows);
    else parseStats(ctx, rows);
    return ctx.finish('Intel GPU');
  },
};
