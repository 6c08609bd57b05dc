/**
 * Device sets inside one node (§9.2a): the pairwise "affinity class + bandwidth + latency"
 * matrix of a node's devices, derived from the graph once per node and re-derived when a link of
 * that node changes, and the choice of the best k free devices through the topology kernel.
 *
 * Affinity class of a device pair (lower is better):
 *   0 island        joined by NVLink / NVSwitch / HCCS / xGMI links (usable, inside the node)
 *   1 pcie-switch   attached to the same PCIe switch vertex
 *   2 numa          reach the same NUMA vertex through PCIe links
 *   3 cross-socket  any other usable path inside the node
 * A direct link between two devices of a PCIe-family type counts as the class it names (how
 * `nvidia-smi topo -m` reports paths): pcie-switch/pcie → 1, pcie-host-bridge/numa → 2, smp → 3.
 *   4 no-path       no usable path inside the node: never chosen together
 * Bandwidth and latency of a pair are those of the widest path inside the node (graph.ts).
 */
import { HetpoolError } from '../model/errors.js';
import type { LinkType } from '../model/topology.js';
import { type TopologyKernels, createTopologyKernels } from '../core/topology.js';
import { MAX_DEVICES, MAX_PAIR_LATENCY_NS, STATUS_BAD_INPUT, STATUS_OK } from '../reference/topology.js';
import { AFFINITY_NAMES, Affinity, BW_UNLIMITED } from './constants.js';
import type { TopologyGraph } from './graph.js';

const ISLAND_LINKS: ReadonlySet<LinkType> = new Set(['nvlink', 'nvswitch', 'hccs', 'xgmi']);
const PCIE_LINKS: ReadonlySet<LinkType> = new Set(['pcie', 'pcie-switch', 'pcie-host-bridge', 'numa']);
const DIRECT_CLASS: Partial<Record<LinkType, number>> = {
  'pcie-switch': Affinity.pcieSwitch,
  pcie: Affinity.pcieSwitch,
  'pcie-host-bridge': Affinity.numa,
  numa: Affinity.numa,
  smp: Affinity.crossSocket,
};

/** The pairwise matrix of one node's devices (row-major n×n). */
export interface DeviceMatrix {
  readonly node: string;
  /** Device ids (`n1/gpu0`) in matrix order (topology order). */
  readonly devices: readonly string[];
  readonly n: number;
  readonly cls: Uint8Array;
  /** Mbps; BW_UNLIMITED on the diagonal. */
  readonly bw: Int32Array;
  /** ns, clamped to MAX_PAIR_LATENCY_NS. */
  readonly lat: Int32Array;
  /** Graph node version it was derived at. */
  readonly version: number;
}

const matrices = new WeakMap<TopologyGraph, Map<number, DeviceMatrix>>();

/** The device matrix of `node` (cached per node; re-derived after a change to one of its links). */
export function deviceMatrix(g: TopologyGraph, node: string, avoid?: ReadonlySet<number>): DeviceMatrix {
  const n = g.requireSlot(node, 'node');
  if (g.vertices[n].kind !== 'node') throw new HetpoolError('invalid-input', 'node', `"${node}" is a ${g.vertices[n].kind}, not a node`);
  if (avoid && [...avoid].some((l) => g.owner[g.linkA[l]] === n || g.owner[g.linkB[l]] === n)) return deriveMatrix(g, n, avoid);
  let perGraph = matrices.get(g);
  if (!perGraph) {
    perGraph = new Map();
    matrices.set(g, perGraph);
  }
  const c = perGraph.get(n);
  if (c && c.version === g.nodeVersion[n]) return c;
  const m = deriveMatrix(g, n);
  perGraph.set(n, m);
  return m;
}

