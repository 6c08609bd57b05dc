/**
 * What the top level of a hierarchy needs from a domain's engine, with promises so that a
 * domain can run in-process or in a worker thread (createEngineWorker) behind the same calls.
 */
import { createEngine } from '../engine/engine.js';
import type { Catalog, Displaced, EngineStats, ScheduleResult } from '../engine/types.js';
import type { NodeInput, TaskInput } from '../model/types.js';
import { createEngineWorker, type EngineWorkerOptions } from '../pool/engine-client.js';

/** A domain's engine as the top level drives it (batch calls only). */
export interface DomainPort {
  addNodes(nodes: NodeInput[]): Promise<void>;
  removeNode(id: string): Promise<Displaced[]>;
  submit(tasks: TaskInput[]): Promise<void>;
  schedule(): Promise<ScheduleResult>;
  cancelMany(taskIds: string[]): Promise<void>;
  releaseMany(taskIds: string[]): Promise<void>;
  catalog(): Promise<Catalog>;
  readonly stats: Promise<EngineStats>;
  close(): Promise<void>;
}

/** A domain engine in this thread. */
export function localPort(options: EngineWorkerOptions): DomainPort {
  const e = createEngine(options);
  const run = <T>(f: () => T): Promise<T> => {
    try {
      return Promise.resolve(f());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    addNodes: (nodes) => run(() => nodes.forEach((n) => e.addNode(n))),
    removeNode: (id) => run(() => e.removeNode(id)),
    submit: (tasks) => run(() => e.submit(tasks)),
    schedule: () => run(() => e.schedule()),
    cancelMany: (ids) => run(() => ids.forEach((id) => e.cancel(id))),
    releaseMany: (ids) => run(() => ids.forEach((id) => e.release(id))),
    catalog: () => run(() => e.catalog()),
    get stats() {
      return run(() => e.stats);
    },
    close: () => Promise.resolve(),
  };
}

/** A domain engine in its own worker thread. */
export function workerPort(options: EngineWorkerOptions): Promise<DomainPort> {
  return createEngineWorker(options);
}
