/**
 * The openb trace replay (Alibaba cluster-trace-gpu-v2023, the FGD study's protocol): loading,
 * protocol, typical pods, policies, one replay, summaries. Sweeps over a worker pool live in
 * src/pool/sweep.ts; the CLI is `hetpool simulate`.
 */
export { loadNodes, loadPods, parseNodeCsv, parsePodCsv, nodesFromCluster, podsFromTaskList } from './load.js';
export { loadWorkload, type Workload } from './workload.js';
export { arrivalOrder, gpuCapacityMilli, podDemandMilli } from './protocol.js';
export { typicalPods, podKeyCounts, TYPICAL_COVERAGE, type TypicalPod } from './typical.js';
export { curvesOf, REPORT_MAX_PERCENT, type ReplayCurves } from './metrics.js';
export { REPLAY_POLICIES, replayPolicy, replayPolicies, type ReplayPolicy, type Published } from './policies.js';
export { runReplay, twinBackend, wasmBackend, backendNamed, type ReplayBackend, type ReplayRun, type ReplayOptions } from './replay.js';
export { summarise, meanStd, meanCurve, REPORT_POINTS, type PolicySummary } from './summary.js';
export type { ReplayNode, ReplayPod } from './types.js';
