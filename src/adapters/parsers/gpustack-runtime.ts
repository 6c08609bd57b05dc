/**
 * gpustack-runtime's unified JSON (built from NVML, DCMI, amdsmi, … by the gpustack project):
 * - `gpustack-runtime detect --format json`: an array of devices (`manufacturer`, `index`,
 *   `name`, `memory` MiB, `memory_used` MiB, `temperature` °C, `power_used` W,
 *   `cores_utilization` %, `memory_status`, and a vendor `appendix` with bdf/numa);
 * - `gpustack-runtime topology --format json`: per manufacturer, `devices_distances` (an n×n
 *   matrix), `devices_cpu_affinities` and `devices_numa_affinities`.
 *
 * The distance scale is gpustack's own; hetpool does not guess link technology from it: each
 * device pair gets a link of type `other` whose `hetpool.io/distance` label keeps the raw
 * distance. NUMA affinities become `numa` links.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceKind } from '../../model/types.js';
import { ParseContext } from '../lib/context.js';
import { lineOfMatch, splitLines } from '../lib/text.js';
import { countCpuList, normalizeBusId, readInt } from '../lib/units.js';
import { ascendModel, canonicalVendor, healthFromWord, stripVendorPrefix, VENDOR_KIND } from '../lib/vendors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
/** A finite number ≥ 0 from a JSON value, else undefined (null, strings, negatives). */
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

function kindOf(ctx: ParseContext, manufacturer: string | undefined, line: number): { vendor: string; kind: DeviceKind } {
  const vendor = canonicalVendor(manufacturer);
  if (!vendor) {
    ctx.warn(line, `manufacturer "${manufacturer ?? ''}" not known; kept as vendor, kind gpu assumed`);
    return { vendor: manufacturer && manufacturer.length <= 64 ? manufacturer : 'unknown', kind: 'gpu' };
  }
  return { vendor, kind: VENDOR_KIND[vendor] ?? 'gpu' };
}

function ensureVertex(ctx: ParseContext, id: string, kind: 'device' | 'numa'): { id: string; kind: 'device' | 'numa'; labels?: Record<string, string> } {
  let v = ctx.vertices.find((x) => x.id === id);
  if (!v) {
    v = { id, kind };
    ctx.vertices.push(v);
  }
  return v as { id: string; kind: 'device' | 'numa'; labels?: Record<string, string> };
}

function linkNuma(ctx: ParseContext, deviceTarget: string, numaText: string | undefined): void {
  const numa = readInt(numaText);
  if (numa === undefined) return;
  ensureVertex(ctx, deviceTarget, 'device');
  const numaId = ctx.target(`numa${numa}`);
  ensureVertex(ctx, numaId, 'numa');
  ctx.links.push({ a: deviceTarget, b: numaId, type: 'numa' });
}

function parseDetect(ctx: ParseContext, items: unknown[], lines: string[]): void {
  items.forEach((item, pos) => {
    const line = lineOfMatch(lines, /"manufacturer"\s*:/, pos);
    if (!isObj(item)) {
      ctx.warn(line, `entry ${pos} is not an object; skipped`);
      return;
    }
    const { vendor, kind } = kindOf(ctx, str(item.manufacturer), line);
    const index = num(item.index);
    if (index === undefined || !Number.isInteger(index)) {
      ctx.warn(line, `entry ${pos}: "index" missing or not an integer; skipped`);
      return;
    }
    const id = `${kind}${index}`;
    const target = ctx.target(id);
    const appendix = isObj(item.appendix) ? item.appendix : {};
    const name = str(item.name);
    const memory = num(item.memory);
    if (memory === undefined) ctx.warn(line, `${id}: "memory" missing or not a number; memoryMiB 0`);
    const health = item.memory_status === undefined ? undefined : healthFromWord(str(item.memory_status));
    const labels: Record<string, string> = {};
    const put = (k: string, v: unknown) => {
      const s = str(v);
      if (s !== undefined && s.length <= 253) labels[`hetpool.io/${k}`] = s;
    };
    put('uuid', item.uuid);
    put('driver.version', item.driver_version);
    put('runtime.version', item.runtime_version_original ?? item.runtime_version);
    put('compute-units', item.cores);
    put('compute-capability', item.compute_capability);
    put('numa.node', appendix.numa);
    put('arch-family', appendix.arch_family);
    put('roce.ip', appendix.roce_ip);
    const busId = normalizeBusId(str(appendix.bdf));
    ctx.devices.push({
      id,
      kind,
      vendor,
      model: name ? (vendor === 'huawei' ? ascendModel(name) : stripVendorPrefix(name)) : 'unknown',
      memoryMiB: Math.floor(memory ?? 0),
      index,
      ...(busId ? { busId } : {}),
      ...(health ? { health } : {}),
      labels,
    });
    if (health) ctx.health.push({ target, health, reason: `gpustack memory_status=${str(item.memory_status)}` });
    if (health && health !== 'unknown') ctx.metric(line, target, 'device.vendor.unhealthy', health === 'unhealthy' ? 1 : 0);
    ctx.metric(line, target, 'device.temperature.celsius', num(item.temperature));
    ctx.metric(line, target, 'device.power.watts', num(item.power_used));
    const util = num(item.cores_utilization);
    ctx.metric(line, target, 'device.utilization.ratio', util !== undefined && util <= 100 ? util / 100 : undefined);
    ctx.metric(line, target, 'device.memory.used.mib', num(item.memory_used));
    linkNuma(ctx, target, str(appendix.numa));
  });
}

