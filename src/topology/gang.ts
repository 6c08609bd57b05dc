/**
 * Gang placement across nodes (§9.2a): place all members of a distributed job so that the
 * highest fabric tier they span is lowest, then the bottleneck bandwidth between them is highest,
 * then the callers' per-node base score (binpack, spread: 0..100) is highest. Down links are never
 * used; degraded ones lower the bandwidth (constants.ts) and cost `degradedPenalty` per node.
 * The search runs in the topology kernel (see src/reference/topology.ts for the algorithm).
 *
 * Combined key (lexicographic, documented in docs/topology.md):
 *   cost = 100·tier + (tier > soft.tier ? soft.penalty : 0) + degradedPenalty·(degraded nodes)
 *   then bottleneck Mbps (higher), then Σ base score over members (higher), then the first found
 *   (candidates in (site, spine, leaf, topology order)).
 * A penalty of 100 weighs as much as one tier.
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';
import { parseWith } from '../model/validate.js';
import type { TopologyKernels } from '../core/topology.js';
import { STATUS_OK, type GangColumns } from '../reference/topology.js';
import { BW_UNLIMITED, TIER_NAMES, Tier } from './constants.js';
import { chooseDeviceSet, defaultKernels, deviceMatrix } from './devices.js';
import { type FabricView, fabricOf } from './fabric.js';
import type { TopologyGraph } from './graph.js';

const TierSchema = z.union([z.number().int().min(0).max(4), z.enum(['node', 'leaf', 'spine', 'site', 'cross-site'])]);
const int = z.number().int('must be an integer');

export const GangMemberSchema = z.strictObject({
  id: z.string().min(1).max(253).optional(),
  /** Devices this member needs on one node; 0 = a CPU-only member. */
  devices: int.min(0).max(64),
});

export const GangRequestSchema = z.strictObject({
  /** The members, or `{ count, devices }` for a uniform gang. */
  members: z.union([
    z.array(GangMemberSchema).min(1).max(4096),
    z.strictObject({ count: int.min(1).max(4096), devices: int.min(0).max(64) }),
  ]),
  /** Hard constraint: never span more than this tier. Default: cross-site. */
  maxTier: TierSchema.default(4),
  /** Soft constraint: spanning more than `tier` costs `penalty` (100 = one tier). */
  soft: z.strictObject({ tier: TierSchema, penalty: int.min(0).max(1_000_000) }).optional(),
  /** Cost per node whose uplinks (up to the tier spanned) include a degraded link. Default 50. */
  degradedPenalty: int.min(0).max(10_000).default(50),
  /** Link indices to treat as down (re-placement around a faulty link). */
  avoidLinks: z.array(int.min(0)).optional(),
  /** Also choose device sets on each node (needs the node's devices in the topology). Default true. */
  chooseDevices: z.boolean().default(true),
});

export const GangCandidateSchema = z.strictObject({
  node: z.string().min(1).max(253),
  /** Free whole devices on the node (from the engine). */
  freeDevices: int.min(0).max(4096),
  /** Which devices are free (full or short ids); default: the first `freeDevices` are assumed free only if all are. */
  freeDeviceIds: z.array(z.string().min(1)).max(64).optional(),
  /** How many members the node may host. Default unlimited. */
  maxMembers: int.min(0).max(1_000_000).optional(),
  /** Base score 0..100 from the caller's policy (binpack, spread). Default 0. */
  baseScore: int.min(0).max(100).default(0),
});

export type GangRequestInput = z.input<typeof GangRequestSchema>;
export type GangRequest = z.infer<typeof GangRequestSchema>;
export type GangCandidateInput = z.input<typeof GangCandidateSchema>;
export type GangCandidate = z.infer<typeof GangCandidateSchema>;

/** Where one member went. */
export interface MemberPlacement {
  member: string;
  node: string;
  devices?: string[];
}

/** A gang placement, or why none exists. */
export type GangPlacement =
  | {
      status: 'placed';
      members: MemberPlacement[];
      nodes: string[];
      tier: number;
      tierName: string;
      bottleneckGbps: number;
      cost: number;
      baseSum: number;
    }
  | { status: 'unschedulable'; reason: string };

const tierNumber = (t: z.infer<typeof TierSchema>): number => (typeof t === 'number' ? t : TIER_NAMES.indexOf(t));

/**
 * Place a gang on `candidates` (nodes with free capacity, from the engine). All members or none:
 * the result is a full placement or `unschedulable` with a reason. Nothing is reserved here; the
 * engine integration (plugin.ts `placeGang`) commits it in one transaction.
 */
