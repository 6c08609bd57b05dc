/**
 * Free capacity of each node as the top level of a hierarchy sees it, kept from the nodes it
 * added and the bindings its domains returned (no round trip to a domain engine), and the
 * per-domain summaries computed from it (§9.2g: the top level routes on summaries).
 *
 * Charging mirrors the engine's (src/engine/engine.ts, charge): CPU and memory by the task's
 * request; a whole device takes all of its share; a fraction takes its milli; a partition
 * instance takes its profile's milli. Device share capacity is 1000 milli, or the
 * oversubscription for a time-slice device (src/engine/encoding.ts, sharingOf).
 */
import { takesWholeDevices } from '../engine/encoding.js';
import type { Binding } from '../engine/types.js';
import type { DeviceKind, Node, Task } from '../model/types.js';

/** One device's place in the ledger. */
interface DeviceRec {
  id: string;
  group: string;
  usable: boolean;
  cap: number;
  free: number;
}

/** One node's place in the ledger. */
export interface NodeRec {
  node: Node;
  domain: string;
  usable: boolean;
  cpuFree: number;
  memFree: number;
  devices: Map<string, DeviceRec>;
}

/** Free devices of one kind, vendor and model in a domain. */
export interface DeviceGroupSummary {
  kind: DeviceKind;
  vendor: string;
  model: string;
  /** Healthy devices on usable nodes. */
  devices: number;
  /** Devices nothing is bound to (a whole-device request can take them). */
  wholeFree: number;
  /** Σ free share, milli. */
  milliFree: number;
  /** The largest free share of one device, milli (a fractional request needs at most this). */
  largestFreeMilli: number;
  /** The most untouched devices of this group on one node (a k-device request needs k on one node). */
  largestWholeFreeOnNode: number;
}

/**
 * What the top level knows of a domain. Counts only usable nodes (healthy and schedulable) and
 * their healthy devices: what can take new work.
 */
export interface DomainSummary {
  domain: string;
  nodes: number;
  usableNodes: number;
  cpuMilliFree: number;
  memoryMiBFree: number;
  /** The most free CPU / memory on one usable node. */
  largestCpuMilliFree: number;
  largestMemoryMiBFree: number;
  /** Per kind/vendor/model, sorted by kind, vendor, model. */
  devices: DeviceGroupSummary[];
  archs: string[];
  forms: string[];
  sites: string[];
  running: number;
}

const groupKey = (kind: string, vendor: string, model: string): string => `${kind}\u0000${vendor}\u0000${model}`;

/** Share capacity of a device in milli (engine: sharingOf). */
function shareCap(d: Node['devices'][number]): number {
  return d.sharing.mode === 'time-slice' ? d.sharing.oversubscription : 1000;
}

/** The ledger of all nodes of a hierarchy, with dirty tracking per domain. */
export class Ledger {
  readonly nodes = new Map<string, NodeRec>();
  private readonly byDomain = new Map<string, Set<NodeRec>>();
  private readonly runningByDomain = new Map<string, number>();
  private readonly summaries = new Map<string, DomainSummary>();
  private readonly dirty = new Set<string>();

  /** Record a (validated) node of `domain`. */
  add(node: Node, domain: string): void {
    const devices = new Map<string, DeviceRec>();
    for (const d of node.devices) {
      const cap = shareCap(d);
      devices.set(d.id, { id: d.id, group: groupKey(d.kind, d.vendor, d.model), usable: d.health === 'healthy', cap, free: cap });
    }
    const rec: NodeRec = { node, domain, usable: node.health === 'healthy' && node.schedulable, cpuFree: node.cpuMilli, memFree: node.memoryMiB, devices };
    this.nodes.set(node.id, rec);
    let set = this.byDomain.get(domain);
    if (!set) this.byDomain.set(domain, (set = new Set()));
    set.add(rec);
    this.dirty.add(domain);
  }

