/**
 * Hierarchical weighted dominant-resource fairness (DRF) by progressive filling.
 *
 * Sources: DRF — Ghodsi et al., "Dominant Resource Fairness", NSDI'11 (§4: progressive filling,
 * one task at a time to the user with the lowest dominant share; weighted DRF divides the share
 * by the weight). Hierarchy — Bhattacharya et al., "Hierarchical Scheduling for Diverse
 * Datacenter Workloads", SoCC'13 (H-DRF: descend from the root, at each level to the child whose
 * subtree has the lowest weighted dominant share, until a leaf; that leaf gets the next task).
 * A leaf whose next task no longer fits is blocked for good: free capacity only shrinks during
 * one solve, so a task that does not fit now never will (this is what makes the loop finite).
 *
 * Shares are fixed point (SHARE_ONE = 1e6 = the whole pool) and compared by cross
 * multiplication in i64, so the TypeScript twin (src/reference/fairshare.ts) matches bit for bit.
 *
 * Memory layout (all i32, little endian; the binding in src/core/fairshare.ts reserves columns
 * with LinearHeap; `n` tenants, `r` resources, n ≥ 1, 1 ≤ r ≤ MAX_RES):
 *
 *   capPtr      cap[r]         pool capacity per resource (base units; 0 = absent resource)
 *   parentPtr   parent[n]      parent tenant index, < own index; -1 = child of the root
 *   weightPtr   weight[n]      ≥ 1
 *   demandPtr   demand[n*r]    per-task demand vector of each leaf (row-major, tenant × resource)
 *   maxPtr      maxTasks[n]    tasks a leaf wants at most (0 for inner tenants)
 *   usagePtr    usage[n*r]     current usage of each leaf (for the service order)
 *   allocPtr    alloc[n*r]     OUT: deserved allocation, subtree totals for inner tenants
 *   tasksPtr    tasks[n]       OUT: tasks granted per leaf
 *   orderPtr    order[n]       OUT: leaves first, most under-served first; then -1 padding
 *   scratchPtr  scratch[SCRATCH_WORDS_PER_TENANT*n + SCRATCH_WORDS_FIXED + r]  work space
 *
 * Returns the number of leaves written to `order`, or a negative status:
 * E_ARGS (bad n/r), E_PARENT (parent index not < own index), E_WEIGHT (weight < 1).
 */

import { ld, st } from './lib/mem';

export const ABI_VERSION: i32 = 1;
export const MAX_RES: i32 = 64;
export const SHARE_ONE: i64 = 1_000_000;
export const SCRATCH_WORDS_PER_TENANT: i32 = 5; // firstChild, nextSibling, active, share, isLeaf
export const SCRATCH_WORDS_FIXED: i32 = 1; // firstChild of the virtual root
export const E_ARGS: i32 = -1;
export const E_PARENT: i32 = -2;
export const E_WEIGHT: i32 = -3;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function heapBase(): usize {
  return __heap_base;
}


/** Dominant share of row `t` of `m` (n×r) against `cap`, in SHARE_ONE fixed point. */
function dominant(m: usize, t: i32, cap: usize, r: i32): i32 {
  let best: i64 = 0;
  for (let k = 0; k < r; k++) {
    const c = ld(cap, k);
    if (c <= 0) continue;
    const s = (<i64>ld(m, t * r + k) * SHARE_ONE) / <i64>c;
    if (s > best) best = s;
  }
  // Usage may exceed the pool (a shrunk pool, oversubscription): clamp so the share stays an i32.
  return best > <i64>i32.MAX_VALUE ? i32.MAX_VALUE : <i32>best;
}

/** a/wa < b/wb, by cross multiplication (shares ≤ 1e6·2^31/1 fit i64 with weights < 2^31). */
@inline function lessShare(sa: i32, wa: i32, sb: i32, wb: i32): bool {
  return <i64>sa * <i64>wb < <i64>sb * <i64>wa;
}