export function placeGangOnTopology(
  g: TopologyGraph,
  requestInput: GangRequestInput,
  candidateInput: readonly GangCandidateInput[],
  kernels: TopologyKernels = defaultKernels(),
): GangPlacement {
  const req = parseWith(GangRequestSchema, requestInput, 'gang');
  const avoid = req.avoidLinks?.length ? new Set(req.avoidLinks) : undefined;
  // Checked after the candidates' fields and before their node ids, as ever.
  const checkAvoid = (): void =>
    req.avoidLinks?.forEach((l, i) => {
      if (l >= g.linkCount) throw new HetpoolError('not-found', `gang.avoidLinks[${i}]`, `no link ${l}`);
    });
  const { lay, input } = candidateColumns(g, candidateInput, avoid, checkAvoid);
  const cols = lay.cols;
  const members = Array.isArray(req.members)
    ? req.members.map((m, i) => ({ id: m.id ?? `m${i}`, devices: m.devices }))
    : Array.from({ length: req.members.count }, (_, i) => ({ id: `m${i}`, devices: (req.members as { devices: number }).devices }));
  const order = members.map((m, i) => ({ m, i })).sort((x, y) => y.m.devices - x.m.devices || x.i - y.i);
  const demand = Int32Array.from(order, (o) => o.m.devices);
  const out = new Int32Array(order.length);
  const soft = req.soft ? { tier: tierNumber(req.soft.tier), penalty: req.soft.penalty } : { tier: 4, penalty: 0 };
  const r = kernels.placeGang(lay.perm.length, cols, order.length, demand, {
    maxTier: tierNumber(req.maxTier), softTier: soft.tier, softPenalty: soft.penalty, degradedPenalty: req.degradedPenalty,
  }, out);
  if (r.status !== STATUS_OK) {
    const need = members.reduce((s, m) => s + m.devices, 0);
    let have = 0;
    for (let j = 0; j < lay.perm.length; j++) have += cols.free[j];
    return { status: 'unschedulable', reason: r.status === 1 ? `no placement of ${members.length} member(s) needing ${need} device(s) within tier ${TIER_NAMES[tierNumber(req.maxTier)]} (candidates have ${have} free)` : `kernel status ${r.status}` };
  }
  const placed: MemberPlacement[] = new Array(members.length);
  const chosen = new Map<string, GangCandidate>();
  order.forEach((o, q) => {
    const c = input[lay.perm[out[q]]];
    placed[o.i] = { member: o.m.id, node: c.node };
    if (!chosen.has(c.node)) chosen.set(c.node, candidateOf(c));
  });
  if (req.chooseDevices) assignDevices(g, placed, members, chosen, kernels, avoid);
  const nodes = [...new Set(placed.map((p) => p.node))];
  return {
    status: 'placed',
    members: placed,
    nodes,
    tier: r.tier,
    tierName: TIER_NAMES[r.tier],
    bottleneckGbps: r.bw === BW_UNLIMITED ? Infinity : r.bw / 1000,
    cost: r.cost,
    baseSum: r.base,
  };
}

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * Validate candidates with the rules of GangCandidateSchema, by hand: the engine passes one per
 * node (10,000 and more), and a schema walk costs ~3 µs per object where this costs ~0.1 µs.
 * Errors name the field (`candidates[7].freeDevices`); defaults are filled as the schema does.
 */
export function checkCandidates(input: readonly GangCandidateInput[]): GangCandidate[] {
  if (!Array.isArray(input)) throw new HetpoolError('invalid-input', 'candidates', 'must be an array');
  const out: GangCandidate[] = new Array(input.length);
  for (let i = 0; i < input.length; i++) {
    checkCandidate(i, input[i]);
    out[i] = candidateOf(input[i]);
  }
  return out;
}

const badCandidate = (i: number, f: string, m: string): never => {
  throw new HetpoolError('invalid-input', `candidates[${i}]${f ? `.${f}` : ''}`, m);
};

/** Throw the first rule of GangCandidateSchema that candidate `i` breaks; allocates nothing when it passes. */
function checkCandidate(i: number, v: unknown): asserts v is GangCandidateInput {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badCandidate(i, '', 'must be an object');
  const c = v as Record<string, unknown>;
  for (const k in c) {
    if (k !== 'node' && k !== 'freeDevices' && k !== 'freeDeviceIds' && k !== 'maxMembers' && k !== 'baseScore') badCandidate(i, k, 'unrecognized key');
  }
  if (typeof c.node !== 'string' || c.node.length < 1 || c.node.length > 253) badCandidate(i, 'node', 'must be a string of 1..253 characters');
  if (!isInt(c.freeDevices, 0, 4096)) badCandidate(i, 'freeDevices', 'must be an integer in 0..4096');
  if (c.maxMembers !== undefined && !isInt(c.maxMembers, 0, 1_000_000)) badCandidate(i, 'maxMembers', 'must be an integer in 0..1000000');
  if (c.baseScore !== undefined && !isInt(c.baseScore, 0, 100)) badCandidate(i, 'baseScore', 'must be an integer in 0..100');
  if (c.freeDeviceIds !== undefined) {
    const ids = c.freeDeviceIds;
    if (!Array.isArray(ids) || ids.length > 64) badCandidate(i, 'freeDeviceIds', 'must be an array of at most 64 device ids');
    (ids as unknown[]).forEach((d, j) => {
      if (typeof d !== 'string' || d.length < 1) badCandidate(i, `freeDeviceIds[${j}]`, 'must be a non-empty string');
    });
  }
}

