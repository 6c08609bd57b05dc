/**
 * Workload generator: a stream of tasks with arrival times (Poisson, optionally diurnal),
 * heavy-tailed durations (log-normal), tenants (Zipf), priority classes and accelerator requests
 * in an openb-like mix — CPU-only, fractional shares, partition profiles, whole and multi-device.
 * Tasks are produced one at a time ({@link workloadStream}) so a million of them never sit in
 * memory together; {@link generateWorkload} collects a small stream into a validated TaskList.
 * When a cluster is given, every accelerator request names something that cluster offers.
 */
import { HetpoolError, parseTaskList, type Cluster, type DeviceKind, type PartitionProfile, type Precision, type TaskInput, type TaskList } from '../../model/index.js';
import { Rng } from '../random.js';
import { DEVICE_MODELS, NODE_SHAPES } from './hardware.js';

/** Options of {@link workloadStream} / {@link generateWorkload}. */
export interface WorkloadOptions {
  /** Number of tasks (≥ 0). */
  tasks: number;
  seed?: number;
  /** Draw accelerator requests from what this cluster offers (default: the generator's hardware table). */
  cluster?: Cluster;
  /** Mean arrivals per second (default 1). */
  arrivalRate?: number;
  /** Diurnal swing 0..1: the rate is rate × (1 + a·sin(2πt/86400)) (default 0 = flat Poisson). */
  diurnal?: number;
  /** Median duration in seconds (default 600) and log-normal σ (default 1.2); capped at maxDuration (default 7 days). */
  medianDuration?: number;
  durationSigma?: number;
  maxDuration?: number;
  /** Number of tenants (default 8), weighted by Zipf 1/k. */
  tenants?: number;
  /** Request mix weights (default cpu 15, fractional 35, partition 8, whole 35, multi 7). */
  mix?: Partial<Record<RequestKind, number>>;
  /** Prefix of task ids (default "t"). */
  idPrefix?: string;
}

/** The kinds of request the generator mixes. */
export type RequestKind = 'cpu' | 'fractional' | 'partition' | 'whole' | 'multi';
/** Default request mix (weights): CPU-only, fractional share, partition profile, whole device, multi-device. */
export const DEFAULT_MIX: Record<RequestKind, number> = { cpu: 15, fractional: 35, partition: 8, whole: 35, multi: 7 };

/**
 * Fractional shares and their weights, from the openb default pod list (Weng et al., ATC'23
 * trace): 3,078 fractional pods, most common shares 810 (1,078), 470 (750), 320 (328), 650 (253),
 * 230 (140), 460 (128), 590 (75), 160 (74), 550 (72), 220 (62), 370 (47), 110 (24), 50 (7).
 */
const OPENB_MILLI = [810, 470, 320, 650, 230, 460, 590, 160, 550, 220, 370, 110, 50] as const;
const OPENB_MILLI_W = [1078, 750, 328, 253, 140, 128, 75, 74, 72, 62, 47, 24, 7] as const;

/** Priority classes: share of tasks, priority value. */
const CLASSES = [
  { name: 'batch', weight: 60, priority: 0 },
  { name: 'standard', weight: 30, priority: 100 },
  { name: 'urgent', weight: 10, priority: 1000 },
] as const;

/** One kind of device on offer, summarised over the nodes that carry it. */
export interface Offer {
  kind: DeviceKind;
  vendor: string;
  model: string;
  memoryMiB: number;
  /** Devices of this model in the cluster (the weight of the offer). */
  devices: number;
  /** Most devices of this model on one node. */
  maxPerNode: number;
  timeSlice: boolean;
  exclusive: boolean;
  profiles: PartitionProfile[];
  precisions: Precision[];
  /** The least CPU (milli) and memory (MiB) per device on any node carrying it, so requests fit. */
  cpuPerDevice: number;
  memPerDevice: number;
}

