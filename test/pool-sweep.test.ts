/**
 * The Piscina sweep (src/pool/sweep.ts): a 2-worker sweep returns exactly what the in-process
 * path returns, in policy-major order; workers replay the workload the main thread read (they
 * never open the trace files); bad options fail before any worker starts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHetpoolError } from '../src/model/errors.js';
import { runSweep, type SweepOptions } from '../src/pool/sweep.js';
import type { ReplayRun } from '../src/sim/openb/replay.js';
import { typicalPods } from '../src/sim/openb/typical.js';
import type { ReplayNode, ReplayPod } from '../src/sim/openb/types.js';
import type { Workload } from '../src/sim/openb/workload.js';
import { loadWorkload } from '../src/sim/openb/workload.js';

const NODES = 'fixtures/openb/openb_node_list_gpu_node.csv';
const PODS = 'fixtures/openb/openb_pod_list_default.csv';
// Paths that do not exist: a sweep given a workload must not read files (nor must its workers).
const NO_FILE = { nodesFile: '/nonexistent/nodes.csv', podsFile: '/nonexistent/pods.csv' };

const workloadOf = (nodes: ReplayNode[], pods: ReplayPod[]): Workload => ({ nodes, pods, typical: typicalPods(pods) });

/** A run without its wall-clock fields (the only ones allowed to differ between threads). */
const outcome = (r: ReplayRun): Omit<ReplayRun, 'loopMs' | 'decisionsPerSecond'> => {
  const { loopMs: _l, decisionsPerSecond: _d, ...rest } = r;
  return rest;
};

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('runSweep on 2 workers', () => {
  it('replays the workload it was given (hand-derived tiny cluster), without reading the files', async () => {
    // One node with one GPU; one pod asking for half a GPU (500 milli) and 1 CPU.
    // Arrival protocol (src/sim/openb/protocol.ts), capacity 1000 milli, tune 1.5 → target 1500:
    // the shuffled list holds the pod once (total 500); clones are added while total < 1500 and
    // total + 500 ≤ 1500: 1000, then 1500 → 3 arrivals. The GPU takes two halves; the third
    // finds no room (CPU 3 × 1000 ≤ 4000 would fit, GPU does not) → 2 scheduled, 1 failed, for
    // every policy, since there is only one place to go.
    const w = workloadOf(
      [{ name: 'n0', cpuMilli: 4000, memoryMiB: 8192, gpuCount: 1, model: 'V100' }],
      [{ name: 'p0', cpuMilli: 1000, memoryMiB: 1024, numGpu: 1, gpuMilli: 500, gpuSpec: [] }],
    );
    const progress: Array<[number, number]> = [];
    const runs = await runSweep({ ...NO_FILE, workload: w, policies: ['gpu-packing', 'fgd', 'hetpool'], seeds: [1, 2], tune: 1.5, backend: 'wasm', workers: 2, onProgress: (d, t) => progress.push([d, t]) });
    // policy-major, seed-minor, whichever worker finished first
    expect(runs.map((r) => `${r.policy}/${r.seed}`)).toEqual(['gpu-packing/1', 'gpu-packing/2', 'fgd/1', 'fgd/2', 'hetpool/1', 'hetpool/2']);
    expect(progress).toEqual([[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]]);
    for (const r of runs) {
      expect([r.scheduled, r.failed]).toEqual([2, 1]);
      expect(r.nodeUsedMilli).toEqual([1000]); // 500 + 500
      expect(r.nodeGpuMilli).toEqual([1000]); // 1 GPU × 1000
      // arrived 500, 1000, 1500 milli → x = 50, 100, 150 % (150 is past the report's 130);
      // allocated 500, 1000 → 50 % at x = 50 and 100 % at x = 100, and the same at x ± 1.
      expect([r.allocationRatio[49], r.allocationRatio[50], r.allocationRatio[51]]).toEqual([50, 50, 50]);
      expect([r.allocationRatio[99], r.allocationRatio[100], r.allocationRatio[101]]).toEqual([100, 100, 100]);
      // no event within 130 ± 1 and none at 0 ± 1
      expect([r.allocationRatio[0], r.allocationRatio[130]]).toEqual([null, null]);
    }
  });

  it('returns the in-process results on the openb trace (3 policies × 2 seeds)', async () => {
    const base: SweepOptions = { nodesFile: NODES, podsFile: PODS, policies: ['random', 'bestfit', 'hetpool'], seeds: [42, 43], tune: 1.3, backend: 'wasm' };
    const one = await runSweep({ ...base, workers: 1 });
    const two = await runSweep({ ...base, workers: 2 });
    expect(two.map((r) => `${r.policy}/${r.seed}`)).toEqual(['random/42', 'random/43', 'bestfit/42', 'bestfit/43', 'hetpool/42', 'hetpool/43']);
    expect(two.map(outcome)).toEqual(one.map(outcome));
    // the replays are not all alike (so equality above says something): different policies place differently
    expect(new Set(one.map((r) => r.allocationRatio[130])).size).toBeGreaterThan(1);
  });

  it('property: on random small clusters, 2 workers return exactly the in-process runs', async () => {
    // Invariant: for any workload, policy subset and seeds, runSweep with 2 workers returns the
    // same runs (every field but wall-clock timing), in the same policy-major order, as 1 worker.
    const node = fc.record({ cpuMilli: fc.integer({ min: 1, max: 64 }).map((c) => c * 1000), memoryMiB: fc.integer({ min: 1024, max: 262144 }), gpuCount: fc.constantFrom(0, 1, 2, 4, 8), model: fc.constantFrom('V100', 'T4', 'A10') });
    const pod = fc.oneof(
      fc.record({ cpuMilli: fc.integer({ min: 0, max: 16000 }), memoryMiB: fc.integer({ min: 0, max: 65536 }), numGpu: fc.constant(1), gpuMilli: fc.integer({ min: 1, max: 999 }), gpuSpec: fc.constantFrom([], ['V100'], ['T4', 'A10']) }),
      fc.record({ cpuMilli: fc.integer({ min: 0, max: 16000 }), memoryMiB: fc.integer({ min: 0, max: 65536 }), numGpu: fc.constantFrom(1, 2, 4, 8), gpuMilli: fc.constant(1000), gpuSpec: fc.constantFrom([], ['V100']) }),
    );
    const names = ['random', 'dotprod', 'gpu-clustering', 'gpu-packing', 'bestfit', 'fgd', 'hetpool'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(node, { minLength: 1, maxLength: 6 }).filter((ns) => ns.some((n) => n.gpuCount > 0)),
        fc.array(pod, { minLength: 1, maxLength: 20 }),
        fc.subarray(names, { minLength: 2, maxLength: 3 }), // ≥ 2 runs, so the 2-worker side really uses the pool
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 2 }),
        async (ns, ps, policies, seeds) => {
          const w = workloadOf(ns.map((n, i) => ({ name: `n${i}`, ...n })), ps.map((p, i) => ({ name: `p${i}`, ...p, gpuSpec: [...p.gpuSpec] })));
          const base: SweepOptions = { ...NO_FILE, workload: w, policies, seeds, tune: 1.3, backend: 'wasm' };
          const one = await runSweep({ ...base, workers: 1 });
          const two = await runSweep({ ...base, workers: 2 });
          expect(two.map(outcome)).toEqual(one.map(outcome));
        },
      ),
      { numRuns: 3 },
    );
  });
});

