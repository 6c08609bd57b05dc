/**
 * Inputs shared by the runners: generated clusters and task streams (src/sim/generate), cached
 * per (nodes, seed) so scenarios at the same size do not regenerate them.
 */
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import type { Cluster, NodeInput, TaskInput } from '../../src/model/types.js';
import { generateCluster, generateWorkload } from '../../src/sim/generate/index.js';

const clusters = new Map<string, Cluster>();

/** The generated cluster of `nodes` nodes (seed 42 unless given). */
export function clusterOf(nodes: number, seed = 42): Cluster {
  const key = `${nodes}/${seed}`;
  let c = clusters.get(key);
  if (!c) {
    c = generateCluster({ nodes, seed });
    clusters.set(key, c);
  }
  return c;
}

/** `n` tasks drawn from what `cluster` offers, ids prefixed with `prefix`. */
export function tasksFor(cluster: Cluster, n: number, seed: number, prefix: string): TaskInput[] {
  return generateWorkload({ tasks: n, seed, cluster, idPrefix: prefix }).tasks as TaskInput[];
}

/** An engine holding every node of `cluster`. */
export function engineWith(cluster: Cluster, options: EngineOptions): Engine {
  const e = createEngine(options);
  for (const n of cluster.nodes) e.addNode(n as NodeInput);
  return e;
}

/** Forget cached clusters (frees memory between large scenarios). */
export function dropClusters(): void {
  clusters.clear();
}
