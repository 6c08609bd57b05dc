/**
 * A mirror of free capacity per node and device, kept from the engine's bindings, used for one
 * question: "could this request possibly fit on one of the nodes that gained capacity since the
 * last retry?" It repeats the engine's capacity checks (docs/engine.md: CPU, memory, arch, form,
 * device kind/vendor/model/precision/health, sharing mode, share, device memory, slices,
 * partition instances) but not the label, taint and site rules, so a "no" is certain and a "yes"
 * only possible; the engine makes the real decision. A request that cannot fit on any freed node
 * cannot fit anywhere, since every other node only lost capacity since the request last failed.
 */
import type { NodeInput, Task } from '../../model/index.js';

/** Device kinds in a fixed order: per-kind maxima live in arrays, not maps (the hot check). */
const KINDS = ['gpu', 'npu', 'fpga', 'asic'] as const;
const kindIndex = (k: string): number => KINDS.indexOf(k as (typeof KINDS)[number]);

/**
 * What a task asks of one node, in numbers: computed once per task (`needOf`), so the retry loop's
 * first check — against the freed maxima, for every waiting shape after most completions — reads
 * one small object of one shape instead of the task's optional fields.
 */
export interface Need {
  cpu: number;
  mem: number;
  /** Index into KINDS, -1 for a task without accelerators. */
  kind: number;
  /** 0 no accelerator, 1 a share, 2 whole devices, 3 a partition profile. */
  mode: number;
  milli: number;
  devMem: number;
  count: number;
  profile: string;
}

/** A task's need (see Need). */
export function needOf(t: Task): Need {
  const a = t.accel;
  if (!a) return { cpu: t.cpuMilli, mem: t.memoryMiB, kind: -1, mode: 0, milli: 0, devMem: 0, count: 0, profile: '' };
  const mode = a.profile ? 3 : a.milli >= 1000 || a.exclusive ? 2 : 1;
  return { cpu: t.cpuMilli, mem: t.memoryMiB, kind: kindIndex(a.kind), mode, milli: a.milli, devMem: a.memoryMiB, count: a.count, profile: a.profile ?? '' };
}

interface DevFree {
  id: string;
  kind: string;
  vendor: string;
  model: string;
  precisions: string[];
  mode: 'exclusive' | 'time-slice' | 'partition';
  /** Milli capacity: 1000, or the oversubscription for time-slice devices. */
  cap: number;
  used: number;
  memCap: number;
  memUsed: number;
  /** Tasks holding a part of the device. */
  holders: number;
  maxSlices: number;
  profiles: Map<string, { milli: number; memoryMiB: number; maxCount: number; used: number }> | null;
  healthy: boolean;
}

interface NodeFree {
  arch: string;
  form: string;
  healthy: boolean;
  cpuFree: number;
  memFree: number;
  devices: DevFree[];
}

/**
 * The most any freed node offered when it was marked, per dimension and device kind: a request
 * above it cannot fit on any freed node (capacity marked since only shrank, or was marked again
 * and raised these). Stale-high values only make a "maybe" more likely, never a wrong "no".
 */
interface FreedMax {
  cpu: number;
  mem: number;
  /** Per device kind (index into KINDS): most fully free devices on one node, most share and memory free on one shareable device, profiles with a free instance; −1 / empty = none. */
  whole: number[];
  frac: number[];
  fracMem: number[];
  profiles: Set<string>[];
}

const noneFreed = (): FreedMax => ({ cpu: -1, mem: -1, whole: KINDS.map(() => -1), frac: KINDS.map(() => -1), fracMem: KINDS.map(() => -1), profiles: KINDS.map(() => new Set<string>()) });

/** Per-node free capacity and the set of nodes that gained capacity since the last `clearFreed()`. */
export class FreedNodes {
  private nodes = new Map<string, NodeFree>();
  private freed = new Set<string>();
  private max: FreedMax = noneFreed();
  /** Fully free devices per kind on the node being marked (reused: a mark follows most completions). */
  private readonly wholeScratch = KINDS.map(() => 0);