describe('runSweep input', () => {
  it('rejects bad options before reading files or starting workers, naming the field', async () => {
    const base: SweepOptions = { ...NO_FILE, policies: ['fgd'], seeds: [42], tune: 1.3, backend: 'wasm', workers: 2 };
    // The files do not exist: an error about them would mean the options were checked too late.
    const cases: Array<[Partial<SweepOptions>, string]> = [
      [{ policies: ['fgd', 'nope'] }, 'policies[1]'],
      [{ policies: [] }, 'policies'],
      [{ seeds: [42, 1.5] }, 'seeds[1]'],
      [{ seeds: [] }, 'seeds'],
      [{ tune: 0 }, 'tune'],
      [{ workers: 0 }, 'workers'],
    ];
    for (const [bad, path] of cases) {
      let progressed = false;
      const e = await thrown(runSweep({ ...base, ...bad, onProgress: () => (progressed = true) }));
      expect(isHetpoolError(e) && e.code === 'invalid-input' && e.path === path, `${JSON.stringify(bad)} → ${String(e)}`).toBe(true);
      expect(progressed).toBe(false);
    }
  });

  it('reads the trace once in this thread: a missing file fails before any replay', async () => {
    let progressed = false;
    const e = await thrown(runSweep({ nodesFile: '/nonexistent/nodes.csv', podsFile: PODS, policies: ['fgd'], seeds: [42], tune: 1.3, backend: 'wasm', workers: 2, onProgress: () => (progressed = true) }));
    expect(isHetpoolError(e)).toBe(true);
    expect(String(e)).toContain('/nonexistent/nodes.csv');
    expect(progressed).toBe(false);
  });

  it('loads the same workload the CLI does (a sweep given it equals one that reads the files)', async () => {
    const opts = { policies: ['gpu-packing'], seeds: [7], tune: 1.3, backend: 'wasm' as const, workers: 1 };
    const [fromFiles] = await runSweep({ nodesFile: NODES, podsFile: PODS, ...opts });
    const [given] = await runSweep({ ...NO_FILE, workload: loadWorkload(NODES, PODS), ...opts });
    expect(outcome(given)).toEqual(outcome(fromFiles));
  });
});