/** A checked candidate with the schema's defaults filled. */
function candidateOf(c: GangCandidateInput): GangCandidate {
  const v: GangCandidate = { node: c.node, freeDevices: c.freeDevices, baseScore: c.baseScore ?? 0 };
  if (c.maxMembers !== undefined) v.maxMembers = c.maxMembers;
  if (c.freeDeviceIds !== undefined) v.freeDeviceIds = c.freeDeviceIds;
  return v;
}

/**
 * The kernel columns of one candidate list over one fabric view. The order of the candidates
 * (the fabric's rank) and their fabric columns (leaf, spine, site, cum, deg) depend only on the
 * view and the candidates' node ids, so they are kept and reused while both stay the same — the
 * engine passes the same nodes decision after decision; free, slots and base are rewritten on
 * every call. A link change gives a new view (fabricOf re-derives on a new graph version), so a
 * stale layout is never found.
 */
interface CandidateLayout {
  /** Node id of each input candidate when the layout was made (with the view, the cache key). */
  readonly nodes: string[];
  /** Column j holds input candidate perm[j]; input candidate i is in column colOf[i]. */
  readonly perm: Int32Array;
  readonly colOf: Int32Array;
  /** Reused across calls: only valid until the next call with the same view. */
  readonly cols: GangColumns;
}

const layouts = new WeakMap<FabricView, CandidateLayout>();

/**
 * Check the candidates (the first broken rule in input order is thrown, then `afterChecks` runs,
 * then unknown or duplicate nodes are reported, as checkCandidates then layoutGangCandidates
 * would) and return their kernel columns, from the cached layout when the view and the
 * candidates' node ids are those of the last call.
 */
function candidateColumns(
  g: TopologyGraph, input: readonly GangCandidateInput[], avoid: ReadonlySet<number> | undefined, afterChecks: () => void,
): { lay: CandidateLayout; input: readonly GangCandidateInput[] } {
  if (!Array.isArray(input)) throw new HetpoolError('invalid-input', 'candidates', 'must be an array');
  const f = fabricOf(g, avoid);
  const n = input.length;
  let lay = layouts.get(f);
  let hit = lay !== undefined && lay.nodes.length === n;
  for (let i = 0; i < n; i++) {
    const c = input[i];
    checkCandidate(i, c);
    if (!hit) continue;
    if (c.node !== lay!.nodes[i]) {
      hit = false;
      continue;
    }
    const j = lay!.colOf[i];
    lay!.cols.free[j] = c.freeDevices;
    lay!.cols.slots[j] = c.maxMembers ?? 0x7fffffff;
    lay!.cols.base[j] = c.baseScore ?? 0;
  }
  afterChecks();
  if (hit) return { lay: lay!, input };
  const perm = rankOrder(f, input);
  const colOf = new Int32Array(n);
  for (let j = 0; j < n; j++) colOf[perm[j]] = j;
  // A new fabricKey per layout: its fabric columns never change after this.
  lay = { nodes: input.map((c) => c.node), perm, colOf, cols: { ...emptyColumns(n), fabricKey: {} } };
  fabricColumns(f, input, perm, lay.cols);
  for (let j = 0; j < n; j++) {
    const c = input[perm[j]];
    lay.cols.free[j] = c.freeDevices;
    lay.cols.slots[j] = c.maxMembers ?? 0x7fffffff;
    lay.cols.base[j] = c.baseScore ?? 0;
  }
  // Only the plain view is cached: one with avoided links is derived afresh on every call.
  if (!avoid || avoid.size === 0) layouts.set(f, lay);
  return { lay, input };
}

