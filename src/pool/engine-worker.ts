/**
 * The worker side of `createEngineWorker()` (src/pool/engine-client.ts): one engine per worker
 * thread, created by the first call (`init`), its methods exposed over Comlink on the parent
 * port. Listeners and tentative placements are handed back as Comlink proxies.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createEngine } from '../engine/engine.js';
import type { Engine, EngineEventName, ResizePatch } from '../engine/types.js';
import { HetpoolError } from '../model/errors.js';
import type { Health, NodeInput, TaskInput } from '../model/types.js';
import { registerHetpoolErrorTransfer, type AsyncTentative, type EngineWorkerApi, type EngineWorkerOptions } from './engine-client.js';

let engine: Engine | undefined;

function need(): Engine {
  if (!engine) throw new HetpoolError('conflict', 'engine', 'the worker engine is not initialised (call init first)');
  return engine;
}

const api: EngineWorkerApi = {
  init(options: EngineWorkerOptions) {
    if (engine) throw new HetpoolError('conflict', 'engine', 'the worker engine is already initialised');
    engine = createEngine(options);
    return engine.backend;
  },
  stats: () => need().stats,
  nodes: () => need().nodes(),
  node: (id: string) => need().node(id),
  tasks: () => need().tasks(),
  task: (id: string) => need().task(id),
  binding: (taskId: string) => need().binding(taskId),
  catalog: () => need().catalog(),
  addNode: (node: NodeInput) => need().addNode(node),
  addNodes(nodes: NodeInput[]) {
    const e = need();
    if (!Array.isArray(nodes)) throw new HetpoolError('invalid-input', 'nodes', 'must be an array');
    for (const n of nodes) e.addNode(n);
  },
  updateNode: (id: string, patch: Partial<NodeInput>) => need().updateNode(id, patch),
  removeNode: (id: string) => need().removeNode(id),
  drainNode: (id: string, drain?: boolean) => need().drainNode(id, drain),
  setNodeHealth: (id: string, health: Health) => need().setNodeHealth(id, health),
  setDeviceHealth: (nodeId: string, deviceId: string, health: Health) => need().setDeviceHealth(nodeId, deviceId, health),
  submit: (task: TaskInput | TaskInput[]) => need().submit(task),
  cancel: (taskId: string) => need().cancel(taskId),
  release: (taskId: string) => need().release(taskId),
  cancelMany(taskIds: string[]) {
    const e = need();
    if (!Array.isArray(taskIds)) throw new HetpoolError('invalid-input', 'taskIds', 'must be an array');
    for (const id of taskIds) e.cancel(id);
  },
  releaseMany(taskIds: string[]) {
    const e = need();
    if (!Array.isArray(taskIds)) throw new HetpoolError('invalid-input', 'taskIds', 'must be an array');
    for (const id of taskIds) e.release(id);
  },
  evict: (taskId: string, reason: string) => need().evict(taskId, reason),
  resize: (taskId: string, patch: ResizePatch) => need().resize(taskId, patch),
  invalidateFilters: (taskId?: string) => need().invalidateFilters(taskId),
  schedule: () => need().schedule(),
  place: (task: TaskInput) => need().place(task),
  placeMany(tasks: TaskInput[]) {
    const e = need();
    if (!Array.isArray(tasks)) throw new HetpoolError('invalid-input', 'tasks', 'must be an array');
    return tasks.map((t) => e.place(t));
  },
  tentative() {
    const t = need().tentative();
    return Comlink.proxy({ place: (task: TaskInput) => t.place(task), commit: () => t.commit(), discard: () => t.discard() }) as unknown as AsyncTentative;
  },
  on(event: EngineEventName, fn: (e: unknown) => void) {
    const off = need().on(event, fn as never);
    return Comlink.proxy(off);
  },
};

if (parentPort) {
  registerHetpoolErrorTransfer();
  Comlink.expose(api, nodeEndpoint(parentPort));
}
