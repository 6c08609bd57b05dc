/**
 * The resource catalogue (§12a, §6i): the pool as one global view grouped by kind, vendor,
 * model, architecture and form, with capacity and free amounts in base units.
 */
import type { Device, Node } from '../model/types.js';
import type { Catalog, CatalogEntry } from './types.js';

/** What the catalogue needs to know about one node (read from the engine's columns). */
export interface CatalogSource {
  node: Node;
  cpuMilliFree: number;
  memoryMiBFree: number;
  devices: { device: Device; milliCapacity: number; milliFree: number; memoryMiBFree: number }[];
}

export function buildCatalog(sources: Iterable<CatalogSource>): Catalog {
  const groups = new Map<string, CatalogEntry & { nodeIds: Set<string>; prec: Set<string> }>();
  const totals = { nodes: 0, healthyNodes: 0, devices: 0, cpuMilli: 0, cpuMilliFree: 0, memoryMiB: 0, memoryMiBFree: 0 };
  const entry = (kind: CatalogEntry['kind'], vendor: string, model: string, n: Node) => {
    const key = JSON.stringify([kind, vendor, model, n.arch, n.form]);
    let g = groups.get(key);
    if (!g) {
      g = { kind, vendor, model, arch: n.arch, form: n.form, nodes: 0, devices: 0, healthyDevices: 0, milliCapacity: 0, milliFree: 0, memoryMiBCapacity: 0, memoryMiBFree: 0, precisions: [], nodeIds: new Set(), prec: new Set() };
      groups.set(key, g);
    }
    if (!g.nodeIds.has(n.id)) {
      g.nodeIds.add(n.id);
      g.nodes++;
    }
    return g;
  };
  for (const s of sources) {
    const n = s.node;
    totals.nodes++;
    if (n.health === 'healthy') totals.healthyNodes++;
    totals.cpuMilli += n.cpuMilli;
    totals.cpuMilliFree += s.cpuMilliFree;
    totals.memoryMiB += n.memoryMiB;
    totals.memoryMiBFree += s.memoryMiBFree;
    const cpu = entry('cpu', n.labels?.['hetpool.io/cpu.vendor'] ?? '', n.labels?.['hetpool.io/cpu.model'] ?? '', n);
    cpu.milliCapacity += n.cpuMilli;
    cpu.milliFree += s.cpuMilliFree;
    cpu.memoryMiBCapacity += n.memoryMiB;
    cpu.memoryMiBFree += s.memoryMiBFree;
    for (const d of s.devices) {
      totals.devices++;
      const g = entry(d.device.kind, d.device.vendor, d.device.model, n);
      g.devices++;
      if (d.device.health === 'healthy') g.healthyDevices++;
      g.milliCapacity += d.milliCapacity;
      g.milliFree += d.milliFree;
      g.memoryMiBCapacity += d.device.memoryMiB;
      g.memoryMiBFree += d.memoryMiBFree;
      for (const [p, v] of Object.entries(d.device.throughput ?? {})) if (typeof v === 'number' && v > 0) g.prec.add(p);
    }
  }
  const order = (e: CatalogEntry) => JSON.stringify([e.kind === 'cpu' ? 0 : 1, e.kind, e.vendor, e.model, e.arch, e.form]);
  const entries = [...groups.values()].map(({ nodeIds: _n, prec, ...e }) => ({ ...e, precisions: [...prec].sort() }));
  entries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { entries, totals };
}
