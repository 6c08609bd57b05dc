/**
 * Lays an openb workload out as the replay's struct-of-arrays state (src/reference/openb.ts):
 * dense node and GPU slots, model ids as bits, pods grouped into classes of equal score inputs
 * (cpu, gpu milli, GPU count, allowed models), typical pods as integer-weighted rows.
 */
import { HetpoolError } from '../../model/errors.js';
import { type OpenbSizes, type OpenbState, sigmoidThresholds } from '../../reference/openb.js';
import type { TypicalPod } from './typical.js';
import { MAX_MODELS, type ReplayNode, type ReplayPod } from './types.js';

/** Model name → model id (bit position), in order of first appearance. */
export function modelIds(nodes: readonly ReplayNode[]): Map<string, number> {
  const ids = new Map<string, number>();
  for (const n of nodes) {
    if (n.gpuCount > 0 && !ids.has(n.model)) {
      if (ids.size >= MAX_MODELS) throw new HetpoolError('invalid-input', `nodes.${n.name}.model`, `at most ${MAX_MODELS} GPU models per cluster in the openb replay`);
      ids.set(n.model, ids.size);
    }
  }
  return ids;
}

/** Bit mask of the models in `spec` (empty = any model: all bits). Unknown models add no bit. */
export function modelMask(spec: readonly string[] | string, ids: Map<string, number>): number {
  const list = typeof spec === 'string' ? (spec ? spec.split('|') : []) : spec;
  if (list.length === 0) return -1;
  let mask = 0;
  for (const m of list) {
    const id = ids.get(m);
    if (id !== undefined) mask |= 1 << id;
  }
  return mask;
}

/** A typical-pod row with its integer weight, as the kernel reads it. */
export interface WeightedTypical {
  cpuMilli: number;
  gpuMilli: number;
  numGpu: number;
  gpuSpec: string;
  weight: number;
}

/** Everything the state needs besides its sizes. */
export interface ReplayInput {
  nodes: readonly ReplayNode[];
  pods: readonly ReplayPod[];
  /** Arrival order: indices into `pods`. */
  order: readonly number[];
  /** Reported fragmentation's distribution (the study's M). */
  typical: readonly TypicalPod[];
  /** The policy's distribution (M, or the policy's own weighting). */
  scoring: readonly WeightedTypical[];
  /** The policy's logistic scale, milli-GPU (FGD: 1000). */
  temperature?: number;
  /** Weight λ of stranded GPU share in the policy's fragmentation (hetpool; 0 = FGD's measure). */
  strandWeight?: number;
}

/** Class ids per arrival and the class table. */
export function podClasses(input: ReplayInput, ids: Map<string, number>): { classOf: Int32Array; classes: Array<[number, number, number, number]> } {
  const byKey = new Map<string, number>();
  const classes: Array<[number, number, number, number]> = [];
  const ofPod = new Int32Array(input.pods.length).fill(-1);
  const classOf = new Int32Array(input.order.length);
  input.order.forEach((i, p) => {
    if (ofPod[i] < 0) {
      const pod = input.pods[i];
      const row: [number, number, number, number] = [pod.cpuMilli, pod.gpuMilli, pod.numGpu, modelMask(pod.gpuSpec, ids)];
      const key = row.join(',');
      let c = byKey.get(key);
      if (c === undefined) {
        c = classes.length;
        byKey.set(key, c);
        classes.push(row);
      }
      ofPod[i] = c;
    }
    classOf[p] = ofPod[i];
  });
  return { classOf, classes };
}

/** Sizes and a filler that writes the input into a state of those sizes. */
export function prepareReplay(input: ReplayInput): { sizes: OpenbSizes; fill: (s: OpenbState) => void; typicalWeight: number } {
  const ids = modelIds(input.nodes);
  const { classOf, classes } = podClasses(input, ids);
  const gpuCount = input.nodes.reduce((s, n) => s + n.gpuCount, 0);
  const sizes: OpenbSizes = {
    nodeCount: input.nodes.length,
    gpuCount,
    classCount: Math.max(classes.length, 1),
    typCount: input.typical.length,
    scoCount: input.scoring.length,
    podCount: input.order.length,
  };
  const typicalWeight = input.typical.reduce((s, t) => s + t.count, 0);
  const scoringWeight = input.scoring.reduce((s, t) => s + t.weight, 0);
  const fill = (s: OpenbState): void => {
    let gpu = 0;
    input.nodes.forEach((n, i) => {
      s.nodeCpu[i] = n.cpuMilli;
      s.nodeMem[i] = n.memoryMiB;
      s.nodeModel[i] = n.gpuCount > 0 ? (ids.get(n.model) ?? 0) : 0;
      s.nodeGpuCount[i] = n.gpuCount;
      s.nodeFirstGpu[i] = gpu;
      s.nodeKeys[i] = 0;
      s.nodeVer[i] = 1;
      for (let g = 0; g < n.gpuCount; g++) s.gpuFree[gpu + g] = 1000;
      gpu += n.gpuCount;
    });
    classes.forEach(([cpu, milli, num, mask], c) => {
      s.clsCpu[c] = cpu;
      s.clsMilli[c] = milli;
      s.clsNum[c] = num;
      s.clsModels[c] = mask;
    });
    input.typical.forEach((t, m) => {
      s.typCpu[m] = t.cpuMilli;
      s.typMilli[m] = t.gpuMilli;
      s.typNum[m] = t.numGpu;
      s.typModels[m] = modelMask(t.gpuSpec, ids);
      s.typWeight[m] = t.count;
    });
    input.scoring.forEach((t, m) => {
      s.scoCpu[m] = t.cpuMilli;
      s.scoMilli[m] = t.gpuMilli;
      s.scoNum[m] = t.numGpu;
      s.scoModels[m] = modelMask(t.gpuSpec, ids);
      s.scoWeight[m] = t.weight;
    });
    s.thr.set(sigmoidThresholds(scoringWeight, input.temperature ?? 1000));
    s.cacheVer.fill(0);
    s.cacheScore.fill(0);
    s.podClass.set(classOf);
    input.order.forEach((i, p) => {
      s.podMem[p] = input.pods[i].memoryMiB;
    });
    s.scalars[0] = 0;
    s.scalars[1] = (input.strandWeight ?? 0) * scoringWeight;
  };
  return { sizes, fill, typicalWeight };
}
