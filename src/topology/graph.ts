/**
 * The topology graph (§9.2a: one topology API for every interconnect, §6e): devices, NUMA nodes,
 * PCIe switches, NVLink/NVSwitch/HCCS/xGMI domains inside a node; NICs, leaf and spine switches,
 * racks, zones, sites and regions across nodes. Built once from validated model data
 * (src/model/topology.ts); the structure is fixed, link attributes (state, bandwidth, loss) change
 * through `updateLink` (see links.ts).
 *
 * Ids: `<nodeId>/<anything>` belongs to node `<nodeId>` (its devices, NUMA nodes, PCIe switches,
 * NICs); everything else is fabric. A missing node vertex is implied (see createTopology). Queries return the widest path: the path whose narrowest link
 * is widest (max over paths of the min link bandwidth), and among those the one with the least
 * latency, then the fewest hops. Down links are never used; degraded ones count at the factors in
 * constants.ts.
 */
import { HetpoolError } from '../model/errors.js';
import { type LinkState, type LinkType, type Topology, type TopologyVertex, TopologySchema } from '../model/topology.js';
import { parseWith } from '../model/validate.js';
import { BW_UNLIMITED, DEGRADED_BW_DEN, DEGRADED_BW_NUM, DEGRADED_LATENCY_FACTOR, LINK_DEFAULTS } from './constants.js';
import { VertexHeap } from './heap.js';

/** Link state as a small integer on the hot path. */
export const STATE_UP = 0;
export const STATE_DEGRADED = 1;
export const STATE_DOWN = 2;
const STATE_CODE: Record<LinkState, number> = { up: STATE_UP, degraded: STATE_DEGRADED, down: STATE_DOWN };
const STATE_NAME: LinkState[] = ['up', 'degraded', 'down'];

/** One link as callers see it: nominal and effective (after state and loss) quality. */
export interface LinkInfo {
  index: number;
  a: string;
  b: string;
  type: LinkType;
  state: LinkState;
  bandwidthGbps: number;
  latencyUs: number;
  loss: number;
  lanes: number;
  /** Bandwidth after the degraded factor and loss; 0 when down. */
  effectiveGbps: number;
  effectiveLatencyUs: number;
}

/** The chosen path between two vertices. */
export interface PathResult {
  from: string;
  to: string;
  /** Vertex ids from `from` to `to`. */
  vertices: string[];
  /** Link indices along the path (into the topology's links). */
  links: number[];
  hops: number;
  /** Min effective bandwidth along the path, Gbps (Infinity for a vertex to itself). */
  bottleneckGbps: number;
  /** Sum of effective latencies along the path, µs. */
  latencyUs: number;
}

/** Options of a path search. */
export interface PathOptions {
  /** Stay inside this node (vertices it owns), e.g. device-to-device paths. */
  withinNode?: string;
  /** Links (by index) to treat as down for this query. */
  avoid?: ReadonlySet<number>;
}

/** A gang placement as link events need it: which nodes and (optionally) devices it holds. */
export interface PlacementRef {
  nodes: readonly string[];
  /** Full device ids (`n1/gpu0`) when known; lets intra-node link faults be traced precisely. */
  devices?: readonly string[];
}

/**
 * Validated, indexed topology. Create with {@link createTopology}.
 */
