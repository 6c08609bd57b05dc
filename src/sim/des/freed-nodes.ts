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
  /** Per device kind: most fully free devices on one node, most share and memory free on one shareable device, profiles with a free instance. */
  kinds: Map<string, { whole: number; frac: number; fracMem: number; profiles: Set<string> }>;
}

/** Per-node free capacity and the set of nodes that gained capacity since the last `clearFreed()`. */
export class FreedNodes {
  private nodes = new Map<string, NodeFree>();
  private freed = new Set<string>();
  private max: FreedMax = { cpu: -1, mem: -1, kinds: new Map() };

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
    this.max = { cpu: -1, mem: -1, kinds: new Map() };
  }
  /** Node `id` gained capacity: add it to the freed set and raise the maxima to what it offers now. */
  private mark(id: string): void {
    this.freed.add(id);
    const n = this.nodes.get(id);
    if (!n || !n.healthy) return;
    const m = this.max;
    m.cpu = Math.max(m.cpu, n.cpuFree);
    m.mem = Math.max(m.mem, n.memFree);
    const whole = new Map<string, number>();
    for (const d of n.devices) {
      if (!d.healthy) continue;
      let k = m.kinds.get(d.kind);
      if (!k) m.kinds.set(d.kind, (k = { whole: 0, frac: -1, fracMem: -1, profiles: new Set() }));
      if (d.holders === 0 && d.used === 0 && d.memUsed === 0) whole.set(d.kind, (whole.get(d.kind) ?? 0) + 1);
      if (d.mode === 'time-slice' && d.holders < d.maxSlices) {
        k.frac = Math.max(k.frac, d.cap - d.used);
        k.fracMem = Math.max(k.fracMem, d.memCap - d.memUsed);
      }
      if (d.profiles) for (const [name, p] of d.profiles) if (p.used < p.maxCount && p.milli <= d.cap - d.used && p.memoryMiB <= d.memCap - d.memUsed) k.profiles.add(name);
    }
    for (const [kind, c] of whole) {
      const k = m.kinds.get(kind)!;
      k.whole = Math.max(k.whole, c);
    }
  }
  /** Necessary condition for `t` to fit on some freed node. */
  mayFitFreed(t: Task): boolean {
    // the maxima rule out most requests at once; the rest are checked node by node
    const m = this.max;
    if (t.cpuMilli > m.cpu || t.memoryMiB > m.mem) return false;
    const a = t.accel;
    if (a) {
      const k = m.kinds.get(a.kind);
      if (!k) return false;
      if (a.profile) {
        if (!k.profiles.has(a.profile)) return false;
      } else if (a.milli >= 1000 || a.exclusive) {
        if (k.whole < a.count) return false;
      } else if (k.frac < a.milli || k.fracMem < a.memoryMiB) return false;
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
