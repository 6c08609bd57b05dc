/**
 * `nvidia-smi mig -lgip` (GPU instance profiles → the device's `supported` partition profiles) and
 * `nvidia-smi mig -lgi` (GPU instances in use → `nominal` profiles). Both are box tables; -lgip
 * prints two physical rows per profile (the second holds CE/JPEG/OFA) and memory in GiB with two
 * decimals (`4.75`), which we turn into MiB as round(GiB × 1024).
 * Devices carry only partition facts (model unknown, memory 0); merge fills the rest from
 * another agent. Compute share: milli = ⌊slices × 1000 / total⌋, total = the largest `<n>g` profile listed (7 on
 * A100/H100, 4 on A30).
 */
import { migMilli, nvidiaGpu, parseMigProfile, profilesFromInstances, setPartition } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt, readNumber } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { PartitionProfile } from '../../model/types.js';

/** `|   0  MIG 1g.5gb        19     7/7        4.75       No     14     0     0   |` */
const LGIP = /^\|\s*(\d+)\s+MIG\s+(\S+)\s+(\d+)\s+(\d+)\/(\d+)\s+(\S+)\s+(\S+)\s+(\d+)/;
/** `|   0  MIG 3g.20gb       9        1          4:4     |` */
const LGI = /^\|\s*(\d+)\s+MIG\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+):(\d+)\s*\|/;

/** Parse `nvidia-smi mig -lgip`. */
export function parseMigLgip(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiMigLgip.name, options);
  const perGpu = new Map<number, Array<{ name: string; slices: number; memoryMiB: number; total: number; line: number }>>();
  splitLines(text).forEach((l, i) => {
    const m = LGIP.exec(l);
    if (!m) return;
    const gpu = readInt(m[1]);
    const p = parseMigProfile(m[2]);
    const gib = readNumber(m[6]);
    const total = readInt(m[5]);
    if (gpu === undefined || !p || gib === undefined || !total) {
      ctx.warn(i + 1, `unreadable profile row (${m[2]}, memory ${m[6]}, instances ${m[4]}/${m[5]}); row skipped`);
      return;
    }
    const list = perGpu.get(gpu) ?? [];
    list.push({ name: m[2], slices: p.slices, memoryMiB: Math.round(gib * 1024), total, line: i + 1 });
    perGpu.set(gpu, list);
  });
  if (!perGpu.size) ctx.fail(1, /GPU instance profiles/i.test(text) ? 'no profile rows found (truncated?)' : 'not nvidia-smi mig -lgip output: no "MIG <profile>" rows');
  const devices = ctx.devices;
  for (const [gpu, list] of perGpu) {
    const totalSlices = Math.max(...list.map((p) => p.slices));
    const profiles: PartitionProfile[] = list.slice(0, 32).map((p) => ({ name: p.name, milli: migMilli(p.slices, totalSlices), memoryMiB: p.memoryMiB, maxCount: Math.min(64, Math.max(1, p.total)) }));
    const d = nvidiaGpu({ index: gpu });
    setPartition(d, profiles, 'supported');
    devices.push(d);
  }
  return ctx.finish('MIG GPU');
}

/** Parse `nvidia-smi mig -lgi`. */
export function parseMigLgi(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiMigLgi.name, options);
  const perGpu = new Map<number, { line: number; names: string[] }>();
  splitLines(text).forEach((l, i) => {
    const m = LGI.exec(l);
    if (!m) return;
    const gpu = readInt(m[1]);
    if (gpu === undefined) return;
    const e = perGpu.get(gpu) ?? { line: i + 1, names: [] };
    e.names.push(m[2]);
    perGpu.set(gpu, e);
  });
  if (!perGpu.size) ctx.fail(1, /GPU instances/i.test(text) ? 'no GPU instance rows found (none created, or truncated)' : 'not nvidia-smi mig -lgi output: no "MIG <profile>" rows');
  const devices = ctx.devices;
  for (const [gpu, e] of perGpu) {
    const d = nvidiaGpu({ index: gpu });
    setPartition(d, profilesFromInstances('', 0, e.names.map((profile) => ({ profile })), (msg) => ctx.warn(e.line, msg)), 'nominal');
    d.labels = { ...(d.labels ?? {}), 'hetpool.io/mig.instances': e.names.join(',').slice(0, 253) };
    devices.push(d);
  }
  return ctx.finish('MIG GPU');
}

/** Parser registration for `nvidia-smi mig -lgip`. */
export const nvidiaSmiMigLgip: AgentParser = {
  name: 'nvidia-smi-mig-lgip',
  command: ['nvidia-smi', 'mig', '-lgip'],
  detect: (text) => /GPU instance profiles:/.test(text.slice(0, 4096)),
  parse: parseMigLgip,
};

/** Parser registration for `nvidia-smi mig -lgi`. */
export const nvidiaSmiMigLgi: AgentParser = {
  name: 'nvidia-smi-mig-lgi',
  command: ['nvidia-smi', 'mig', '-lgi'],
  detect: (text) => /GPU instances:/.test(text.slice(0, 4096)),
  parse: parseMigLgi,
};