export class TopologyGraph {
  readonly vertices: readonly TopologyVertex[];
  /** Node-vertex slot owning each vertex, or -1 for fabric vertices. */
  readonly owner: Int32Array;
  readonly linkA: Int32Array;
  readonly linkB: Int32Array;
  readonly linkType: LinkType[];
  /** Nominal bandwidth Mbps, latency ns, loss ratio, state code, lanes. */
  readonly nominalMbps: Float64Array;
  readonly nominalLatNs: Float64Array;
  readonly loss: Float64Array;
  readonly state: Uint8Array;
  readonly lanes: Int32Array;
  /** Effective bandwidth (Mbps, integer, 0 when down) and latency (ns, integer). */
  readonly effMbps: Int32Array;
  readonly effLatNs: Int32Array;
  /** CSR adjacency: for vertex v, entries adjStart[v]..adjStart[v+1] in adjLink/adjTo. */
  readonly adjStart: Int32Array;
  readonly adjLink: Int32Array;
  readonly adjTo: Int32Array;
  /** Bumped on every link change; caches derived from link state compare it. */
  version = 0;
  /** Per vertex: bumped when a link touching a vertex owned by this node changes. */
  readonly nodeVersion: Int32Array;
  /** Gang placements that link events report on (gang id → placement). Maintained by callers. */
  readonly placements = new Map<string, PlacementRef>();
  private readonly slots = new Map<string, number>();
  private readonly nodeSlots: number[] = [];
  // Reusable search scratch (reset through `touched`).
  private readonly best: Float64Array;
  private readonly dist: Float64Array;
  private readonly prevLink: Int32Array;
  private readonly touched: number[] = [];
  private readonly heap = new VertexHeap();

  /** @internal use {@link createTopology}. */
  constructor(t: Topology) {
    this.vertices = t.vertices;
    const nv = t.vertices.length;
    t.vertices.forEach((v, i) => {
      const prev = this.slots.get(v.id);
      if (prev !== undefined) throw new HetpoolError('invalid-input', `vertices[${i}].id`, `duplicate vertex id "${v.id}" (also vertices[${prev}])`);
      this.slots.set(v.id, i);
    });
    this.owner = new Int32Array(nv).fill(-1);
    for (let i = 0; i < nv; i++) {
      const v = t.vertices[i];
      if (v.kind === 'node') {
        this.owner[i] = i;
        this.nodeSlots.push(i);
        continue;
      }
      const cut = v.id.indexOf('/');
      if (cut > 0) {
        const o = this.slots.get(v.id.slice(0, cut));
        if (o !== undefined && t.vertices[o].kind === 'node') this.owner[i] = o;
      }
    }
    const ne = t.links.length;
    this.linkA = new Int32Array(ne);
    this.linkB = new Int32Array(ne);
    this.linkType = new Array<LinkType>(ne);
    this.nominalMbps = new Float64Array(ne);
    this.nominalLatNs = new Float64Array(ne);
    this.loss = new Float64Array(ne);
    this.state = new Uint8Array(ne);
    this.lanes = new Int32Array(ne);
    this.effMbps = new Int32Array(ne);
    this.effLatNs = new Int32Array(ne);
    const degree = new Int32Array(nv + 1);
    t.links.forEach((l, i) => {
      const a = this.slots.get(l.a);
      if (a === undefined) throw new HetpoolError('invalid-input', `links[${i}].a`, `unknown vertex "${l.a}"`);
      const b = this.slots.get(l.b);
      if (b === undefined) throw new HetpoolError('invalid-input', `links[${i}].b`, `unknown vertex "${l.b}"`);
      if (a === b) throw new HetpoolError('invalid-input', `links[${i}].b`, `must differ from a ("${l.a}"): a link joins two vertices`);
      // A device reaches memory and sockets over PCIe: a `numa`/`smp` link touching a device (as
      // `nvidia-smi topo -m` reports NUMA affinity and SYS paths) defaults to PCIe figures.
      const viaPcie = (l.type === 'numa' || l.type === 'smp') && (t.vertices[a].kind === 'device' || t.vertices[b].kind === 'device');
      const d = LINK_DEFAULTS[viaPcie ? 'pcie' : l.type];
      this.linkA[i] = a;
      this.linkB[i] = b;
      this.linkType[i] = l.type;
      this.lanes[i] = l.lanes ?? d.lanes;
      this.nominalMbps[i] = Math.round((l.bandwidthGbps ?? d.gbpsPerLane * (l.lanes ?? d.lanes)) * 1000);
      this.nominalLatNs[i] = Math.round((l.latencyUs ?? d.latencyUs) * 1000);
      this.loss[i] = l.loss ?? 0;
      this.state[i] = STATE_CODE[l.state];
      this.refreshEffective(i);
      degree[a]++;
      degree[b]++;
    });
    this.adjStart = new Int32Array(nv + 1);
    for (let v = 0; v < nv; v++) this.adjStart[v + 1] = this.adjStart[v] + degree[v];
    this.adjLink = new Int32Array(2 * ne);
    this.adjTo = new Int32Array(2 * ne);
    const fill = this.adjStart.slice(0, nv);
    for (let i = 0; i < ne; i++) {
      const a = this.linkA[i];
      const b = this.linkB[i];
      this.adjLink[fill[a]] = i;
      this.adjTo[fill[a]++] = b;
      this.adjLink[fill[b]] = i;
      this.adjTo[fill[b]++] = a;
    }
    this.nodeVersion = new Int32Array(nv);
    this.best = new Float64Array(nv).fill(-1);
    this.dist = new Float64Array(nv).fill(Infinity);
    this.prevLink = new Int32Array(nv).fill(-1);
  }

