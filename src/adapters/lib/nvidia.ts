/**
 * What every NVIDIA parser shares: model names, precision support by architecture, MIG profile
 * arithmetic and the device record. Device ids are `gpu<index>` so fragments from different
 * nvidia-smi views of one machine merge by id.
 */
import { Labels } from '../../model/labels.js';
import type { DeviceInput, PartitionProfile } from '../../model/types.js';
import { Metric, pushMetric } from '../metrics.js';
import type { MetricSample } from '../types.js';
import { normalizeBusId, yesNo } from './units.js';

/** Label on a device saying where its partition profiles came from (see merge.ts). */
export const PROFILES_LABEL = 'hetpool.io/partition.profiles';
/**
 * `supported`: the full list the device can make (`mig -lgip`); `observed`: inferred from
 * instances seen with their measured memory; `nominal`: from profile names only (memory = the
 * name's GiB). Merge prefers supported over observed over nominal.
 */
export type ProfilesOrigin = 'supported' | 'observed' | 'nominal';
/** Rank of each origin for merge (higher wins). */
export const PROFILE_ORIGIN_RANK: Record<string, number> = { supported: 3, observed: 2, nominal: 1 };

/** `NVIDIA H100 80GB HBM3` / `NVIDIA-H100-80GB-HBM3` → `H100-80GB-HBM3` (one spelling across agents and GFD labels). */
export function nvidiaModel(product: string): string {
  const m = product.trim().replace(/^NVIDIA[\s-]+/i, '').replace(/\s+/g, '-').slice(0, 128);
  return m || 'unknown';
}

/** Architecture from the product name when the agent does not print it. */
export function nvidiaArchitecture(product: string): string | undefined {
  const p = product.toUpperCase();
  if (/\b(B100|B200|GB200|B300|RTX[ -]?50\d\d|RTX PRO 6000)/.test(p)) return 'Blackwell';
  if (/\b(H100|H200|H800|H20|GH200)\b/.test(p)) return 'Hopper';
  if (/\b(L4|L40S?|RTX[ -]?40\d\d|RTX 6000 ADA|ADA)\b/.test(p)) return 'Ada Lovelace';
  if (/\b(A100|A800|A30|A40|A10G?|A16|A2|RTX[ -]?30\d\d|RTX A\d+)\b/.test(p)) return 'Ampere';
  if (/\b(T4|RTX[ -]?20\d\d|QUADRO RTX)\b/.test(p)) return 'Turing';
  if (/\bV100\b/.test(p)) return 'Volta';
  return undefined;
}

/**
 * Precisions an architecture computes natively (NVIDIA CUDA programming guide, "Arithmetic
 * instructions" by compute capability): bf16 from Ampere (cc 8.0), fp16 and int8 dp4a from
 * Volta/Turing; fp32 everywhere.
 */
export function nvidiaPrecisions(architecture: string | undefined, computeCap?: number): string[] {
  const a = (architecture ?? '').toLowerCase();
  const cc = computeCap ?? (/(ampere|ada|hopper|blackwell)/.test(a) ? 8 : /(volta|turing)/.test(a) ? 7 : undefined);
  if (cc === undefined) return ['fp32'];
  if (cc >= 8) return ['fp32', 'fp16', 'bf16', 'int8'];
  if (cc >= 6.1) return ['fp32', 'fp16', 'int8'];
  return ['fp32'];
}

/** The device record every NVIDIA parser emits. `memoryMiB` 0 means "not reported by this agent". */
export function nvidiaGpu(f: {
  index: number; product?: string; memoryMiB?: number; busId?: string; uuid?: string;
  architecture?: string; computeCap?: number; migEnabled?: boolean;
}): DeviceInput {
  const product = f.product ?? '';
  const arch = f.architecture ?? (product ? nvidiaArchitecture(product) : undefined);
  const labels: Record<string, string> = {};
  if (product) for (const p of nvidiaPrecisions(arch, f.computeCap)) labels[Labels.precision(p)] = 'true';
  if (arch) labels['hetpool.io/architecture'] = arch;
  if (f.uuid) labels['hetpool.io/uuid'] = f.uuid.slice(0, 253);
  if (f.migEnabled !== undefined) labels['hetpool.io/mig'] = f.migEnabled ? 'enabled' : 'disabled';
  const d: DeviceInput = {
    id: `gpu${f.index}`,
    kind: 'gpu',
    vendor: 'nvidia',
    model: product ? nvidiaModel(product) : 'unknown',
    memoryMiB: f.memoryMiB ?? 0,
    index: f.index,
  };
  const busId = normalizeBusId(f.busId);
  if (busId) d.busId = busId;
  if (Object.keys(labels).length) d.labels = labels;
  return d;
}

/** A MIG profile name split: `1g.10gb+me` → { slices: 1, gb: 10 }. */
export function parseMigProfile(name: string): { slices: number; gb: number } | undefined {
  const m = /^(\d+)g\.(\d+)gb/i.exec(name.trim());
  if (!m) return undefined;
  return { slices: Number(m[1]), gb: Number(m[2]) };
}

/**
 * Compute share of a MIG profile with `slices` of `totalSlices` compute slices (7 on A100/H100,
 * 4 on A30), in milli of the whole GPU, floored so that any set of instances that fits the GPU
 * sums to ≤ 1000: 1g of 7 → ⌊1000/7⌋ = 142, 3g → ⌊3000/7⌋ = 428, 7g → 1000.
 */
export function migMilli(slices: number, totalSlices = 7): number {
  const t = Math.max(1, totalSlices);
  return Math.max(1, Math.min(1000, Math.floor((Math.min(slices, t) * 1000) / t)));
}

