/**
 * WebAssembly kernel versus TypeScript twin on identical inputs, throughput in one Benchmark.js
 * Suite: one operation = place() one task and release it, so the cluster state is the same at
 * every call (steady state) and both engines see the same sequence.
 */
import type { Engine } from '../../src/engine/index.js';
import { suite, type Row } from '../lib/harness.js';
import { clusterOf, engineWith, tasksFor } from '../lib/inputs.js';
import { num, str, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

export async function runBackends(s: Scenario): Promise<RunnerOutput> {
  const nodes = num(s, 'nodes');
  const policy = str(s, 'policy');
  const cluster = clusterOf(nodes);
  const pool = tasksFor(cluster, 512, 11, 'q');
  // Pre-fill a third of the cluster so decisions see partly used nodes, identically on both engines.
  const fill = tasksFor(cluster, Math.floor(nodes / 3), 12, 'f');
  const op = (e: Engine): (() => void) => {
    let i = 0;
    return () => {
      const t = pool[i++ & 511];
      const r = e.place(t);
      if ('nodeId' in r) e.release(t.id);
    };
  };
  const engines = (['wasm', 'ts'] as const).map((backend) => {
    const e = engineWith(cluster, { policy, seed: 1, backend });
    e.submit(fill);
    e.schedule();
    return { backend, e };
  });
  const res = suite(engines.map(({ backend, e }) => ({ name: backend, fn: op(e) })), { maxTime: num(s, 'maxTime') });
  const by = Object.fromEntries(res.map((r) => [r.name, r]));
  const ratio = by.wasm.hz / by.ts.hz;
  const rows: Row[] = res.map((r) => ({
    scenario: s.name,
    variant: `place+release ${r.name} (±${r.rme.toFixed(1)}%)`,
    median: 1e6 / r.hz,
    unit: 'µs',
    opsPerSec: r.hz,
    ...(r.name === 'wasm' ? { ratio, ratioOf: 'wasm/ts ops' } : {}),
  }));
  return { rows, data: { params: s.params, prefilled: fill.length, suite: res, ratioWasmOverTs: ratio } };
}
