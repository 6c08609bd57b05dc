/**
 * The openb replay (Alibaba GPU cluster trace, fixtures/openb) per policy, one seed: milliseconds
 * per whole replay (load once, not timed) and the replay's own decisions per second. Target: FGD
 * ≤ 1 s per run.
 */
import { join } from 'node:path';
import { replayPolicy } from '../../src/sim/openb/policies.js';
import { runReplay, wasmBackend } from '../../src/sim/openb/replay.js';
import { loadWorkload } from '../../src/sim/openb/workload.js';
import { timeRuns, type Row } from '../lib/harness.js';
import { num, str, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

export const OPENB_NODES = join('fixtures', 'openb', 'openb_node_list_gpu_node.csv');
export const OPENB_PODS = join('fixtures', 'openb', 'openb_pod_list_default.csv');

export async function runOpenb(s: Scenario): Promise<RunnerOutput> {
  const seed = num(s, 'seed');
  const tune = num(s, 'tune');
  const repeat = num(s, 'repeat');
  const w = loadWorkload(OPENB_NODES, OPENB_PODS);
  const rows: Row[] = [];
  const runs: Record<string, unknown> = {};
  for (const name of str(s, 'policies').split(',')) {
    const policy = replayPolicy(name);
    let last: ReturnType<typeof runReplay> | undefined;
    const opts = { ...w, policy, seed, tune, backend: wasmBackend };
    runReplay(opts); // warm-up: JIT and kernel compilation
    const t = timeRuns(() => {
      last = runReplay(opts);
    }, repeat);
    const r = last!;
    const fgd = name === 'fgd';
    rows.push({
      scenario: s.name, variant: name, median: t.medianMs, p99: repeat > 1 ? t.p99Ms : undefined, unit: 'ms', opsPerSec: r.decisionsPerSecond,
      ...(fgd ? { target: '≤ 1000 ms', reached: t.medianMs <= 1000 } : {}),
      note: `${r.scheduled} placed, ${r.failed} failed`,
    });
    runs[name] = { ms: t.runsMs, loopMs: r.loopMs, decisionsPerSecond: r.decisionsPerSecond, scheduled: r.scheduled, failed: r.failed };
  }
  return { rows, data: { params: s.params, nodes: w.nodes.length, pods: w.pods.length, runs } };
}