  /** Number of nodes that gained capacity since the last clear. */
  get count(): number {
    return this.freed.size;
  }
  /** Mirror a node added to the engine (it counts as freed). */
  add(n: NodeInput): void {
    this.nodes.set(n.id, {
      arch: n.arch ?? 'x86_64', form: n.form ?? 'hardware', healthy: (n.health ?? 'healthy') === 'healthy', cpuFree: n.cpuMilli, memFree: n.memoryMiB,
      devices: (n.devices ?? []).map((d) => {
        const s = d.sharing;
        return {
          id: d.id, kind: d.kind, vendor: d.vendor, model: d.model, precisions: Object.keys(d.throughput ?? {}),
          mode: s?.mode ?? 'exclusive', cap: s?.mode === 'time-slice' ? (s.oversubscription ?? 1000) : 1000, used: 0,
          memCap: d.memoryMiB, memUsed: 0, holders: 0, maxSlices: s?.mode === 'time-slice' ? (s.maxSlices ?? 16) : 1,
          profiles: s?.mode === 'partition' ? new Map(s.profiles.map((p) => [p.name, { milli: p.milli, memoryMiB: p.memoryMiB, maxCount: p.maxCount, used: 0 }])) : null,
          healthy: (d.health ?? 'healthy') === 'healthy',
        };
      }),
    });
    this.mark(n.id);
  }
  /** Forget a removed node. */
  remove(id: string): void {
    this.nodes.delete(id);
    this.freed.delete(id);
  }
  /** Mirror a node health change; a repair counts as freed capacity. */
  setNodeHealth(id: string, healthy: boolean): void {
    const n = this.nodes.get(id);
    if (!n) return;
    n.healthy = healthy;
    if (healthy) this.mark(id);
  }
  /** Mirror a device health change; a repair counts as freed capacity. */
  setDeviceHealth(id: string, deviceId: string, healthy: boolean): void {
    const d = this.nodes.get(id)?.devices.find((x) => x.id === deviceId);
    if (!d) return;
    d.healthy = healthy;
    if (healthy) this.mark(id);
  }
  /** Charge (sign 1) or free (sign −1) a binding; freeing marks the node. */
  charge(nodeId: string, cpu: number, mem: number, devices: ReadonlyArray<{ deviceId: string; milli: number; memoryMiB: number; profile?: string }>, sign: 1 | -1): void {
    const n = this.nodes.get(nodeId);
    if (!n) return;
    n.cpuFree -= sign * cpu;
    n.memFree -= sign * mem;
    for (const b of devices) {
      const d = n.devices.find((x) => x.id === b.deviceId);
      if (!d) continue;
      d.used += sign * b.milli;
      d.memUsed += sign * b.memoryMiB;
      d.holders += sign;
      if (b.profile && d.profiles) {
        const p = d.profiles.get(b.profile);
        if (p) p.used += sign;
      }
    }
    if (sign < 0) this.mark(nodeId);
  }
  /** Start a new retry window. */
  clearFreed(): void {
    this.freed.clear();
    this.max = noneFreed();
  }
  /** Node `id` gained capacity: add it to the freed set and raise the maxima to what it offers now. */
  private mark(id: string): void {
    this.freed.add(id);
    const n = this.nodes.get(id);
    if (!n || !n.healthy) return;
    const m = this.max;
    m.cpu = Math.max(m.cpu, n.cpuFree);
    m.mem = Math.max(m.mem, n.memFree);
    const whole = this.wholeScratch;
    whole.fill(0);
    for (const d of n.devices) {
      const k = kindIndex(d.kind);
      if (!d.healthy || k < 0) continue;
      if (d.holders === 0 && d.used === 0 && d.memUsed === 0) whole[k]++;
      if (d.mode === 'time-slice' && d.holders < d.maxSlices) {
        m.frac[k] = Math.max(m.frac[k], d.cap - d.used);
        m.fracMem[k] = Math.max(m.fracMem[k], d.memCap - d.memUsed);
      }
      if (d.profiles) for (const [name, p] of d.profiles) if (p.used < p.maxCount && p.milli <= d.cap - d.used && p.memoryMiB <= d.memCap - d.memUsed) m.profiles[k].add(name);
    }
    for (let k = 0; k < KINDS.length; k++) m.whole[k] = Math.max(m.whole[k], whole[k]);
  }
  /** Necessary condition for `t` (whose need is `need`) to fit on some freed node. */
  mayFitFreed(t: Task, need: Need = needOf(t)): boolean {
    // the maxima rule out most requests at once; the rest are checked node by node
    const m = this.max;
    if (need.cpu > m.cpu || need.mem > m.mem) return false;
    if (need.mode !== 0) {
      const k = need.kind;
      if (k < 0) return false;
      if (need.mode === 3) {
        if (!m.profiles[k].has(need.profile)) return false;
      } else if (need.mode === 2) {
        if (m.whole[k] < need.count) return false;
      } else if (m.frac[k] < need.milli || m.fracMem[k] < need.devMem) return false;
    }
    for (const id of this.freed) {
      const n = this.nodes.get(id);
      if (n && mayFit(t, n)) return true;
    }
    return false;
  }
}

function mayFit(t: Task, n: NodeFree): boolean {
  if (!n.healthy || t.cpuMilli > n.cpuFree || t.memoryMiB > n.memFree) return false;
  if (t.arch && !t.arch.includes(n.arch as never)) return false;
  if (t.form && !t.form.includes(n.form as never)) return false;
  const a = t.accel;
  if (!a) return true;
  const whole = a.milli >= 1000 || a.exclusive;
  const need = a.profile ? 1 : whole ? a.count : 1;
  let ok = 0;
  for (const d of n.devices) {
    if (!d.healthy || d.kind !== a.kind) continue;
    if (a.models && !a.models.includes(d.model)) continue;
    if (a.vendors && !a.vendors.includes(d.vendor)) continue;
    if (a.precision && !d.precisions.includes(a.precision)) continue;
    if (a.profile) {
      // A partition instance: the profile offered, an instance left, its share and memory free.
      const p = d.profiles?.get(a.profile);
      if (!p || p.used >= p.maxCount || p.milli > d.cap - d.used || p.memoryMiB > d.memCap - d.memUsed || a.memoryMiB > p.memoryMiB) continue;
    } else if (whole) {
      // A whole device: nobody on it.
      if (d.holders > 0 || d.used > 0 || d.memUsed > 0 || a.memoryMiB > d.memCap) continue;
    } else {
      // A share: time-sliced devices only, a slice left, the share and the memory free.
      if (d.mode !== 'time-slice' || d.holders >= d.maxSlices || a.milli > d.cap - d.used || a.memoryMiB > d.memCap - d.memUsed) continue;
    }
    if (++ok >= need) return true;
  }
  return false;
}
