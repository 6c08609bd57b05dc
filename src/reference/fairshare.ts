/**
 * TypeScript twin of assembly/fairshare.ts: hierarchical weighted DRF by progressive filling
 * (Ghodsi et al. NSDI'11 §4; hierarchy per Bhattacharya et al. SoCC'13). Written for clarity; it
 * must give the same integers as the kernel (held equal by test/policies-fairshare.test.ts).
 */

/** Fixed-point unit of a share: 1 000 000 = the whole pool. */
export const SHARE_ONE = 1_000_000;
const I32_MAX = 2 ** 31 - 1;

/** Input of one fair-share solve, tenants in an order where every parent precedes its children. */
export interface FairShareInput {
  /** Pool capacity per resource in base units (0 = the pool has none of it). */
  cap: ArrayLike<number>;
  /** Parent index (< own index) or -1 for a child of the root. */
  parent: ArrayLike<number>;
  /** Weight ≥ 1 (weighted DRF divides the dominant share by it). */
  weight: ArrayLike<number>;
  /** Per-task demand vector of each leaf, row-major tenant × resource. */
  demand: ArrayLike<number>;
  /** Tasks each leaf wants at most. */
  maxTasks: ArrayLike<number>;
  /** Current usage of each leaf, row-major tenant × resource (drives the service order). */
  usage: ArrayLike<number>;
}

/** Result of a solve: deserved allocation (subtree totals for inner tenants) and service order. */
export interface FairShareResult {
  /** Row-major tenant × resource, base units. */
  alloc: Int32Array;
  /** Tasks granted per leaf. */
  tasks: Int32Array;
  /** Leaf indices, most under-served (usage share ÷ deserved share) first. */
  order: number[];
}

/** Dominant share of row `t` of `m` in SHARE_ONE fixed point, clamped to i32. */
export function dominantShare(m: ArrayLike<number>, t: number, cap: ArrayLike<number>, r: number): number {
  let best = 0n;
  for (let k = 0; k < r; k++) {
    const c = cap[k];
    if (c <= 0) continue;
    const s = (BigInt(m[t * r + k]) * BigInt(SHARE_ONE)) / BigInt(c);
    if (s > best) best = s;
  }
  return best > BigInt(I32_MAX) ? I32_MAX : Number(best);
}

/** Hierarchical weighted DRF; throws RangeError on malformed input (the binding validates first). */
export function fairShareReference(input: FairShareInput): FairShareResult {
  const n = input.parent.length;
  const r = input.cap.length;
  const { cap, parent, weight, demand, maxTasks, usage } = input;
  const children: number[][] = Array.from({ length: n + 1 }, () => []);
  const isLeaf = new Array<boolean>(n).fill(true);
  for (let i = 0; i < n; i++) {
    if (parent[i] >= i || parent[i] < -1) throw new RangeError(`parent[${i}] must be < ${i}`);
    if (weight[i] < 1) throw new RangeError(`weight[${i}] must be ≥ 1`);
    const p = parent[i] < 0 ? n : parent[i];
    if (p < n) isLeaf[p] = false;
    children[p].push(i);
  }
  const alloc = new Int32Array(n * r);
  const tasks = new Int32Array(n);
  const share = new Array<number>(n).fill(0);
  const active = new Array<number>(n).fill(0);
  const free = Array.from(cap);
  const ancestors = (i: number): number[] => {
    const out: number[] = [];
    for (let a = i; a >= 0; a = parent[a]) out.push(a);
    return out;
  };
  let rootActive = 0;
  for (let i = 0; i < n; i++) {
    if (!isLeaf[i] || maxTasks[i] <= 0) continue;
    rootActive++;
    for (const a of ancestors(i)) active[a]++;
  }
  // a/wa < b/wb without division.
  const less = (a: number, b: number): boolean => BigInt(share[a]) * BigInt(weight[b]) < BigInt(share[b]) * BigInt(weight[a]);
  while (rootActive > 0) {
    let node = n;
    do {
      let best = -1;
      for (const c of children[node]) if (active[c] > 0 && (best < 0 || less(c, best))) best = c;
      node = best;
    } while (!isLeaf[node]);
    let fits = tasks[node] < maxTasks[node];
    for (let k = 0; k < r && fits; k++) if (demand[node * r + k] > free[k]) fits = false;
    if (fits) {
      tasks[node]++;
      for (let k = 0; k < r; k++) free[k] -= demand[node * r + k];
      for (const a of ancestors(node)) {
        for (let k = 0; k < r; k++) alloc[a * r + k] += demand[node * r + k];
        share[a] = dominantShare(alloc, a, cap, r);
      }
    } else {
      rootActive--;
      for (const a of ancestors(node)) active[a]--;
    }
  }
  const leaves: number[] = [];
  for (let i = 0; i < n; i++) if (isLeaf[i]) leaves.push(i);
  const used = new Map(leaves.map((i) => [i, dominantShare(usage, i, cap, r)]));
  const deserved = new Map(leaves.map((i) => [i, dominantShare(alloc, i, cap, r)]));
  const before = (a: number, b: number): boolean => {
    const da = deserved.get(a)!;
    const db = deserved.get(b)!;
    if (da === 0) return false;
    if (db === 0) return true;
    return BigInt(used.get(a)!) * BigInt(db) < BigInt(used.get(b)!) * BigInt(da);
  };
  // Stable: a leaf moves ahead only when strictly before (same rule as the kernel's insertion sort).
  const order: number[] = [];
  for (const i of leaves) {
    let j = order.length;
    while (j > 0 && before(i, order[j - 1])) j--;
    order.splice(j, 0, i);
  }
  return { alloc, tasks, order };
}
