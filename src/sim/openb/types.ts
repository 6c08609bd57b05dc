/**
 * The replay's representation of an openb workload (fixtures/openb/README.md): GPU nodes with one
 * model each and pods asking for CPU, memory and `numGpu` GPUs of `gpuMilli` share each.
 */

/** A node: capacity in milli-CPU and MiB, `gpuCount` GPUs of `model` with 1000 milli each. */
export interface ReplayNode {
  name: string;
  cpuMilli: number;
  memoryMiB: number;
  gpuCount: number;
  /** GPU model name; empty for CPU-only nodes. */
  model: string;
}

/** A pod: `gpuMilli` < 1000 only with `numGpu` = 1 (a GPU-sharing pod). */
export interface ReplayPod {
  name: string;
  cpuMilli: number;
  memoryMiB: number;
  numGpu: number;
  gpuMilli: number;
  /** Allowed GPU models; empty = any. */
  gpuSpec: string[];
}

/** Most GPUs one node may hold (GPU sets are bit masks in the kernel). */
export const MAX_NODE_GPUS = 16;
/** Most distinct GPU models in one cluster (model sets are 32-bit masks). */
export const MAX_MODELS = 31;
