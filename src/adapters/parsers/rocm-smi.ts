/**
 * AMD `rocm-smi` in two shapes: the JSON of `rocm-smi … --json` (one object per `cardN` plus a
 * `system` object with the pairwise topology) and the default "Concise Info" table.
 *
 * Memory: JSON gives VRAM in bytes ("VRAM Total Memory (B)"), converted exactly to MiB and
 * floored. The concise table shows only VRAM% — device memory is then 0 with a warning.
 * Compute/memory partition modes ("NPS1, SPX") become labels, not partition profiles: in DPX/CPX
 * modes rocm-smi already lists every partition as its own device, so a profile would count the
 * same silicon twice.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { lineOfMatch, rowTokens, splitLines, splitWide } from '../lib/text.js';
import { bytesToMiB, normalizeBusId, readInt, readPercentRatio, readWithUnit } from '../lib/units.js';
import { canonicalVendor, stripVendorPrefix } from '../lib/vendors.js';

const CONCISE_TITLE = /ROCm System Management Interface/;
const CONCISE_HEADER = /^\s*(?:Device|GPU)\s+.*(?:Temp|GPU%)/;

/** "AMD" + the product in brackets of "Arcturus GL-XL [Instinct MI100]", or the series as printed. */
function modelFromSeries(series: string): string {
  const bracket = /\[([^\]]+)\]\s*$/.exec(series)?.[1];
  return stripVendorPrefix(bracket ?? series);
}

/** Case-insensitive key lookup (ROCm 5 → 6 renamed "Card series" to "Card Series" etc.). */
function pick(obj: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const hit = Object.keys(obj).find((o) => o.toLowerCase() === k.toLowerCase());
    if (hit !== undefined && (typeof obj[hit] === 'string' || typeof obj[hit] === 'number')) return String(obj[hit]);
  }
  return undefined;
}

