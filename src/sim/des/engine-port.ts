/**
 * The part of the engine API (docs/engine.md) the simulator drives, stated structurally so the
 * simulator depends on the contract, not on the engine's internals: any object with these
 * methods — the real `createEngine()` engine on either backend — can be simulated.
 */
import type { Health, NodeInput, TaskInput } from '../../model/index.js';

/** A task bound to a node and devices (engine `Binding`). */
export interface SimBinding {
  taskId: string;
  nodeId: string;
  devices: ReadonlyArray<{ deviceId: string; milli: number; memoryMiB: number; profile?: string }>;
}
/** A task that did not fit this cycle, with per-reason node counts (engine `Unschedulable`). */
export interface SimUnschedulable {
  taskId: string;
  reasons: ReadonlyArray<{ reason: string; nodes: number }>;
  message: string;
}
/** A running task pushed off its node by removal or failure; the engine requeued it. */
export interface SimDisplaced {
  taskId: string;
  nodeId: string;
  reason: string;
}
/** The engine methods the simulator calls. */
export interface SimEngine {
  addNode(node: NodeInput): void;
  removeNode(id: string): SimDisplaced[];
  setNodeHealth(id: string, health: Health): SimDisplaced[];
  setDeviceHealth(nodeId: string, deviceId: string, health: Health): SimDisplaced[];
  submit(task: TaskInput | TaskInput[]): void;
  cancel(taskId: string): void;
  release(taskId: string): void;
  schedule(): { bindings: SimBinding[]; unschedulable: SimUnschedulable[] };
  /**
   * Optional: decide one new task now (bind it, or leave no trace and say why), as `submit` then
   * `schedule` would with nothing else pending. When present, the simulator tries arrivals and
   * waiting tasks through it: `schedule()` walks every task the engine holds, running ones
   * included, so one cycle per try made a run cost O(arrivals × running tasks).
   */
  place?(task: TaskInput): SimBinding | SimUnschedulable;
}