/** What a cluster offers, by model (healthy devices only). */
export function offersOf(cluster: Cluster): Offer[] {
  const byModel = new Map<string, Offer>();
  for (const n of cluster.nodes) {
    const counts = new Map<string, number>();
    for (const d of n.devices) {
      if (d.health !== 'healthy') continue;
      const key = `${d.kind}/${d.vendor}/${d.model}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      let o = byModel.get(key);
      if (!o) {
        o = { kind: d.kind, vendor: d.vendor, model: d.model, memoryMiB: d.memoryMiB, devices: 0, maxPerNode: 0, timeSlice: false, exclusive: false, profiles: [], precisions: [], cpuPerDevice: Infinity, memPerDevice: Infinity };
        byModel.set(key, o);
      }
      o.devices++;
      o.memoryMiB = Math.min(o.memoryMiB, d.memoryMiB);
      if (d.sharing.mode === 'time-slice') o.timeSlice = true;
      if (d.sharing.mode === 'exclusive') o.exclusive = true;
      if (d.sharing.mode === 'partition') for (const p of d.sharing.profiles) if (!o.profiles.some((q) => q.name === p.name)) o.profiles.push({ ...p });
      for (const p of Object.keys(d.throughput ?? {}) as Precision[]) if (!o.precisions.includes(p)) o.precisions.push(p);
    }
    const total = n.devices.length;
    for (const [key, c] of counts) {
      const o = byModel.get(key)!;
      o.maxPerNode = Math.max(o.maxPerNode, c);
      o.cpuPerDevice = Math.min(o.cpuPerDevice, Math.floor(n.cpuMilli / total));
      o.memPerDevice = Math.min(o.memPerDevice, Math.floor(n.memoryMiB / total));
    }
  }
  return [...byModel.values()].sort((a, b) => (a.kind + a.model < b.kind + b.model ? -1 : 1));
}

/** Offers of the generator's own hardware table (used when no cluster is given). */
export function defaultOffers(): Offer[] {
  const out: Offer[] = [];
  for (const s of NODE_SHAPES) {
    if (!s.device) continue;
    const m = DEVICE_MODELS[s.device];
    const counts = s.deviceCount ?? [1];
    const maxPerNode = Math.max(...counts);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    out.push({
      kind: m.kind, vendor: m.vendor, model: m.model, memoryMiB: m.memoryMiB, devices: Math.round(s.weight * mean * 100),
      maxPerNode, timeSlice: 'timeSlice' in m.sharing, exclusive: 'exclusive' in m.sharing,
      profiles: 'profiles' in m ? m.profiles.map((p) => ({ ...p })) : [], precisions: Object.keys(m.throughput) as Precision[],
      cpuPerDevice: Math.floor((Math.min(...s.cpuCores) * 1000) / maxPerNode), memPerDevice: Math.floor((Math.min(...s.memoryGiB) * 1024) / maxPerNode),
    });
  }
  return out;
}

function checkOptions(o: WorkloadOptions): void {
  const bad = (p: string, m: string) => new HetpoolError('invalid-input', `options.${p}`, m);
  if (!Number.isInteger(o.tasks) || o.tasks < 0) throw bad('tasks', 'must be an integer ≥ 0');
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw bad('seed', 'must be an integer');
  if (o.arrivalRate !== undefined && !(o.arrivalRate > 0 && Number.isFinite(o.arrivalRate))) throw bad('arrivalRate', 'must be a number > 0');
  if (o.diurnal !== undefined && !(o.diurnal >= 0 && o.diurnal <= 1)) throw bad('diurnal', 'must be a number in 0..1');
  if (o.medianDuration !== undefined && !(o.medianDuration > 0)) throw bad('medianDuration', 'must be a number > 0');
  if (o.durationSigma !== undefined && !(o.durationSigma >= 0)) throw bad('durationSigma', 'must be a number ≥ 0');
  if (o.maxDuration !== undefined && !(o.maxDuration >= 1)) throw bad('maxDuration', 'must be a number ≥ 1');
  if (o.tenants !== undefined && !(Number.isInteger(o.tenants) && o.tenants >= 1)) throw bad('tenants', 'must be a positive integer');
  for (const [k, w] of Object.entries(o.mix ?? {})) {
    if (!(k in DEFAULT_MIX)) throw bad(`mix.${k}`, `unknown request kind (known: ${Object.keys(DEFAULT_MIX).join(', ')})`);
    if (!(w >= 0)) throw bad(`mix.${k}`, 'must be a number ≥ 0');
  }
}

/** Standard normal by Box–Muller (one of the pair; the generator needs no speed here). */
function normal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

const DAY = 86_400;

/**
 * The task stream, in arrival order (non-decreasing `arrival`). Lazy: a consumer that writes each
 * task out holds only one at a time.
 */
export function* workloadStream(options: WorkloadOptions): Generator<TaskInput> {
  checkOptions(options);
  const rng = new Rng(options.seed ?? 1);
  const offers = options.cluster ? offersOf(options.cluster) : defaultOffers();
  const rate = options.arrivalRate ?? 1;
  const amp = options.diurnal ?? 0;
  const median = options.medianDuration ?? 600;
  const sigma = options.durationSigma ?? 1.2;
  const maxDur = options.maxDuration ?? 7 * DAY;
  const tenants = Array.from({ length: options.tenants ?? 8 }, (_, k) => `tenant-${String.fromCharCode(97 + (k % 26))}${k >= 26 ? Math.floor(k / 26) : ''}`);
  const tenantW = tenants.map((_, k) => 1 / (k + 1));
  const width = Math.max(7, String(Math.max(0, options.tasks - 1)).length);
  const prefix = options.idPrefix ?? 't';

  const archs = new Set<string>(options.cluster ? options.cluster.nodes.map((n) => n.arch) : ['x86_64', 'aarch64', 'riscv64']);
  const shareable = offers.filter((o) => o.timeSlice);
  const partitioned = offers.filter((o) => o.profiles.length > 0);
  const multi = offers.filter((o) => o.maxPerNode >= 2);
  const mix = { ...DEFAULT_MIX, ...options.mix };
  // A request kind with nothing to run on is dropped from the mix rather than generating
  // tasks that can never be placed.
  if (offers.length === 0) mix.fractional = mix.partition = mix.whole = mix.multi = 0;
  if (shareable.length === 0) mix.fractional = 0;
  if (partitioned.length === 0) mix.partition = 0;
  if (multi.length === 0) mix.multi = 0;
  const kinds = Object.keys(mix) as RequestKind[];
  const kindW = kinds.map((k) => mix[k]);
  if (options.tasks > 0 && kindW.every((w) => w <= 0)) throw new HetpoolError('invalid-input', 'options.mix', 'leaves no request kind the cluster can serve');
  const byDevices = (a: Offer[]) => a.map((o) => o.devices);

  let t = 0;
  for (let i = 0; i < options.tasks; i++) {
    // Non-homogeneous Poisson by thinning (Lewis & Shedler 1979): candidates at the peak rate,
    // each kept with probability rate(t) / peak.
    const peak = rate * (1 + amp);
    for (;;) {
      t += rng.exp(1 / peak);
      if (amp === 0 || rng.next() * peak <= rate * (1 + amp * Math.sin((2 * Math.PI * t) / DAY))) break;
    }
    // Log-normal duration: median · e^{σZ} (heavy right tail, as in cluster traces).
    const duration = Math.min(maxDur, Math.max(1, Math.round(median * Math.exp(sigma * normal(rng)))));
    const cls = rng.weighted(CLASSES, CLASSES.map((c) => c.weight));
    const task: TaskInput = {
      id: `${prefix}${String(i).padStart(width, '0')}`,
      tenant: rng.weighted(tenants, tenantW),
      priority: cls.priority,
      class: cls.name,
      arrival: Math.round(t * 1000) / 1000,
      duration,
    };
    const kind = rng.weighted(kinds, kindW);
    if (kind === 'cpu') {
      const cores = rng.weighted([500, 1000, 2000, 4000, 8000, 16000], [10, 25, 30, 20, 10, 5]);
      task.cpuMilli = cores;
      task.memoryMiB = (cores / 1000) * rng.weighted([2048, 4096, 8192], [3, 5, 2]) || 1024;
      // A few CPU tasks are built for one architecture (native binaries, riscv64 test farms) —
      // only architectures the cluster has.
      const r = rng.next();
      if (r < 0.08 && archs.has('aarch64')) task.arch = ['aarch64'];
      else if (r >= 0.08 && r < 0.1 && archs.has('riscv64')) task.arch = ['riscv64'];
    } else if (kind === 'fractional') {
      const o = rng.weighted(shareable, byDevices(shareable));
      const milli = rng.weighted(OPENB_MILLI, OPENB_MILLI_W);
      // Device memory in proportion to the share, 256 MiB steps, never above the device.
      const mem = Math.min(o.memoryMiB, Math.max(256, Math.floor((o.memoryMiB * milli) / 1000 / 256) * 256));
      task.accel = { kind: o.kind, count: 1, milli, memoryMiB: mem, models: [o.model] };
      task.cpuMilli = Math.min(o.cpuPerDevice, rng.weighted([1000, 2000, 4000], [3, 4, 3]));
      task.memoryMiB = Math.min(o.memPerDevice, rng.weighted([4096, 8192, 16384], [3, 4, 3]));
    } else if (kind === 'partition') {
      const o = rng.weighted(partitioned, byDevices(partitioned));
      // Small instances are the common ask (inference, notebooks); the whole-GPU profile is rare.
      const p = rng.weighted(o.profiles, o.profiles.map((q) => 1000 / q.milli));
      task.accel = { kind: o.kind, count: 1, milli: p.milli, memoryMiB: p.memoryMiB, profile: p.name, models: [o.model] };
      task.cpuMilli = Math.min(o.cpuPerDevice, 2000);
      task.memoryMiB = Math.min(o.memPerDevice, 8192);
    } else {
      const pool = kind === 'multi' ? multi : offers;
      const o = rng.weighted(pool, byDevices(pool));
      const counts = [2, 4, 8].filter((c) => c <= o.maxPerNode);
      const count = kind === 'multi' ? rng.weighted(counts, counts.map((c) => 8 / c)) : 1;
      task.accel = { kind: o.kind, count, milli: 1000 };
      // Most whole-device jobs pin a model (they were tuned for it); the rest take any device of the kind.
      if (rng.next() < 0.7) task.accel.models = [o.model];
      else if (o.precisions.includes('bf16') && rng.next() < 0.5) task.accel.precision = 'bf16';
      task.cpuMilli = Math.min(count * o.cpuPerDevice, count * rng.weighted([4000, 8000, 12000], [3, 5, 2]));
      task.memoryMiB = Math.min(count * o.memPerDevice, count * rng.weighted([16384, 32768, 65536], [3, 5, 2]));
    }
    yield task;
  }
}

/**
 * A validated TaskList of `options.tasks` tasks (for streams that fit in memory; write large ones
 * with writeJsonLines(file, workloadStream(options))).
 */
export function generateWorkload(options: WorkloadOptions): TaskList {
  return parseTaskList({ version: 1, tasks: [...workloadStream(options)] }, 'workload');
}
