/**
 * Hierarchical DRF fair share (src/core/fairshare.ts): one solve on a random two-level tenant
 * tree, WebAssembly kernel versus its TypeScript twin on the same input, latency per solve.
 */
import { FairShareKernel } from '../../src/core/fairshare.js';
import { fairShareReference, type FairShareInput } from '../../src/reference/fairshare.js';
import { Rng } from '../../src/sim/random.js';
import { rowOf, sideBySide, type Row } from '../lib/harness.js';
import { num, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

/** A tree of `n` tenants: a tenth are groups under the root, the rest leaves under a group. */
export function fairShareInput(n: number, r: number, seed: number): FairShareInput {
  const rng = new Rng(seed);
  const groups = Math.max(1, Math.floor(n / 10));
  const cap = Array.from({ length: r }, () => 100_000 + rng.int(1_000_000));
  const parent = Array.from({ length: n }, (_, i) => (i < groups ? -1 : rng.int(groups)));
  const weight = Array.from({ length: n }, () => 1 + rng.int(4));
  const demand: number[] = [];
  const usage: number[] = [];
  const maxTasks: number[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = i >= groups;
    maxTasks.push(leaf ? 1 + rng.int(200) : 0);
    for (let k = 0; k < r; k++) {
      demand.push(leaf && rng.int(3) > 0 ? 1 + rng.int(2000) : 0);
      usage.push(leaf ? rng.int(5000) : 0);
    }
  }
  return { cap, parent, weight, demand, maxTasks, usage };
}

export async function runFairshare(s: Scenario): Promise<RunnerOutput> {
  const n = num(s, 'tenants');
  const r = num(s, 'resources');
  const inputs = Array.from({ length: 8 }, (_, i) => fairShareInput(n, r, 100 + i));
  const kernel = new FairShareKernel();
  const stats = sideBySide(
    [
      { name: 'wasm', op: (i) => kernel.solve(inputs[i & 7]) },
      { name: 'ts', op: (i) => fairShareReference(inputs[i & 7]) },
    ],
    { rounds: num(s, 'rounds'), opsPerRound: num(s, 'ops') },
  );
  const ratio = stats.ts.medianUs / stats.wasm.medianUs;
  const rows: Row[] = [rowOf(s.name, `solve ${n} tenants × ${r} res, wasm`, stats.wasm), rowOf(s.name, 'solve, ts twin', stats.ts, { ratio, ratioOf: 'ts/wasm time' })];
  return { rows, data: { params: s.params, stats, ratioTsOverWasm: ratio } };
}
