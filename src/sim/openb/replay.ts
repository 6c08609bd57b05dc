/**
 * One replay: a policy and a seed over an openb workload, following the study's protocol
 * (fixtures/openb/README.md): arrival order, one pass, metrics after every pod, curves at
 * 0..130% arrived. The scheduling loop runs in a backend: the WebAssembly kernel or its twin.
 */
import { createWasmOpenbState, initWasmOpenb, replayWasmOpenb } from '../../core/openb.js';
import { initNodes, type OpenbSizes, type OpenbState, allocOpenbState, replayPods } from '../../reference/openb.js';
import { curvesOf, type ReplayCurves } from './metrics.js';
import { prepareReplay } from './prepare.js';
import { arrivalOrder, gpuCapacityMilli, podDemandMilli } from './protocol.js';
import type { ReplayPolicy } from './policies.js';
import type { TypicalPod } from './typical.js';
import type { ReplayNode, ReplayPod } from './types.js';

/** Where the scheduling loop runs. */
export interface ReplayBackend {
  readonly name: 'wasm' | 'ts';
  /** A state of these sizes (zeroed). */
  state(sizes: OpenbSizes): OpenbState;
  /** Fill node fragmentation caches; returns the scaled cluster fragmentation. */
  init(s: OpenbState): number;
  /** Schedule arrivals from..to−1; returns the scaled cluster fragmentation after them. */
  run(s: OpenbState, policy: number, seed: number, from: number, to: number, frag: number): number;
}

/** The TypeScript twin as a backend. */
export const twinBackend: ReplayBackend = {
  name: 'ts',
  state: allocOpenbState,
  init: initNodes,
  run: replayPods,
};

/** The WebAssembly kernel as a backend (the module is compiled once per thread). */
export const wasmBackend: ReplayBackend = {
  name: 'wasm',
  state: createWasmOpenbState,
  init: initWasmOpenb,
  run: replayWasmOpenb,
};

/** The backend called `name`. */
export const backendNamed = (name: 'wasm' | 'ts'): ReplayBackend => (name === 'ts' ? twinBackend : wasmBackend);

/** The outcome of one replay. */
export interface ReplayRun extends ReplayCurves {
  policy: string;
  seed: number;
  /** Arrivals placed and failed. */
  scheduled: number;
  failed: number;
  decisionsPerSecond: number;
  /** Milliseconds in the scheduling loop. */
  loopMs: number;
  /** GPU allocation per node at the end, milli used of the node's GPUs (heat map). */
  nodeUsedMilli: number[];
  nodeGpuMilli: number[];
}

/** Inputs of a replay. */
export interface ReplayOptions {
  nodes: readonly ReplayNode[];
  pods: readonly ReplayPod[];
  typical: readonly TypicalPod[];
  policy: ReplayPolicy;
  seed: number;
  tune: number;
  backend: ReplayBackend;
}

/** Run one replay. */
export function runReplay(o: ReplayOptions): ReplayRun {
  const capacity = gpuCapacityMilli(o.nodes);
  const order = arrivalOrder(o.pods, o.seed, o.tune, capacity);
  const { sizes, fill, typicalWeight } = prepareReplay({ nodes: o.nodes, pods: o.pods, order, typical: o.typical, scoring: o.policy.scoring(o.typical), temperature: o.policy.temperature, strandWeight: o.policy.strandWeight });
  const s = o.backend.state(sizes);
  fill(s);
  const t0 = performance.now();
  const frag0 = o.backend.init(s);
  o.backend.run(s, o.policy.id, o.seed, 0, order.length, frag0);
  const loopMs = performance.now() - t0;
  const arrived = new Float64Array(order.length);
  const frag = new Float64Array(order.length);
  let sum = 0;
  let scheduled = 0;
  for (let p = 0; p < order.length; p++) {
    sum += podDemandMilli(o.pods[order[p]]);
    arrived[p] = sum;
    frag[p] = typicalWeight > 0 ? s.podFrag[p] / typicalWeight : 0;
    if (s.podNode[p] >= 0) scheduled++;
  }
  const curves = curvesOf(arrived, s.podUsed, frag, capacity);
  const nodeUsedMilli: number[] = [];
  const nodeGpuMilli: number[] = [];
  for (let n = 0; n < sizes.nodeCount; n++) {
    const first = s.nodeFirstGpu[n];
    let used = 0;
    for (let g = 0; g < s.nodeGpuCount[n]; g++) used += 1000 - s.gpuFree[first + g];
    nodeUsedMilli.push(used);
    nodeGpuMilli.push(s.nodeGpuCount[n] * 1000);
  }
  return {
    policy: o.policy.name,
    seed: o.seed,
    ...curves,
    scheduled,
    failed: order.length - scheduled,
    decisionsPerSecond: loopMs > 0 ? Math.round((order.length / loopMs) * 1000) : 0,
    loopMs,
    nodeUsedMilli,
    nodeGpuMilli,
  };
}