/**
 * MIG compute slices of an instance from its SM count, where the product's layout is known:
 * A100 has 14 SMs per slice (98 = 7g); H100/H200 SXM use 16/32/60/64/132 SMs for 1g/2g/3g/4g/7g
 * (NVIDIA MIG user guide, "Supported MIG profiles"). Undefined when unknown.
 */
export function migSlicesFromSm(product: string, sm: number): number | undefined {
  const p = product.toUpperCase();
  if (/\b(A100|A800)\b/.test(p) && sm % 14 === 0 && sm / 14 >= 1 && sm / 14 <= 7) return sm / 14;
  if (/\b(H100|H200|H800|H20)\b/.test(p)) return ({ 16: 1, 26: 1, 32: 2, 60: 3, 64: 4, 132: 7 } as Record<number, number>)[sm];
  return undefined;
}

/** An instance seen on a MIG-enabled GPU (from -q, -x, the table, -L or DCGM series). */
export interface MigInstance { profile?: string; sm?: number; memoryMiB?: number }

/**
 * Partition profiles implied by the instances seen on a GPU (`observed`): names from the agent or
 * `<slices>g.<GiB>gb` from SM count and memory; maxCount = min(⌊7 / slices⌋, ⌊GPU memory /
 * instance memory⌋). `mig -lgip` gives the authoritative list (`supported`) and replaces these.
 */
export function profilesFromInstances(product: string, gpuMemoryMiB: number, instances: MigInstance[], warn: (m: string) => void): PartitionProfile[] {
  const byName = new Map<string, PartitionProfile>();
  for (const inst of instances) {
    if (inst.profile && byName.has(inst.profile)) continue;
    let slices = inst.profile ? parseMigProfile(inst.profile)?.slices : undefined;
    if (slices === undefined && inst.sm !== undefined) slices = migSlicesFromSm(product, inst.sm);
    if (slices === undefined) {
      warn(`MIG instance with ${inst.sm ?? '?'} SMs on ${product || 'an unknown GPU'}: slice count unknown, instance skipped (add \`nvidia-smi mig -lgip\` output)`);
      continue;
    }
    let mem = inst.memoryMiB;
    if (mem === undefined && inst.profile) {
      const gb = parseMigProfile(inst.profile)?.gb;
      if (gb !== undefined) {
        mem = gb * 1024;
        warn(`MIG ${inst.profile}: memory taken from the profile name (${gb} GiB nominal = ${mem} MiB); \`mig -lgip\` gives the exact size`);
      }
    }
    if (mem === undefined) continue;
    const name = inst.profile ?? `${slices}g.${Math.round(mem / 1024)}gb`;
    if (byName.has(name)) continue;
    const byMem = gpuMemoryMiB > 0 && mem > 0 ? Math.floor(gpuMemoryMiB / mem) : 7;
    const maxCount = Math.max(1, Math.min(Math.floor(7 / slices), byMem, 64));
    byName.set(name, { name: name.slice(0, 253), milli: migMilli(slices), memoryMiB: mem, maxCount });
  }
  return [...byName.values()];
}

/** Set a device's sharing to `partition` with `profiles` and mark their origin. */
export function setPartition(d: DeviceInput, profiles: PartitionProfile[], origin: ProfilesOrigin): void {
  if (!profiles.length) return;
  d.sharing = { mode: 'partition', profiles: profiles.slice(0, 32) };
  d.labels = { ...(d.labels ?? {}), [PROFILES_LABEL]: origin, 'hetpool.io/mig': 'enabled' };
}

/**
 * The per-GPU readings nvidia-smi prints in both its text (`-q`) and XML (`-q -x`) forms, as
 * printed ("0 %", "27 C", "67.03 W", "Yes"), memory already in MiB. ECC counts are lists of the
 * per-location counters (SRAM, DRAM, …) the driver prints; their sum is the metric.
 */
export interface NvidiaSmiReadings {
  utilization?: string; memoryActivity?: string; memoryUsedMiB?: number; memoryTotalMiB?: number;
  temperature?: string; memoryTemperature?: string; power?: string; powerLimit?: string;
  eccUncorrectable: Array<number | undefined>; eccCorrectable: Array<number | undefined>;
  retiredPagesPending?: string; remappedRowsPending?: string; remappedRowsFailure?: string; pcieReplays?: string;
}

/** Push the normalised metrics of one GPU's nvidia-smi readings (percent → ratio, Yes/No → 1/0). */
export function pushNvidiaSmiReadings(out: MetricSample[], target: string, r: NvidiaSmiReadings): void {
  const sum = (xs: Array<number | undefined>): number | undefined => (xs.some((v) => v !== undefined) ? xs.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined);
  pushMetric(out, Metric.utilization, target, r.utilization, 0.01);
  pushMetric(out, Metric.memoryActivity, target, r.memoryActivity, 0.01);
  pushMetric(out, Metric.memoryUsed, target, r.memoryUsedMiB);
  pushMetric(out, Metric.memoryTotal, target, r.memoryTotalMiB);
  pushMetric(out, Metric.temperature, target, r.temperature);
  pushMetric(out, Metric.memoryTemperature, target, r.memoryTemperature);
  pushMetric(out, Metric.power, target, r.power);
  pushMetric(out, Metric.powerLimit, target, r.powerLimit);
  pushMetric(out, Metric.eccUncorrectable, target, sum(r.eccUncorrectable));
  pushMetric(out, Metric.eccCorrectable, target, sum(r.eccCorrectable));
  pushMetric(out, Metric.retiredPagesPending, target, yesNo(r.retiredPagesPending));
  pushMetric(out, Metric.remappedRowsPending, target, yesNo(r.remappedRowsPending));
  pushMetric(out, Metric.remappedRowsFailure, target, yesNo(r.remappedRowsFailure));
  pushMetric(out, Metric.pcieReplays, target, r.pcieReplays);
}