  /** Forget a node (its tasks were released or displaced first). */
  remove(id: string): void {
    const rec = this.nodes.get(id);
    if (!rec) return;
    this.nodes.delete(id);
    this.byDomain.get(rec.domain)?.delete(rec);
    this.dirty.add(rec.domain);
  }

  /** Charge (sign 1) or give back (sign -1) what a bound task holds. */
  charge(task: Task, b: Binding, sign: 1 | -1): void {
    const rec = this.nodes.get(b.nodeId);
    if (!rec) return;
    rec.cpuFree -= sign * task.cpuMilli;
    rec.memFree -= sign * task.memoryMiB;
    const whole = takesWholeDevices(task);
    for (const bd of b.devices) {
      const d = rec.devices.get(bd.deviceId);
      if (!d) continue;
      if (whole && bd.profile === undefined) d.free = sign > 0 ? 0 : d.cap;
      else d.free -= sign * bd.milli;
    }
    this.runningByDomain.set(rec.domain, (this.runningByDomain.get(rec.domain) ?? 0) + sign);
    this.dirty.add(rec.domain);
  }

  domainOfNode(id: string): string | undefined {
    return this.nodes.get(id)?.domain;
  }

  domains(): string[] {
    return [...this.byDomain.keys()].sort();
  }

  /** The summary of a domain, recomputed if anything changed in it since the last call. */
  summary(domain: string): DomainSummary {
    let s = this.summaries.get(domain);
    if (s && !this.dirty.has(domain)) return s;
    s = this.compute(domain);
    this.summaries.set(domain, s);
    this.dirty.delete(domain);
    return s;
  }

  private compute(domain: string): DomainSummary {
    const s: DomainSummary = {
      domain, nodes: 0, usableNodes: 0, cpuMilliFree: 0, memoryMiBFree: 0, largestCpuMilliFree: 0, largestMemoryMiBFree: 0,
      devices: [], archs: [], forms: [], sites: [], running: this.runningByDomain.get(domain) ?? 0,
    };
    const groups = new Map<string, DeviceGroupSummary>();
    const archs = new Set<string>();
    const forms = new Set<string>();
    const sites = new Set<string>();
    for (const r of this.byDomain.get(domain) ?? []) {
      s.nodes++;
      if (!r.usable) continue;
      s.usableNodes++;
      s.cpuMilliFree += r.cpuFree;
      s.memoryMiBFree += r.memFree;
      if (r.cpuFree > s.largestCpuMilliFree) s.largestCpuMilliFree = r.cpuFree;
      if (r.memFree > s.largestMemoryMiBFree) s.largestMemoryMiBFree = r.memFree;
      archs.add(r.node.arch);
      forms.add(r.node.form);
      if (r.node.site !== undefined) sites.add(r.node.site);
      const onNode = new Map<DeviceGroupSummary, number>();
      r.node.devices.forEach((dev) => {
        const d = r.devices.get(dev.id) as DeviceRec;
        if (!d.usable) return;
        let g = groups.get(d.group);
        if (!g) groups.set(d.group, (g = { kind: dev.kind, vendor: dev.vendor, model: dev.model, devices: 0, wholeFree: 0, milliFree: 0, largestFreeMilli: 0, largestWholeFreeOnNode: 0 }));
        g.devices++;
        if (d.free === d.cap) {
          g.wholeFree++;
          onNode.set(g, (onNode.get(g) ?? 0) + 1);
        }
        g.milliFree += d.free;
        if (d.free > g.largestFreeMilli) g.largestFreeMilli = d.free;
      });
      for (const [g, k] of onNode) if (k > g.largestWholeFreeOnNode) g.largestWholeFreeOnNode = k;
    }
    s.devices = [...groups.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.vendor < b.vendor ? -1 : a.vendor > b.vendor ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    s.archs = [...archs].sort();
    s.forms = [...forms].sort();
    s.sites = [...sites].sort();
    return s;
  }
}