  /** Number of vertices / links. */
  get vertexCount(): number {
    return this.vertices.length;
  }
  get linkCount(): number {
    return this.linkA.length;
  }
  /** Slot of a vertex id, or undefined. */
  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }
  /** Slot of a vertex id; HetpoolError('not-found') naming `path` when absent. */
  requireSlot(id: string, path: string): number {
    const s = this.slots.get(id);
    if (s === undefined) throw new HetpoolError('not-found', path, `unknown topology vertex "${id}"`);
    return s;
  }
  idOf(slot: number): string {
    return this.vertices[slot].id;
  }
  /** Slots of all node vertices, in input order. */
  nodes(): readonly number[] {
    return this.nodeSlots;
  }
  /** Vertices owned by node slot `n` (its devices, NUMA nodes, switches, NICs), excluding itself; ascending. */
  ownedBy(n: number): readonly number[] {
    if (!this.owned) {
      const m = new Map<number, number[]>();
      for (let v = 0; v < this.owner.length; v++) {
        const o = this.owner[v];
        if (o < 0 || o === v) continue;
        let list = m.get(o);
        if (!list) m.set(o, (list = []));
        list.push(v);
      }
      this.owned = m;
    }
    return this.owned.get(n) ?? [];
  }
  private owned: Map<number, number[]> | undefined;
  /** A link as callers see it. */
  link(i: number): LinkInfo {
    if (!(i >= 0 && i < this.linkCount)) throw new HetpoolError('not-found', 'link', `no link ${i}`);
    return {
      index: i,
      a: this.idOf(this.linkA[i]),
      b: this.idOf(this.linkB[i]),
      type: this.linkType[i],
      state: STATE_NAME[this.state[i]],
      bandwidthGbps: this.nominalMbps[i] / 1000,
      latencyUs: this.nominalLatNs[i] / 1000,
      loss: this.loss[i],
      lanes: this.lanes[i],
      effectiveGbps: this.effMbps[i] / 1000,
      effectiveLatencyUs: this.effLatNs[i] / 1000,
    };
  }
  /** Indices of the links joining vertices `a` and `b` (either direction). */
  linksBetween(a: string, b: string): number[] {
    const sa = this.slots.get(a);
    const sb = this.slots.get(b);
    if (sa === undefined || sb === undefined) return [];
    const out: number[] = [];
    for (let e = this.adjStart[sa]; e < this.adjStart[sa + 1]; e++) if (this.adjTo[e] === sb) out.push(this.adjLink[e]);
    return out.sort((x, y) => x - y);
  }

  /** Recompute effective bandwidth/latency of link `i` from its state and loss. */
  refreshEffective(i: number): void {
    const st = this.state[i];
    if (st === STATE_DOWN) {
      this.effMbps[i] = 0;
      this.effLatNs[i] = this.nominalLatNs[i];
      return;
    }
    let bw = this.nominalMbps[i] * (1 - this.loss[i]);
    let lat = this.nominalLatNs[i];
    if (st === STATE_DEGRADED) {
      bw = (bw * DEGRADED_BW_NUM) / DEGRADED_BW_DEN;
      lat *= DEGRADED_LATENCY_FACTOR;
    }
    this.effMbps[i] = Math.min(BW_UNLIMITED - 1, Math.floor(bw));
    this.effLatNs[i] = Math.min(0x7fffffff, Math.round(lat));
  }

  /** Whether link `i` may carry traffic in a query (not down, not avoided, bandwidth > 0). */
  usable(i: number, avoid?: ReadonlySet<number>): boolean {
    return this.state[i] !== STATE_DOWN && this.effMbps[i] > 0 && !(avoid && avoid.has(i));
  }

  /**
   * Widest path from `from` to `to` (vertex ids), or undefined when no path avoids down links.
   * Two passes, because "widest, then least latency" is not a single Dijkstra order: pass 1
   * finds the best bottleneck B* (max-min Dijkstra); pass 2 finds the least-latency path (then
   * fewest hops) using only links of effective bandwidth ≥ B*. O((V + E) log V) each.
   */
  path(from: string, to: string, opts: PathOptions = {}): PathResult | undefined {
    const s = this.requireSlot(from, 'from');
    const t = this.requireSlot(to, 'to');
    const within = opts.withinNode === undefined ? -1 : this.requireSlot(opts.withinNode, 'withinNode');
    const r = this.pathSlots(s, t, within, opts.avoid);
    if (!r) return undefined;
    return {
      from,
      to,
      vertices: r.vertices.map((v) => this.idOf(v)),
      links: r.links,
      hops: r.links.length,
      bottleneckGbps: r.bottleneckMbps === BW_UNLIMITED ? Infinity : r.bottleneckMbps / 1000,
      latencyUs: r.latencyNs / 1000,
    };
  }

  /** {@link path} on slots; `within` ≥ 0 restricts the search to vertices owned by that node. */
  pathSlots(s: number, t: number, within: number, avoid?: ReadonlySet<number>): { vertices: number[]; links: number[]; bottleneckMbps: number; latencyNs: number } | undefined {
    if (within >= 0 && (this.owner[s] !== within || this.owner[t] !== within)) return undefined;
    if (s === t) return { vertices: [s], links: [], bottleneckMbps: BW_UNLIMITED, latencyNs: 0 };
    const bstar = this.widestBottleneck(s, t, within, avoid);
    if (bstar <= 0) return undefined;
    // Pass 2: least latency (then fewest hops) over links with bandwidth ≥ B*. Key = ns·1024 + hops.
    const { dist, prevLink, heap, touched } = this;
    this.reset();
    heap.clear();
    dist[s] = 0;
    touched.push(s);
    heap.push(0, s);
    while (heap.size > 0) {
      const key = heap.topKey();
      const v = heap.pop();
      if (key > dist[v]) continue;
      if (v === t) break;
      for (let e = this.adjStart[v]; e < this.adjStart[v + 1]; e++) {
        const l = this.adjLink[e];
        const w = this.adjTo[e];
        if (!this.usable(l, avoid) || this.effMbps[l] < bstar) continue;
        if (within >= 0 && this.owner[w] !== within) continue;
        const nk = key + this.effLatNs[l] * 1024 + 1;
        if (nk < dist[w]) {
          if (dist[w] === Infinity) touched.push(w);
          dist[w] = nk;
          prevLink[w] = l;
          heap.push(nk, w);
        }
      }
    }
    const vertices = [t];
    const links: number[] = [];
    let latencyNs = 0;
    for (let v = t; v !== s; ) {
      const l = prevLink[v];
      links.push(l);
      latencyNs += this.effLatNs[l];
      v = this.linkA[l] === v ? this.linkB[l] : this.linkA[l];
      vertices.push(v);
    }
    this.reset();
    return { vertices: vertices.reverse(), links: links.reverse(), bottleneckMbps: bstar, latencyNs };
  }

  /** Max over paths of the min effective link bandwidth (Mbps) from s to t; 0 when unreachable. */
  widestBottleneck(s: number, t: number, within: number, avoid?: ReadonlySet<number>): number {
    if (s === t) return BW_UNLIMITED;
    const { best, heap, touched } = this;
    this.reset();
    heap.clear();
    best[s] = BW_UNLIMITED;
    touched.push(s);
    heap.push(-BW_UNLIMITED, s);
    while (heap.size > 0) {
      const bw = -heap.topKey();
      const v = heap.pop();
      if (bw < best[v]) continue;
      if (v === t) break;
      for (let e = this.adjStart[v]; e < this.adjStart[v + 1]; e++) {
        const l = this.adjLink[e];
        const w = this.adjTo[e];
        if (!this.usable(l, avoid)) continue;
        if (within >= 0 && this.owner[w] !== within) continue;
        const nb = Math.min(bw, this.effMbps[l]);
        if (nb > best[w]) {
          if (best[w] < 0) touched.push(w);
          best[w] = nb;
          heap.push(-nb, w);
        }
      }
    }
    const r = best[t] < 0 ? 0 : best[t];
    this.reset();
    return r;
  }

  private reset(): void {
    for (const v of this.touched) {
      this.best[v] = -1;
      this.dist[v] = Infinity;
      this.prevLink[v] = -1;
    }
    this.touched.length = 0;
  }

  /** Mark that link `i` changed: bump versions so derived caches re-derive. */
  touchLink(i: number): void {
    this.version++;
    const oa = this.owner[this.linkA[i]];
    const ob = this.owner[this.linkB[i]];
    if (oa >= 0) this.nodeVersion[oa]++;
    if (ob >= 0 && ob !== oa) this.nodeVersion[ob]++;
  }

  /** State name of a code (for events). */
  static stateName(code: number): LinkState {
    return STATE_NAME[code];
  }
  static stateCode(s: LinkState): number {
    return STATE_CODE[s];
  }
}

