/**
 * Node scorers: one small interface, a fixed 0..100 scale (higher = preferred), a registry that
 * rejects duplicate names and fails loudly on unknown ones. The built-ins `binpack` and `spread`
 * run inside the WebAssembly kernel (by id); a custom scorer is TypeScript, so an engine using
 * one makes its decisions on the TypeScript twin over the same columns.
 */
import { HetpoolError } from '../model/errors.js';
import type { Task } from '../model/types.js';
import { PlacementLayout as L } from '../core/placement.js';

/** Free and total amounts of one node, in base units (a reused object: do not keep it). */
export interface NodeResources {
  nodeId: string;
  cpuMilliFree: number;
  cpuMilliCapacity: number;
  memoryMiBFree: number;
  memoryMiBCapacity: number;
  /** Device milli summed over the node's devices. */
  deviceMilliFree: number;
  deviceMilliCapacity: number;
}

export interface Scorer {
  /** Unique registry name (the engine's `policy`). */
  name: string;
  /** Score 0..100 (an integer) of a node the task fits on; the highest wins, ties by seeded hash. */
  scoreNode(task: Task, node: NodeResources): number;
  /** Device choice on the chosen node: 'binpack' = best fit (default), 'spread' = most free. */
  devices?: 'binpack' | 'spread';
  /** Set on built-ins only: the kernel's policy id. */
  readonly kernelPolicy?: number;
}

/** Integer division as the kernel does it (operands are non-negative). */
const idiv = (a: number, b: number): number => (a - (a % b)) / b;
const clamp = (s: number): number => (s < 0 ? 0 : s > 100 ? 100 : s);

/** Device milli a task adds to its node's device dimension (profile tasks count 0: the profile decides). */
export function deviceDemand(task: Task): number {
  const a = task.accel;
  if (!a || a.profile) return 0;
  return a.milli === 1000 || a.exclusive ? 1000 * a.count : a.milli;
}

function meanOf(task: Task, node: NodeResources, dim: (free: number, cap: number, req: number) => number): number {
  let sum = 0;
  let dims = 0;
  if (node.cpuMilliCapacity > 0) { sum += dim(node.cpuMilliFree, node.cpuMilliCapacity, task.cpuMilli); dims++; }
  if (node.memoryMiBCapacity > 0) { sum += dim(node.memoryMiBFree, node.memoryMiBCapacity, task.memoryMiB); dims++; }
  if (task.accel && node.deviceMilliCapacity > 0) { sum += dim(node.deviceMilliFree, node.deviceMilliCapacity, deviceDemand(task)); dims++; }
  return dims === 0 ? 0 : idiv(sum, dims);
}

/**
 * Most-allocated (Kubernetes NodeResourcesFit MostAllocated): per dimension
 * ((capacity - free + request) · 100) / capacity, clamped to 0..100; the mean of CPU, memory and,
 * for accelerator tasks, device milli. Devices: best fit.
 */
export const binpack: Scorer = Object.freeze({
  name: 'binpack',
  devices: 'binpack' as const,
  kernelPolicy: L.POLICY_BINPACK,
  scoreNode: (task: Task, node: NodeResources) => meanOf(task, node, (free, cap, req) => clamp(idiv((cap - free + req) * 100, cap))),
});

/**
 * Least-allocated (Kubernetes NodeResourcesFit LeastAllocated): per dimension
 * ((free - request) · 100) / capacity, clamped to 0..100; the mean as for binpack. Devices: most free.
 */
export const spread: Scorer = Object.freeze({
  name: 'spread',
  devices: 'spread' as const,
  kernelPolicy: L.POLICY_SPREAD,
  scoreNode: (task: Task, node: NodeResources) => meanOf(task, node, (free, cap, req) => clamp(idiv((free - req) * 100, cap))),
});

const registry = new Map<string, Scorer>([
  [binpack.name, binpack],
  [spread.name, spread],
]);

/** Register a custom scorer; a duplicate name throws HetpoolError('conflict'). */
export function registerScorer(scorer: Scorer): void {
  if (!scorer || typeof scorer.name !== 'string' || scorer.name.length === 0) throw new HetpoolError('invalid-input', 'scorer.name', 'must be a non-empty string');
  if (typeof scorer.scoreNode !== 'function') throw new HetpoolError('invalid-input', 'scorer.scoreNode', 'must be a function');
  if (scorer.devices !== undefined && scorer.devices !== 'binpack' && scorer.devices !== 'spread') throw new HetpoolError('invalid-input', 'scorer.devices', "must be 'binpack' or 'spread'");
  if (registry.has(scorer.name)) throw new HetpoolError('conflict', 'scorer.name', `scorer "${scorer.name}" is already registered`);
  registry.set(scorer.name, scorer);
}

/** Remove a custom scorer (built-ins cannot be removed). */
export function unregisterScorer(name: string): boolean {
  if (name === binpack.name || name === spread.name) throw new HetpoolError('conflict', 'scorer.name', `built-in scorer "${name}" cannot be removed`);
  return registry.delete(name);
}

/** The scorer registered as `name`; unknown names throw HetpoolError('invalid-input', 'policy'). */
export function getScorer(name: string): Scorer {
  const s = registry.get(name);
  if (!s) throw new HetpoolError('invalid-input', 'policy', `unknown scorer "${name}" (known: ${[...registry.keys()].join(', ')})`);
  return s;
}

/** Names of all registered scorers, built-ins first. */
export function scorerNames(): string[] {
  return [...registry.keys()];
}
