/**
 * The discrete-event simulator (src/sim/des) driving the engine: `arrivals` generated tasks
 * (Poisson arrivals, log-normal durations) on a generated cluster, wall time of the whole run.
 * Target: one million arrivals on 10,000 nodes ≤ 20 s (`--quick`: 100,000 arrivals). With the
 * parameter `nodesToScore` > 0 the simulator drives an engine that scores only that many fitting
 * nodes per decision (sampling, like kube-scheduler's percentageOfNodesToScore).
 */
import { createEngine } from '../../src/engine/index.js';
import { simulate } from '../../src/sim/des/index.js';
import { workloadStream } from '../../src/sim/generate/index.js';
import { wallMs, type Row } from '../lib/harness.js';
import { clusterOf } from '../lib/inputs.js';
import { num, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

/** Target wall time for 1,000,000 arrivals, seconds (scaled linearly for fewer arrivals). */
export const DES_TARGET_S_PER_MILLION = 20;

export async function runDes(s: Scenario): Promise<RunnerOutput> {
  const nodes = num(s, 'nodes');
  const arrivals = num(s, 'arrivals');
  const cluster = clusterOf(nodes);
  // 40 arrivals/s × mean duration ≈ 1,230 s (log-normal, median 600 s, σ 1.2) ≈ 50,000 tasks running at once
  const arrivalRate = 40;
  const sample = s.params.nodesToScore === undefined ? 0 : num(s, 'nodesToScore');
  const engine = sample > 0 ? createEngine({ policy: 'binpack', seed: 5, nodesToScore: sample }) : undefined;
  const { ms, value: r } = await wallMs(() => simulate({ cluster, workload: workloadStream({ tasks: arrivals, seed: 5, cluster, arrivalRate }), policy: 'binpack', seed: 5, sampleInterval: 600, engine }));
  const targetS = (DES_TARGET_S_PER_MILLION * arrivals) / 1_000_000;
  const rows: Row[] = [
    {
      scenario: s.name, variant: `${arrivals.toLocaleString('en-US')} arrivals on ${nodes.toLocaleString('en-US')} nodes${sample ? `, nodesToScore ${sample}` : ', exact'}`, median: ms / 1000, unit: 's', opsPerSec: (arrivals / ms) * 1000,
      target: `≤ ${targetS} s`, reached: ms / 1000 <= targetS, note: `${r.placed} placed, ${r.failedToPlace} never, ${r.cycles} cycles`,
    },
  ];
  return { rows, data: { params: s.params, arrivalRate, wallMs: ms, arrived: r.arrived, placed: r.placed, completed: r.completed, failedToPlace: r.failedToPlace, cycles: r.cycles, utilisation: r.utilisation, wait: r.wait, makespan: r.makespan } };
}