function parseTopology(ctx: ParseContext, items: unknown[], lines: string[]): void {
  items.forEach((item, pos) => {
    const line = lineOfMatch(lines, /"manufacturer"\s*:/, pos);
    if (!isObj(item)) return;
    const { kind } = kindOf(ctx, str(item.manufacturer), line);
    const distances = Array.isArray(item.devices_distances) ? item.devices_distances : [];
    const n = distances.length;
    const cpus = Array.isArray(item.devices_cpu_affinities) ? item.devices_cpu_affinities : [];
    const numas = Array.isArray(item.devices_numa_affinities) ? item.devices_numa_affinities : [];
    const count = Math.max(n, cpus.length, numas.length);
    for (let i = 0; i < count; i++) {
      const target = ctx.target(`${kind}${i}`);
      const v = ensureVertex(ctx, target, 'device');
      const cpuList = str(cpus[i]);
      if (cpuList !== undefined && countCpuList(cpuList) !== undefined) v.labels = { ...v.labels, 'hetpool.io/cpu.affinity': cpuList };
      linkNuma(ctx, target, str(numas[i]));
      const row = distances[i];
      if (!Array.isArray(row) || row.length !== n) {
        if (i < n) ctx.warn(line, `${kind}${i}: distance row missing or not ${n} long; skipped`);
        continue;
      }
      for (let j = i + 1; j < n; j++) {
        const d = num(row[j]);
        if (d === undefined) continue;
        const rowJ = distances[j];
        const back = Array.isArray(rowJ) && rowJ.length === n ? num(rowJ[i]) : undefined;
        // gpustack's own distance scale, kept raw on the link; both directions when they differ.
        const labels: Record<string, string> = back === undefined || back === d
          ? { 'hetpool.io/distance': String(d) }
          : { [`hetpool.io/distance.${kind}${i}-${kind}${j}`]: String(d), [`hetpool.io/distance.${kind}${j}-${kind}${i}`]: String(back) };
        ctx.links.push({ a: target, b: ctx.target(`${kind}${j}`), type: 'other', labels });
      }
    }
  });
}

/** gpustack-runtime `detect` / `topology` JSON. */
export const gpustackRuntimeParser: AgentParser = {
  name: 'gpustack-runtime-json',
  command: ['gpustack-runtime', 'detect', '--format', 'json'],
  fallback: true,
  detect(text: string): boolean {
    return text.trimStart().startsWith('[') && /"manufacturer"\s*:/.test(text) && /"devices_distances"|"memory_used"|"cores_utilization"/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(gpustackRuntimeParser, options);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      ctx.fail(0, `not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc)) ctx.fail(1, 'expected a JSON array');
    const lines = splitLines(text);
    if (doc.some((d) => isObj(d) && 'devices_distances' in d)) parseTopology(ctx, doc, lines);
    else parseDetect(ctx, doc, lines);
    return ctx.finish('device');
  },
};
