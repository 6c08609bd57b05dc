/**
 * The tiered view of the fabric (§9.2a): for every node, its leaf switch, spine group and site,
 * and the bandwidth of its uplinks at each tier, so that placement compares nodes by dense ids
 * instead of searching paths. Derived from link state once per topology version.
 *
 * Rules (documented in docs/topology.md):
 * - uplinks of a node are its usable links (not down) from a vertex it owns to a fabric vertex;
 *   its leaf is the lowest-tier, lowest-slot switch among their far ends;
 * - a leaf's spine group is the lowest-slot switch of higher tier it reaches by a usable link;
 * - a site is the first `site` vertex found going strictly upwards (switch tier t < rack 0 <
 *   zone 9 < site 10 < region 11 < cloud 12 by level) from the leaf; a spine group takes the site
 *   of its first leaf, so leaf ⊂ spine group ⊂ site always nest; nodes with no site vertex share
 *   one implicit site;
 * - bandwidth to tier t, cum[t] = min(uplink sums of levels 1..t): level 1 = Σ node→leaf,
 *   level 2 = Σ leaf→spine, level 3 = Σ spine→above, level 4 = Σ site→other sites, regions,
 *   clouds (a level with no links
 *   does not limit). A pair of nodes at tier t has bottleneck min(cum_a[t], cum_b[t]).
 * - a node with no usable uplink is isolated: it can host a gang only alone.
 */
import { BW_UNLIMITED, Tier, type TierValue } from './constants.js';
import type { TopologyGraph } from './graph.js';

const LEVEL_OF_KIND: Record<string, number> = { rack: 0, zone: 9, site: 10, region: 11, cloud: 12 };

/** Per-node fabric position and uplink quality, columns indexed by the node's position. */
export interface FabricView {
  readonly version: number;
  /** Node ids in topology order; index i of every column below. */
  readonly nodeIds: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Dense group ids (vertex slots where a vertex exists); -1 for an isolated node. */
  readonly leaf: Int32Array;
  readonly spine: Int32Array;
  readonly site: Int32Array;
  /** cum[i*4 + t-1]: bottleneck bandwidth (Mbps) from node i up to tier t (1..4). */
  readonly cum: Int32Array;
  /** Bit t (1..4) set when a degraded link lies on node i's uplinks up to tier t. */
  readonly degMask: Int32Array;
  /** Link indices counted at each level: node uplinks, leaf, spine and site uplinks. */
  readonly uplinks: ReadonlyArray<ReadonlyArray<readonly number[]>>;
  /** Position of each node in (site, spine, leaf, topology order): placement domains are contiguous runs. */
  readonly rank: Int32Array;
  /** Human names of the groups (vertex ids, or `(none)`). */
  readonly names: { leaf: string[]; spine: string[]; site: string[] };
}

/** Tier between fabric nodes i and j: node < leaf < spine < site < cross-site; 5 unreachable. */
export function tierBetween(f: FabricView, i: number, j: number): TierValue {
  if (i === j) return Tier.node;
  if (f.leaf[i] < 0 || f.leaf[j] < 0) return Tier.unreachable;
  if (f.leaf[i] === f.leaf[j]) return Tier.leaf;
  if (f.spine[i] === f.spine[j]) return Tier.spine;
  if (f.site[i] === f.site[j]) return Tier.site;
  return Tier.crossSite;
}

const cache = new WeakMap<TopologyGraph, FabricView>();

/** The fabric view of `g` at its current version (cached; re-derived after any link change). */
export function fabricOf(g: TopologyGraph, avoid?: ReadonlySet<number>): FabricView {
  if (!avoid || avoid.size === 0) {
    const c = cache.get(g);
    if (c && c.version === g.version) return c;
    const f = deriveFabric(g);
    cache.set(g, f);
    return f;
  }
  return deriveFabric(g, avoid);
}

function levelOf(g: TopologyGraph, v: number): number {
  const x = g.vertices[v];
  if (x.kind === 'switch') return x.tier ?? 0;
  return LEVEL_OF_KIND[x.kind] ?? -1;
}

