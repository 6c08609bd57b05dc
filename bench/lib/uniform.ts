/**
 * A uniform pool laid straight into the kernel's columns (no engine), and a task stream over it:
 * the kernel-level placement benchmarks (bench/runners/kernel.ts, bench/placement-quick.ts).
 *
 * Pool: `nodes` identical nodes of 64 CPU, 256 GiB and 8 time-sliced GPUs (80 GiB, 8 slices);
 * half of them (by a seeded hash) are aarch64, node group 1 (the engine groups by architecture).
 * Stream: 60 % fractional GPU shares (100–900 milli, 4 GiB), 20 % whole GPUs (1–4), 20 % CPU-only
 * tasks confined to the aarch64 half by node mask 0.
 */
import { PlacementLayout as L, PlacementState } from '../../src/core/placement.js';
import { tieHash } from '../../src/reference/placement.js';
import { Rng } from '../../src/sim/random.js';

export const GPUS = 8;

/** A pool of `nodes` identical nodes (see the module comment), index on or off. */
export function uniformPool(backend: 'wasm' | 'ts', nodes: number, index: boolean): PlacementState {
  const st = new PlacementState(backend, { nodes, devices: nodes * GPUS, profiles: 16, tasks: 1 });
  st.setPolicy(L.POLICY_BINPACK, 1);
  st.setIndexing(index);
  st.nodeHighWater = nodes;
  for (let n = 0; n < nodes; n++) {
    st.set(L.H_N_CPU_CAP, n, 64_000);
    st.set(L.H_N_CPU_FREE, n, 64_000);
    st.set(L.H_N_MEM_CAP, n, 262_144);
    st.set(L.H_N_MEM_FREE, n, 262_144);
    st.set(L.H_N_FLAGS, n, L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE);
    st.set(L.H_N_DEV_FIRST, n, n * GPUS);
    st.set(L.H_N_DEV_COUNT, n, GPUS);
    st.set(L.H_N_DMILLI_CAP, n, GPUS * 1000);
    st.set(L.H_N_DMILLI_FREE, n, GPUS * 1000);
    st.setNodeGroup(n, tieHash(99, n) & 1);
    for (let g = 0; g < GPUS; g++) {
      const d = n * GPUS + g;
      const vals: [number, number][] = [[L.H_D_KIND, 0], [L.H_D_MODE, L.MODE_TIME_SLICE], [L.H_D_MILLI_CAP, 1000], [L.H_D_MILLI_FREE, 1000], [L.H_D_MEM_CAP, 81_920],
        [L.H_D_MEM_FREE, 81_920], [L.H_D_SLICES_MAX, 8], [L.H_D_FLAGS, L.DF_HEALTHY], [L.H_D_NODE, n], [L.H_D_PREC, 1]];
      for (const [c, v] of vals) st.set(c, d, v);
    }
  }
  // node mask 0: the aarch64 half of the nodes
  st.writeMask(0, (n) => (tieHash(99, n) & 1) === 1);
  return st;
}

/** The task stream (TASK_STRIDE words each), the same for every variant; `mask` = node mask 0's offset. */
export function uniformStream(count: number, mask: number): number[][] {
  const rng = new Rng(42);
  return Array.from({ length: count }, () => {
    const r = rng.int(10);
    if (r < 6) return [2000, 8192, 0, 1, 100 * (1 + rng.int(9)), 4096, 0, 0, -1, 0, 0, 0];
    if (r < 8) return [8000, 32_768, 0, 1 + rng.int(4), 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0];
    return [4000, 16_384, -1, 0, 0, 0, 0, 0, -1, 0, 0, mask];
  });
}
