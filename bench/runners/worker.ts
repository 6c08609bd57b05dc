/**
 * The engine in a worker thread (createEngineWorker) against the same engine in this thread:
 * wall time per batch (submit + schedule of `batch` tasks), the cost of one message round trip,
 * and how long this thread's event loop is blocked while the engine decides (the reason for the
 * worker: the main thread stays responsive).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEngine } from '../../src/engine/index.js';
import type { NodeInput } from '../../src/model/types.js';
import { createEngineWorker } from '../../src/pool/engine-client.js';
import { percentile, wallMs, type Row } from '../lib/harness.js';
import { clusterOf, tasksFor } from '../lib/inputs.js';
import { num, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

export async function runWorker(s: Scenario): Promise<RunnerOutput> {
  const nodes = num(s, 'nodes');
  const batch = num(s, 'batch');
  const batches = num(s, 'batches');
  const cluster = clusterOf(nodes);
  const all = tasksFor(cluster, batch * batches, 31, 'w');
  const start = await wallMs(() => createEngineWorker({ policy: 'binpack', seed: 1 }));
  const remote = start.value;
  const local = createEngine({ policy: 'binpack', seed: 1 });
  try {
    await remote.addNodes(cluster.nodes as NodeInput[]);
    for (const n of cluster.nodes) local.addNode(n as NodeInput);

    const per: Record<'local' | 'worker', number[]> = { local: [], worker: [] };
    const lag: Record<'local' | 'worker', number> = { local: 0, worker: 0 };
    for (const which of ['local', 'worker'] as const) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      for (let b = 0; b < batches; b++) {
        const tasks = all.slice(b * batch, (b + 1) * batch);
        // yield between batches so the delay monitor can observe the loop
        await new Promise((res) => setImmediate(res));
        const t = await wallMs(async () => {
          if (which === 'local') {
            local.submit(tasks);
            return local.schedule();
          }
          await remote.submit(tasks);
          return remote.schedule();
        });
        per[which].push(t.ms);
      }
      h.disable();
      lag[which] = h.max / 1e6;
    }
    const rtt: number[] = [];
    for (let i = 0; i < 200; i++) rtt.push((await wallMs(() => remote.stats)).ms * 1000);
    const med = (a: number[]): number => percentile([...a].sort((x, y) => x - y), 50);
    const rows: Row[] = [
      { scenario: s.name, variant: `in-process, ${batch}-task batch`, median: med(per.local), unit: 'ms', opsPerSec: (batch / med(per.local)) * 1000, note: `main loop blocked up to ${lag.local.toFixed(1)} ms` },
      { scenario: s.name, variant: `worker, ${batch}-task batch`, median: med(per.worker), unit: 'ms', opsPerSec: (batch / med(per.worker)) * 1000, ratio: med(per.worker) / med(per.local), ratioOf: 'worker/in-process time', note: `main loop blocked up to ${lag.worker.toFixed(1)} ms` },
      { scenario: s.name, variant: 'worker message round trip (stats)', median: med(rtt), p99: percentile([...rtt].sort((x, y) => x - y), 99), unit: 'µs', opsPerSec: 1e6 / med(rtt) },
    ];
    return { rows, data: { params: s.params, workerStartMs: start.ms, batchMs: per, maxEventLoopDelayMs: lag, roundTripUs: { median: med(rtt) } } };
  } finally {
    await remote.close();
  }
}