function deriveFabric(g: TopologyGraph, avoid?: ReadonlySet<number>): FabricView {
  const nv = g.vertexCount;
  const nodes = g.nodes();
  const n = nodes.length;
  const leaf = new Int32Array(n);
  const spine = new Int32Array(n);
  const site = new Int32Array(n);
  const cum = new Int32Array(n * 4);
  const degMask = new Int32Array(n);
  const up1: number[][] = [];
  const up2: number[][] = [];
  const up3: number[][] = [];
  const up4: number[][] = [];
  const names = { leaf: [] as string[], spine: [] as string[], site: [] as string[] };
  const indexOf = new Map<string, number>();
  const nodeIds = nodes.map((s, i) => {
    indexOf.set(g.idOf(s), i);
    return g.idOf(s);
  });

  const sum = (links: number[]): number => {
    let s = 0;
    for (const l of links) s += g.effMbps[l];
    return links.length === 0 ? BW_UNLIMITED : Math.min(BW_UNLIMITED, s);
  };
  const anyDegraded = (links: number[]): boolean => links.some((l) => g.state[l] === 1);
  // Upward links of a fabric vertex: usable links to fabric vertices of strictly higher level.
  const upward = (v: number): number[] => {
    const out: number[] = [];
    const lv = levelOf(g, v);
    for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
      const l = g.adjLink[e];
      const w = g.adjTo[e];
      if (g.owner[w] >= 0 || !g.usable(l, avoid)) continue;
      if (levelOf(g, w) > lv) out.push(l);
    }
    return out;
  };
  // WAN links of a site: to other sites, regions or clouds.
  const siteUplinks = (v: number): number[] => {
    const out: number[] = [];
    for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
      const l = g.adjLink[e];
      const w = g.adjTo[e];
      if (g.owner[w] < 0 && g.usable(l, avoid) && levelOf(g, w) >= LEVEL_OF_KIND.site) out.push(l);
    }
    return out;
  };
  const far = (l: number, v: number): number => (g.linkA[l] === v ? g.linkB[l] : g.linkA[l]);
  // First site vertex found going upwards from fabric vertex v (BFS by hops, lowest slot first).
  const siteFrom = (starts: number[]): number => {
    let frontier = [...new Set(starts)].sort((a, b) => a - b);
    const seen = new Set(frontier);
    while (frontier.length) {
      const sites = frontier.filter((v) => g.vertices[v].kind === 'site');
      if (sites.length) return sites[0];
      const next: number[] = [];
      for (const v of frontier) for (const l of upward(v)) {
        const w = far(l, v);
        if (!seen.has(w)) {
          seen.add(w);
          next.push(w);
        }
      }
      frontier = next.sort((a, b) => a - b);
    }
    return -1;
  };
  const IMPLICIT_SITE = 3 * nv + 1;
  const leafMemo = new Map<number, { spine: number; up: number[] }>();
  const spineMemo = new Map<number, { site: number; up: number[] }>();
  const siteMemo = new Map<number, number[]>();

  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    const mine = [node, ...g.ownedBy(node)];
    const ups: number[] = [];
    let lf = -1;
    let lfTier = Infinity;
    for (const v of mine) {
      for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
        const l = g.adjLink[e];
        const w = g.adjTo[e];
        if (g.owner[w] >= 0 || !g.usable(l, avoid)) continue;
        ups.push(l);
        const x = g.vertices[w];
        if (x.kind === 'switch') {
          const t = x.tier ?? 0;
          if (t < lfTier || (t === lfTier && w < lf)) {
            lf = w;
            lfTier = t;
          }
        }
      }
    }
    ups.sort((a, b) => a - b);
    up1.push(ups);
    if (ups.length === 0) {
      // Isolated: unique ids that sort first and are skipped by multi-node placement.
      leaf[i] = -1;
      spine[i] = -1;
      site[i] = -1;
      cum.fill(0, i * 4, i * 4 + 4);
      up2.push([]);
      up3.push([]);
      up4.push([]);
      names.leaf.push('(isolated)');
      names.spine.push('(isolated)');
      names.site.push('(isolated)');
      continue;
    }
    let lfId: number;
    let spId: number;
    let l2: number[] = [];
    let l3: number[] = [];
    let st: number;
    if (lf >= 0) {
      lfId = lf;
      let lm = leafMemo.get(lf);
      if (!lm) {
        const upl = upward(lf).filter((l) => g.vertices[far(l, lf)].kind === 'switch');
        const sp = upl.length ? Math.min(...upl.map((l) => far(l, lf))) : -1;
        lm = { spine: sp >= 0 ? sp : nv + lf, up: upl };
        leafMemo.set(lf, lm);
      }
      spId = lm.spine;
      l2 = lm.up;
      let sm = spineMemo.get(spId);
      if (!sm) {
        const upl = spId < nv ? upward(spId) : [];
        const s = siteFrom(spId < nv ? [lf, spId] : [lf]);
        sm = { site: s >= 0 ? s : IMPLICIT_SITE, up: upl };
        spineMemo.set(spId, sm);
      }
      l3 = sm.up;
      st = sm.site;
    } else {
      // Attached to the fabric without a switch (an edge node on a WAN/site link).
      lfId = nv + node;
      spId = 2 * nv + node;
      const s = siteFrom(ups.map((l) => far(l, g.owner[g.linkA[l]] >= 0 ? g.linkA[l] : g.linkB[l])));
      st = s >= 0 ? s : IMPLICIT_SITE;
    }
    let l4 = siteMemo.get(st);
    if (!l4) {
      l4 = st < nv ? siteUplinks(st) : [];
      siteMemo.set(st, l4);
    }
    leaf[i] = lfId;
    spine[i] = spId;
    site[i] = st;
    up2.push(l2);
    up3.push(l3);
    up4.push(l4);
    const c1 = sum(ups);
    const c2 = Math.min(c1, sum(l2));
    const c3 = Math.min(c2, sum(l3));
    const c4 = Math.min(c3, sum(l4));
    cum[i * 4] = c1;
    cum[i * 4 + 1] = c2;
    cum[i * 4 + 2] = c3;
    cum[i * 4 + 3] = c4;
    let m = 0;
    if (anyDegraded(ups)) m |= 0b11110;
    if (anyDegraded(l2)) m |= 0b11100;
    if (anyDegraded(l3)) m |= 0b11000;
    if (anyDegraded(l4)) m |= 0b10000;
    degMask[i] = m;
    names.leaf.push(lf >= 0 ? g.idOf(lf) : '(none)');
    names.spine.push(spId < nv ? g.idOf(spId) : '(none)');
    names.site.push(st < nv ? g.idOf(st) : '(implicit)');
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => site[a] - site[b] || spine[a] - spine[b] || leaf[a] - leaf[b] || a - b);
  const rank = new Int32Array(n);
  order.forEach((i, r) => (rank[i] = r));
  return { version: g.version, nodeIds, indexOf, leaf, spine, site, cum, degMask, uplinks: [up1, up2, up3, up4], rank, names };
}
