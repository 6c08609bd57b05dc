/**
 * An openb workload read once: nodes, pods and the study's typical pods M. Files are read and
 * validated together, so a bad file fails before any replay starts.
 */
import { loadNodes, loadPods } from './load.js';
import { type TypicalPod, typicalPods } from './typical.js';
import type { ReplayNode, ReplayPod } from './types.js';

/** Nodes, pods and their typical pods. */
export interface Workload {
  nodes: ReplayNode[];
  pods: ReplayPod[];
  typical: TypicalPod[];
}

/** Read `nodesFile` and `podsFile` (openb CSV or hetpool JSON). */
export function loadWorkload(nodesFile: string, podsFile: string): Workload {
  const nodes = loadNodes(nodesFile);
  const pods = loadPods(podsFile);
  return { nodes, pods, typical: typicalPods(pods) };
}