function deriveMatrix(g: TopologyGraph, n: number, avoid?: ReadonlySet<number>): DeviceMatrix {
  const owned = g.ownedBy(n);
  const devs = owned.filter((v) => g.vertices[v].kind === 'device');
  const k = devs.length;
  if (k > MAX_DEVICES) throw new HetpoolError('invalid-input', g.idOf(n), `node has ${k} devices; at most ${MAX_DEVICES} are supported`);
  // Islands: union-find over usable island links between vertices this node owns.
  const parent = new Map<number, number>();
  const find = (v: number): number => {
    let r = v;
    while ((parent.get(r) ?? r) !== r) r = parent.get(r)!;
    parent.set(v, r);
    return r;
  };
  for (const v of owned) {
    for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
      const l = g.adjLink[e];
      const w = g.adjTo[e];
      if (g.owner[w] !== n || w === n || !ISLAND_LINKS.has(g.linkType[l]) || !g.usable(l, avoid)) continue;
      const a = find(v);
      const b = find(w);
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    }
  }
  // PCIe switch and NUMA vertex of each device.
  const pcieSw = new Int32Array(k).fill(-1);
  const numa = new Int32Array(k).fill(-1);
  devs.forEach((d, i) => {
    let frontier = [d];
    const seen = new Set(frontier);
    while (frontier.length && numa[i] < 0) {
      const next: number[] = [];
      for (const v of frontier) {
        for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
          const l = g.adjLink[e];
          const w = g.adjTo[e];
          if (seen.has(w) || g.owner[w] !== n || w === n || !PCIE_LINKS.has(g.linkType[l]) || !g.usable(l, avoid)) continue;
          const kind = g.vertices[w].kind;
          if (kind === 'device') continue; // PCIe peer-to-peer goes through a switch, not a device
          seen.add(w);
          if (kind === 'pcie-switch' && v === d && (pcieSw[i] < 0 || w < pcieSw[i])) pcieSw[i] = w;
          if (kind === 'numa' && (numa[i] < 0 || w < numa[i])) numa[i] = w;
          next.push(w);
        }
      }
      frontier = next.sort((a, b) => a - b);
    }
  });
  // Direct device–device links of PCIe-family types are path classes as `nvidia-smi topo -m`
  // reports them (PIX → pcie-switch, PXB → pcie, PHB → pcie-host-bridge, NODE → numa, SYS → smp).
  const hint = new Map<number, number>();
  const devIndex = new Map(devs.map((v, i) => [v, i]));
  devs.forEach((d, i) => {
    for (let e = g.adjStart[d]; e < g.adjStart[d + 1]; e++) {
      const j = devIndex.get(g.adjTo[e]);
      const l = g.adjLink[e];
      if (j === undefined || j <= i || !g.usable(l, avoid)) continue;
      const c = DIRECT_CLASS[g.linkType[l]];
      if (c === undefined) continue;
      const key = i * k + j;
      hint.set(key, Math.min(hint.get(key) ?? c, c));
    }
  });
  const cls = new Uint8Array(k * k);
  const bw = new Int32Array(k * k);
  const lat = new Int32Array(k * k);
  for (let i = 0; i < k; i++) {
    bw[i * k + i] = BW_UNLIMITED;
    for (let j = i + 1; j < k; j++) {
      const p = g.pathSlots(devs[i], devs[j], n, avoid);
      let c: number;
      if (!p) c = Affinity.noPath;
      else if (find(devs[i]) === find(devs[j])) c = Affinity.island;
      else if (pcieSw[i] >= 0 && pcieSw[i] === pcieSw[j]) c = Affinity.pcieSwitch;
      else if (numa[i] >= 0 && numa[i] === numa[j]) c = Affinity.numa;
      else c = Affinity.crossSocket;
      if (p) c = Math.min(c, hint.get(i * k + j) ?? c);
      const b = p ? p.bottleneckMbps : 0;
      const l = p ? Math.min(p.latencyNs, MAX_PAIR_LATENCY_NS) : MAX_PAIR_LATENCY_NS;
      cls[i * k + j] = cls[j * k + i] = c;
      bw[i * k + j] = bw[j * k + i] = b;
      lat[i * k + j] = lat[j * k + i] = l;
    }
  }
  return { node: g.idOf(n), devices: devs.map((v) => g.idOf(v)), n: k, cls, bw, lat, version: g.nodeVersion[n] };
}

/** The chosen set, with its key explained. */
export interface DeviceSetChoice {
  node: string;
  /** Full device ids, in matrix order. */
  devices: string[];
  indices: number[];
  /** Worst pairwise affinity class and its name. */
  affinity: (typeof AFFINITY_NAMES)[number];
  affinityClass: number;
  /** Min pairwise bandwidth (Gbps; Infinity for one device) and sum of pairwise latency (µs). */
  bottleneckGbps: number;
  latencySumUs: number;
}

let shared: TopologyKernels | undefined;
/** The process-wide kernels used when a caller passes none. */
export function defaultKernels(): TopologyKernels {
  shared ??= createTopologyKernels();
  return shared;
}

/**
 * Choose `k` devices of `node` among `free` (device ids, full `n1/gpu0` or short `gpu0`; default
 * all) with the best interconnect. Returns undefined when no k free devices can work together.
 * `avoid`: link indices treated as down for this choice.
 */
export function chooseDeviceSet(
  g: TopologyGraph, node: string, k: number, free?: readonly string[], kernels: TopologyKernels = defaultKernels(), avoid?: ReadonlySet<number>,
): DeviceSetChoice | undefined {
  if (!Number.isInteger(k) || k < 1) throw new HetpoolError('invalid-input', 'k', `must be an integer ≥ 1, got ${k}`);
  const m = deviceMatrix(g, node, avoid);
  const flags = new Uint8Array(m.n);
  if (free === undefined) flags.fill(1);
  else {
    free.forEach((id, i) => {
      const full = id.includes('/') ? id : `${node}/${id}`;
      const at = m.devices.indexOf(full);
      if (at < 0) throw new HetpoolError('not-found', `free[${i}]`, `device "${id}" is not on node "${node}"`);
      flags[at] = 1;
    });
  }
  if (k > m.n) return undefined;
  const out = new Int32Array(k);
  const r = kernels.bestDeviceSet(m.n, k, m.cls, m.bw, m.lat, flags, out);
  if (r.status === STATUS_BAD_INPUT) throw new HetpoolError('internal', 'bestDeviceSet', `kernel rejected its input (n=${m.n}, k=${k})`);
  if (r.status !== STATUS_OK) return undefined;
  const indices = Array.from(out);
  return {
    node: m.node,
    devices: indices.map((i) => m.devices[i]),
    indices,
    affinity: AFFINITY_NAMES[r.cls],
    affinityClass: r.cls,
    bottleneckGbps: r.bw === BW_UNLIMITED ? Infinity : r.bw / 1000,
    latencySumUs: r.lat / 1000,
  };
}