/** Input index of each column: candidates in the fabric's (site, spine, leaf, topology order). */
function rankOrder(f: FabricView, cands: ReadonlyArray<{ node: string }>): Int32Array {
  // Bucket by the fabric's precomputed rank: O(nodes + candidates), no comparison sort per call.
  const byRank = new Int32Array(f.nodeIds.length).fill(-1);
  for (let i = 0; i < cands.length; i++) {
    const at = f.indexOf.get(cands[i].node);
    if (at === undefined) throw new HetpoolError('not-found', `candidates[${i}].node`, `"${cands[i].node}" is not a node of the topology`);
    const prev = byRank[f.rank[at]];
    if (prev >= 0) throw new HetpoolError('invalid-input', `candidates[${i}].node`, `duplicate candidate "${cands[i].node}" (also candidates[${prev}])`);
    byRank[f.rank[at]] = i;
  }
  const perm = new Int32Array(cands.length);
  let j = 0;
  for (let r = 0; r < byRank.length; r++) if (byRank[r] >= 0) perm[j++] = byRank[r];
  return perm;
}

const emptyColumns = (c: number): GangColumns => ({
  leaf: new Int32Array(c), spine: new Int32Array(c), site: new Int32Array(c), free: new Int32Array(c),
  slots: new Int32Array(c), base: new Int32Array(c), cum: new Int32Array(c * 4), deg: new Int32Array(c),
});

/** The fabric's columns (leaf, spine, site, cum, deg) of the candidates in column order. */
function fabricColumns(f: FabricView, cands: ReadonlyArray<{ node: string }>, perm: Int32Array, col: GangColumns): void {
  for (let j = 0; j < perm.length; j++) {
    const at = f.indexOf.get(cands[perm[j]].node)!;
    col.leaf[j] = f.leaf[at];
    col.spine[j] = f.spine[at];
    col.site[j] = f.site[at];
    for (let t = 0; t < 4; t++) col.cum[j * 4 + t] = f.cum[at * 4 + t];
    col.deg[j] = f.degMask[at];
  }
}

/**
 * Kernel columns for validated candidates: rows in the fabric's (site, spine, leaf, topology
 * order) so that every fabric domain is a contiguous run. `rows[j].c` is the candidate in column j.
 */
export function layoutGangCandidates(g: TopologyGraph, cands: readonly GangCandidate[], avoid?: ReadonlySet<number>): { rows: Array<{ i: number; at: number; c: GangCandidate }>; cols: GangColumns } {
  const f = fabricOf(g, avoid);
  const perm = rankOrder(f, cands);
  const cols = emptyColumns(cands.length);
  fabricColumns(f, cands, perm, cols);
  const rows = Array.from(perm, (i, j) => {
    const c = cands[i];
    cols.free[j] = c.freeDevices;
    cols.slots[j] = c.maxMembers ?? 0x7fffffff;
    cols.base[j] = c.baseScore;
    return { i, at: f.indexOf.get(c.node)!, c };
  });
  return { rows, cols };
}

/** Choose devices per node: one best set for all members on the node, split in member order. */
function assignDevices(
  g: TopologyGraph, placed: MemberPlacement[], members: ReadonlyArray<{ devices: number }>, candOf: ReadonlyMap<string, GangCandidate>, kernels: TopologyKernels, avoid?: ReadonlySet<number>,
): void {
  const byNode = new Map<string, number[]>();
  placed.forEach((p, i) => {
    if (members[i].devices > 0) byNode.set(p.node, [...(byNode.get(p.node) ?? []), i]);
  });
  for (const [node, idx] of byNode) {
    const cand = candOf.get(node)!;
    const all = deviceMatrix(g, node, avoid);
    let free: readonly string[] | undefined = cand.freeDeviceIds;
    if (!free) {
      if (cand.freeDevices !== all.n) continue; // which devices are free is unknown: leave to the engine
      free = all.devices;
    }
    const need = idx.reduce((s, i) => s + members[i].devices, 0);
    const set = chooseDeviceSet(g, node, need, free, kernels, avoid);
    if (!set) continue;
    let at = 0;
    for (const i of idx) {
      placed[i].devices = set.devices.slice(at, at + members[i].devices);
      at += members[i].devices;
    }
  }
}

/** Tier of a set of nodes in the fabric view (max pairwise), for reports and tests. */
export function tierOfNodes(g: TopologyGraph, nodes: readonly string[]): number {
  const f = fabricOf(g);
  const idx = nodes.map((n, i) => {
    const at = f.indexOf.get(n);
    if (at === undefined) throw new HetpoolError('not-found', `nodes[${i}]`, `"${n}" is not a node of the topology`);
    return at;
  });
  let t: number = Tier.node;
  for (let i = 0; i < idx.length; i++) for (let j = i + 1; j < idx.length; j++) {
    const leafI = f.leaf[idx[i]];
    const v = idx[i] === idx[j] ? 0 : leafI < 0 || f.leaf[idx[j]] < 0 ? 5 : leafI === f.leaf[idx[j]] ? 1 : f.spine[idx[i]] === f.spine[idx[j]] ? 2 : f.site[idx[i]] === f.site[idx[j]] ? 3 : 4;
    if (v > t) t = v;
  }
  return t;
}
