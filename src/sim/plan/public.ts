/**
 * The public face of offline planning, exported from the package as `planning`: the cluster and
 * workload generators, the discrete-event simulator and the capacity planner (docs/planning.md).
 */
export * from '../generate/index.js';
export * from '../des/index.js';
export * from './index.js';