/**
 * Validate `input` (zod schema of src/model/topology.ts, then referential checks) and build the
 * graph. Bad input throws one HetpoolError naming the field (`links[7].b: unknown vertex "x"`)
 * and builds nothing.
 */
export function createTopology(input: unknown): TopologyGraph {
  const t = parseWith(TopologySchema, input);
  return new TopologyGraph(withImplicitNodes(t));
}

const NODE_INTERNAL_KINDS: ReadonlySet<string> = new Set(['device', 'numa', 'pcie-switch', 'nic', 'package']);

/**
 * Agents that see one machine (e.g. `nvidia-smi topo -m`) report `n1/gpu0`, `n1/numa0` without a
 * vertex for `n1` itself. For node-internal kinds (device, numa, pcie-switch, nic, package) whose
 * `<prefix>/` names no vertex, a `node` vertex `<prefix>` is appended (after the given vertices, so
 * error paths keep their indices).
 */
function withImplicitNodes(t: Topology): Topology {
  const ids = new Set(t.vertices.map((v) => v.id));
  const extra: TopologyVertex[] = [];
  for (const v of t.vertices) {
    const cut = v.id.indexOf('/');
    if (cut <= 0 || !NODE_INTERNAL_KINDS.has(v.kind)) continue;
    const prefix = v.id.slice(0, cut);
    if (ids.has(prefix)) continue;
    ids.add(prefix);
    extra.push({ id: prefix, kind: 'node' });
  }
  return extra.length ? { ...t, vertices: [...t.vertices, ...extra] } : t;
}