function parseJson(ctx: ParseContext, text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    ctx.fail(0, `not valid JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) ctx.fail(1, 'expected a JSON object of cardN entries');
  const lines = splitLines(text);
  const root = doc as Record<string, unknown>;
  const cards = Object.keys(root).filter((k) => /^card\d+$/.test(k));
  if (cards.length === 0) ctx.fail(1, 'no "cardN" objects');
  for (const key of cards) {
    const line = lineOfMatch(lines, `"${key}"`);
    const card = root[key];
    if (!card || typeof card !== 'object') {
      ctx.warn(line, `${key}: not an object, skipped`);
      continue;
    }
    const c = card as Record<string, unknown>;
    const index = Number(key.slice(4));
    const id = `gpu${index}`;
    const target = ctx.target(id);
    const series = pick(c, 'Card series', 'Card Series');
    const vramTotal = bytesToMiB(pick(c, 'VRAM Total Memory (B)'));
    if (vramTotal === undefined) ctx.warn(line, `${key}: "VRAM Total Memory (B)" missing or not a number; memoryMiB 0`);
    const busId = normalizeBusId(pick(c, 'PCI Bus'));
    const labels: Record<string, string> = {};
    const deviceId = pick(c, 'Device ID', 'GPU ID');
    if (deviceId) labels['hetpool.io/pci.device'] = deviceId;
    const driver = pick((root.system ?? {}) as Record<string, unknown>, 'Driver version');
    if (driver) labels['hetpool.io/driver.version'] = driver;
    const numa = readInt(pick(c, '(Topology) Numa Node'));
    if (numa !== undefined) labels['hetpool.io/numa.node'] = String(numa);
    // DTK's rocm-smi on Hygon DCUs says "Card vendor": "Chengdu Haiguang IC Design Co., Ltd."
    const vendor = canonicalVendor(pick(c, 'Card vendor', 'Card Vendor')) ?? 'amd';
    ctx.devices.push({
      id,
      kind: 'gpu',
      vendor,
      model: series ? modelFromSeries(series) : 'unknown',
      memoryMiB: Math.floor(vramTotal ?? 0),
      index,
      ...(busId ? { busId } : {}),
      labels,
    });
    const temp = pick(c, 'Temperature (Sensor junction) (C)') ?? pick(c, 'Temperature (Sensor edge) (C)');
    ctx.metric(line, target, 'device.temperature.celsius', readWithUnit(temp, ['C']));
    ctx.metric(line, target, 'device.power.watts', readWithUnit(pick(c, 'Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'), ['W']));
    ctx.metric(line, target, 'device.utilization.ratio', readPercentRatio(pick(c, 'GPU use (%)')));
    ctx.metric(line, target, 'device.memory.used.mib', bytesToMiB(pick(c, 'VRAM Total Used Memory (B)')));
    if (numa !== undefined) {
      ctx.vertices.push({ id: target, kind: 'device', labels: busId ? { busId } : undefined });
      const numaId = ctx.target(`numa${numa}`);
      if (!ctx.vertices.some((v) => v.id === numaId)) ctx.vertices.push({ id: numaId, kind: 'numa' });
      ctx.links.push({ a: target, b: numaId, type: 'numa' });
    }
  }
  // "(Topology) Link type between DRM devices 0 and 1": "PCIE" | "XGMI"; the "Hops between" and
  // "Weight between" entries of the same pair (the driver's relative cost) become link labels.
  const system = root.system;
  if (system && typeof system === 'object') {
    const sys = system as Record<string, unknown>;
    for (const [k, v] of Object.entries(sys)) {
      const m = /^\(Topology\) Link type between DRM devices (\d+) and (\d+)$/.exec(k);
      if (!m || typeof v !== 'string') continue;
      const type = /xgmi/i.test(v) ? 'xgmi' : /pcie/i.test(v) ? 'pcie' : 'other';
      const labels: Record<string, string> = {};
      const hops = readInt(pick(sys, `(Topology) Hops between DRM devices ${m[1]} and ${m[2]}`));
      const weight = readInt(pick(sys, `(Topology) Weight between DRM devices ${m[1]} and ${m[2]}`));
      if (hops !== undefined) labels['hetpool.io/hops'] = String(hops);
      if (weight !== undefined) labels['hetpool.io/weight'] = String(weight);
      ctx.links.push({ a: ctx.target(`gpu${m[1]}`), b: ctx.target(`gpu${m[2]}`), type, ...(Object.keys(labels).length ? { labels } : {}) });
    }
  }
}

function parseConcise(ctx: ParseContext, text: string): void {
  const lines = splitLines(text);
  const h = lines.findIndex((l) => CONCISE_HEADER.test(l));
  if (h < 0) ctx.fail(1, 'no "Device … Temp … GPU%" header row');
  const names = splitWide(lines[h]);
  const col = (re: RegExp) => names.findIndex((n) => re.test(n));
  const cDev = col(/^(Device|GPU)$/);
  const cTemp = col(/^Temp/);
  const cPower = col(/^(Power|AvgPwr)/);
  const cPart = col(/^Partitions/);
  const cVram = col(/^VRAM%/);
  const cUtil = col(/^GPU%/);
  const cModel = col(/^\[Model/);
  let last: { id: string; line: number } | undefined;
  for (let i = h + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (/^=+/.test(raw.trim()) || raw.trim() === '') {
      if (/End of ROCm SMI Log/.test(raw)) break;
      continue;
    }
    // The second physical line of a device holds its name ("        AMD Instinct MI300X").
    // Before the first device it is the header's second line ("Name (20 chars)  (Junction) …").
    if (/^\s/.test(raw)) {
      const dev = last && ctx.devices.find((d) => d.id === last!.id);
      if (dev && dev.model === 'unknown') dev.model = stripVendorPrefix(raw.trim());
      last = undefined;
      continue;
    }
    const tokens = rowTokens(raw);
    const index = readInt(tokens[cDev]);
    if (index === undefined || tokens.length !== names.length) {
      ctx.warn(i + 1, `row not understood, skipped: "${raw.trim()}"`);
      last = undefined;
      continue;
    }
    const id = `gpu${index}`;
    const target = ctx.target(id);
    const labels: Record<string, string> = {};
    if (cModel >= 0) {
      const m = /^\[\s*(0x[0-9a-f]+)\s*:\s*(0x[0-9a-f]+)\s*\]$/i.exec(tokens[cModel]);
      if (m) labels['hetpool.io/pci.device'] = m[1].toLowerCase();
    }
    if (cPart >= 0) {
      const m = /^(NPS\d+|N\/A),\s*([A-Z]+PX|N\/A)\b/i.exec(tokens[cPart]);
      if (m && m[1] !== 'N/A') labels['hetpool.io/amd.memory-partition'] = m[1].toUpperCase();
      if (m && m[2] !== 'N/A') labels['hetpool.io/amd.compute-partition'] = m[2].toUpperCase();
    }
    ctx.devices.push({ id, kind: 'gpu', vendor: 'amd', model: 'unknown', memoryMiB: 0, index, labels });
    ctx.metric(i + 1, target, 'device.temperature.celsius', readWithUnit(tokens[cTemp], ['°C', 'C', 'c']));
    if (cPower >= 0) ctx.metric(i + 1, target, 'device.power.watts', readWithUnit(tokens[cPower], ['W']));
    if (cVram >= 0) ctx.metric(i + 1, target, 'device.memory.used.ratio', readPercentRatio(tokens[cVram]));
    if (cUtil >= 0) ctx.metric(i + 1, target, 'device.utilization.ratio', readPercentRatio(tokens[cUtil]));
    last = { id, line: i + 1 };
  }
  if (ctx.devices.length) ctx.warn(h + 1, 'concise rocm-smi shows VRAM% only: memoryMiB 0 until merged with `rocm-smi --showmeminfo vram --json`');
  for (const d of ctx.devices) if (d.model === 'unknown') ctx.warn(0, `${d.id}: name line missing; model unknown`);
}

/** AMD `rocm-smi` (concise table or `--json`). */
export const rocmSmiParser: AgentParser = {
  name: 'rocm-smi',
  command: ['rocm-smi', '--showproductname', '--showbus', '--showmeminfo', 'vram', '--showtopo', '-t', '-P', '-u', '--json'],
  detect(text: string): boolean {
    const t = text.trimStart();
    if (t.startsWith('{')) return /"card\d+"\s*:/.test(t) && /"(?:Card series|Card Series|VRAM Total Memory \(B\)|Device ID|GPU ID)"/.test(t);
    return CONCISE_TITLE.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('rocm-smi', options);
    if (text.trimStart().startsWith('{')) parseJson(ctx, text);
    else parseConcise(ctx, text);
    return ctx.finish('AMD GPU');
  },
};