export function fairShare(
  n: i32, r: i32,
  capPtr: usize, parentPtr: usize, weightPtr: usize, demandPtr: usize, maxPtr: usize, usagePtr: usize,
  allocPtr: usize, tasksPtr: usize, orderPtr: usize, scratchPtr: usize,
): i32 {
  if (n < 1 || r < 1 || r > MAX_RES) return E_ARGS;
  const first = scratchPtr; // first[n+1]; index n = virtual root
  const next = first + ((<usize>(n + 1)) << 2);
  const active = next + ((<usize>n) << 2); // leaves still able to take a task, per subtree
  const share = active + ((<usize>n) << 2); // dominant share of the subtree allocation
  const leaf = share + ((<usize>n) << 2);
  const free = leaf + ((<usize>n) << 2); // free[r]

  for (let i = 0; i < n; i++) {
    const p = ld(parentPtr, i);
    if (p >= i || p < -1) return E_PARENT;
    if (ld(weightPtr, i) < 1) return E_WEIGHT;
  }
  for (let i = 0; i <= n; i++) st(first, i, -1);
  for (let i = 0; i < n; i++) {
    st(leaf, i, 1);
    st(active, i, 0);
    st(share, i, 0);
    st(tasksPtr, i, 0);
    for (let k = 0; k < r; k++) st(allocPtr, i * r + k, 0);
  }
  // Children lists in index order: walk backwards and push to the front.
  for (let i = n - 1; i >= 0; i--) {
    let p = ld(parentPtr, i);
    if (p < 0) p = n;
    else st(leaf, p, 0);
    st(next, i, ld(first, p));
    st(first, p, i);
  }
  for (let k = 0; k < r; k++) st(free, k, ld(capPtr, k));
  // Every leaf with something to ask for starts active; counts propagate to its ancestors.
  let rootActive = 0;
  for (let i = 0; i < n; i++) {
    if (ld(leaf, i) == 0 || ld(maxPtr, i) <= 0) continue;
    rootActive++;
    let a = i;
    while (a >= 0) {
      st(active, a, ld(active, a) + 1);
      a = ld(parentPtr, a);
    }
  }

  while (rootActive > 0) {
    // Descend to the leaf whose path has the lowest weighted dominant share at every level.
    let node = n;
    while (true) {
      let best = -1;
      let c = ld(first, node);
      while (c >= 0) {
        if (ld(active, c) > 0) {
          if (best < 0 || lessShare(ld(share, c), ld(weightPtr, c), ld(share, best), ld(weightPtr, best))) best = c;
        }
        c = ld(next, c);
      }
      node = best;
      if (ld(leaf, node) != 0) break;
    }
    let fits = ld(tasksPtr, node) < ld(maxPtr, node);
    for (let k = 0; k < r && fits; k++) {
      if (ld(demandPtr, node * r + k) > ld(free, k)) fits = false;
    }
    if (fits) {
      st(tasksPtr, node, ld(tasksPtr, node) + 1);
      for (let k = 0; k < r; k++) st(free, k, ld(free, k) - ld(demandPtr, node * r + k));
      let a = node;
      while (a >= 0) {
        for (let k = 0; k < r; k++) st(allocPtr, a * r + k, ld(allocPtr, a * r + k) + ld(demandPtr, node * r + k));
        st(share, a, dominant(allocPtr, a, capPtr, r));
        a = ld(parentPtr, a);
      }
    } else {
      rootActive--;
      let a = node;
      while (a >= 0) {
        st(active, a, ld(active, a) - 1);
        a = ld(parentPtr, a);
      }
    }
  }

  // Service order: leaves by usage share ÷ deserved share, ascending (most under-served first).
  // Ratios compare by cross multiplication; a leaf with no deserved share goes after all others.
  // `share` is reused for the usage share, `active` for the deserved share.
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (ld(leaf, i) == 0) continue;
    st(share, i, dominant(usagePtr, i, capPtr, r));
    st(active, i, dominant(allocPtr, i, capPtr, r));
    // insertion sort, stable by index
    let j = m;
    while (j > 0 && orderBefore(i, ld(orderPtr, j - 1), share, active)) {
      st(orderPtr, j, ld(orderPtr, j - 1));
      j--;
    }
    st(orderPtr, j, i);
    m++;
  }
  for (let j = m; j < n; j++) st(orderPtr, j, -1);
  return m;
}

/** Leaf a before leaf b: usage_a/deserved_a < usage_b/deserved_b (deserved 0 sorts last). */
function orderBefore(a: i32, b: i32, usage: usize, deserved: usize): bool {
  const da = ld(deserved, a);
  const db = ld(deserved, b);
  if (da == 0) return false;
  if (db == 0) return true;
  return <i64>ld(usage, a) * <i64>db < <i64>ld(usage, b) * <i64>da;
}
