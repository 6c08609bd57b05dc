/**
 * Hierarchical scheduling (src/hierarchy) against the flat engine on the same input: tasks placed,
 * CPU and device share allocated, and wall time of one scheduling cycle over every task. Domains
 * are the generated cluster's sites (or another node field); domain engines run in this thread,
 * or each in its own worker thread with the parameter `workers: 1` (start-up not timed).
 */
import { createHierarchy } from '../../src/hierarchy/index.js';
import type { Binding } from '../../src/engine/index.js';
import type { Cluster, TaskInput } from '../../src/model/types.js';
import { wallMs, type Row } from '../lib/harness.js';
import { clusterOf, engineWith, tasksFor } from '../lib/inputs.js';
import { num, str, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

/** Share of the cluster's CPU and device share (1000 milli per device) that `bindings` hold. */
function allocation(cluster: Cluster, tasks: Map<string, TaskInput>, bindings: Binding[]): { cpu: number; device: number } {
  let cpuCap = 0;
  let devCap = 0;
  for (const n of cluster.nodes) {
    cpuCap += n.cpuMilli;
    devCap += n.devices.length * 1000;
  }
  let cpu = 0;
  let dev = 0;
  for (const b of bindings) {
    cpu += tasks.get(b.taskId)?.cpuMilli ?? 0;
    for (const d of b.devices) dev += d.milli;
  }
  return { cpu: cpu / cpuCap, device: dev / devCap };
}

export async function runHierarchy(s: Scenario): Promise<RunnerOutput> {
  const nodes = num(s, 'nodes');
  const n = num(s, 'tasks');
  const by = str(s, 'by') as 'site';
  const workers = s.params.workers === undefined ? false : num(s, 'workers') > 0;
  const cluster = clusterOf(nodes);
  const tasks = tasksFor(cluster, n, 21, 'h');
  const byId = new Map(tasks.map((t) => [t.id, t]));

  const flat = engineWith(cluster, { policy: 'binpack', seed: 1 });
  flat.submit(tasks);
  const f = await wallMs(() => flat.schedule());
  const fAlloc = allocation(cluster, byId, f.value.bindings);

  const h = createHierarchy({ by, workers, engine: { policy: 'binpack', seed: 1 } });
  const add = await wallMs(() => h.addNodes(cluster.nodes));
  h.submit(tasks);
  const r = await wallMs(() => h.schedule());
  const hAlloc = allocation(cluster, byId, r.value.bindings);
  const domains = h.domains().length;
  await h.close();

  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const rows: Row[] = [
    { scenario: s.name, variant: `flat engine, ${n.toLocaleString('en-US')} tasks`, median: f.ms, unit: 'ms', opsPerSec: (n / f.ms) * 1000, note: `${f.value.bindings.length} placed; cpu ${pct(fAlloc.cpu)}, devices ${pct(fAlloc.device)}` },
    {
      scenario: s.name, variant: `hierarchy by ${by} (${domains} domains${workers ? ', workers' : ''})`, median: r.ms, unit: 'ms', opsPerSec: (n / r.ms) * 1000,
      ratio: r.value.bindings.length / Math.max(1, f.value.bindings.length), ratioOf: 'placed vs flat',
      note: `${r.value.bindings.length} placed; cpu ${pct(hAlloc.cpu)}, devices ${pct(hAlloc.device)}; ${r.value.fallbacks} fallbacks, ${r.value.rounds} rounds`,
    },
  ];
  return {
    rows,
    data: {
      params: s.params, domains,
      flat: { ms: f.ms, placed: f.value.bindings.length, allocation: fAlloc },
      hierarchy: { workers, addNodesMs: add.ms, ms: r.ms, placed: r.value.bindings.length, allocation: hAlloc, fallbacks: r.value.fallbacks, rounds: r.value.rounds },
    },
  };
}
