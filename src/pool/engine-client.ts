/**
 * `createEngineWorker()`: a scheduling engine in a worker thread behind an async proxy with the
 * engine's API (every method returns a promise), so a service's main thread stays responsive
 * while the engine decides. Comlink carries the calls over `node:worker_threads`.
 *
 * Messages cost tens of microseconds each (structured clone + a thread hop), a single decision a
 * few microseconds: batch calls so one message carries at least a millisecond of work —
 * `submit([...])` then `schedule()`, `addNodes([...])`, `placeMany([...])`, `releaseMany([...])`, `cancelMany([...])`.
 *
 * The worker is `engine-worker.js` next to this module when the package is built (tsup emits
 * `dist/engine-worker.js`), else `engine-worker.ts` started through tsx (tests, `npx tsx`).
 * HetpoolError crosses the boundary intact (code, path, message, details): see
 * `registerHetpoolErrorTransfer()`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type {
  Binding, ResizePatch, ResizeResult, Engine, EngineEventName, EngineEventOf, EngineOptions, EngineStats, Unschedulable,
} from '../engine/types.js';
import { HetpoolError, type ErrorCode } from '../model/errors.js';
import type { Health, NodeInput, TaskInput } from '../model/types.js';

/**
 * Options of an engine in a worker: those of `createEngine` that can be copied to another thread.
 * Plugins and custom scorer objects are functions and cannot cross; use a built-in policy name.
 */
export type EngineWorkerOptions = Omit<EngineOptions, 'plugins' | 'scorer'>;

/** Tentative placements in the worker (all commit together or none does). */
export interface AsyncTentative {
  place(task: TaskInput): Promise<Binding | Unschedulable>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Engine methods the worker forwards unchanged: same names, arguments and results as `Engine`. */
type ForwardedName =
  | 'nodes' | 'node' | 'tasks' | 'task' | 'binding' | 'catalog'
  | 'addNode' | 'updateNode' | 'removeNode' | 'drainNode' | 'setNodeHealth' | 'setDeviceHealth'
  | 'submit' | 'cancel' | 'release' | 'evict' | 'resize' | 'invalidateFilters' | 'schedule' | 'place';
type Forwarded = Pick<Engine, ForwardedName>;
/** The same methods, each returning a promise of its result. */
type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/** Batch calls the worker adds, so one message carries ≥ 1 ms of work. */
interface BatchCalls<P extends 'sync' | 'async'> {
  /** Add many nodes in one message; stops at the first invalid node (those before it stay added). */
  addNodes(nodes: NodeInput[]): P extends 'sync' ? void : Promise<void>;
  /** Cancel many tasks in one message; stops at the first unknown id. */
  cancelMany(taskIds: string[]): P extends 'sync' ? void : Promise<void>;
  /** Release many running tasks in one message; stops at the first unknown id. */
  releaseMany(taskIds: string[]): P extends 'sync' ? void : Promise<void>;
  /** `place()` for each task in order, in one message. */
  placeMany(tasks: TaskInput[]): P extends 'sync' ? Array<Binding | Unschedulable> : Promise<Array<Binding | Unschedulable>>;
}

/**
 * The engine API with promises, plus batch calls and `close()`. Derived from `Engine`
 * (src/engine/types.ts), so a method added there is added here by listing it in ForwardedName;
 * `stats` is a promise-valued property.
 */
export interface AsyncEngine extends Promised<Forwarded>, BatchCalls<'async'> {
  /** Which backend decides in the worker. */
  readonly backend: 'wasm' | 'ts';
  /** Engine statistics (a fresh promise at each read). */
  readonly stats: Promise<EngineStats>;
  tentative(): Promise<AsyncTentative>;
  /** Subscribe to engine events; the listener runs on this thread. Resolves to an unsubscribe function. */
  on<N extends EngineEventName>(event: N, fn: (e: EngineEventOf<N>) => void): Promise<() => Promise<void>>;
  /** End the worker thread; calls in flight and later calls reject. Idempotent. */
  close(): Promise<void>;
  /** Resolves with the thread's exit code once it has ended (after close() or a crash). */
  readonly exited: Promise<number>;
}

/** What the worker exposes (src/pool/engine-worker.ts). */
export interface EngineWorkerApi extends Forwarded, BatchCalls<'sync'> {
  init(options: EngineWorkerOptions): 'wasm' | 'ts';
  stats(): EngineStats;
  tentative(): AsyncTentative;
  on(event: EngineEventName, fn: (e: unknown) => void): () => void;
}

interface WireError {
  hetpool: boolean;
  name: string;
  message: string;
  stack?: string;
  code?: ErrorCode;
  path?: string;
  details?: unknown;
}

/** Structured-clone `v` if it can be cloned, else drop it (error details are advisory). */
function cloneable(v: unknown): unknown {
  if (v === undefined) return undefined;
  try {
    return structuredClone(v);
  } catch {
    return undefined;
  }
}

let registered = false;

/**
 * Make thrown HetpoolErrors cross a Comlink boundary as HetpoolErrors (Comlink's default 'throw'
 * handler keeps only name, message and stack). Both sides register it: the worker serialises,
 * the caller rebuilds. Other errors keep Comlink's behaviour (an Error with name/message/stack).
 */
export function registerHetpoolErrorTransfer(): void {
  if (registered) return;
  registered = true;
  const marker = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<{ value: unknown }, unknown> | undefined;
  const handler: Comlink.TransferHandler<{ value: unknown }, { isError: boolean; value: unknown }> = {
    canHandle: (v): v is { value: unknown } => (marker ? marker.canHandle(v) : false),
    serialize({ value }) {
      if (value instanceof Error) {
        // by shape as well as by class: a bundle may hold a second copy of the class
        const h = value as Partial<HetpoolError>;
        const hetpool = value instanceof HetpoolError || (value.name === 'HetpoolError' && typeof h.code === 'string' && typeof h.path === 'string');
        const w: WireError = { hetpool, name: value.name, message: value.message, stack: value.stack };
        if (hetpool) {
          w.code = h.code;
          w.path = h.path;
          w.details = cloneable(h.details);
        }
        return [{ isError: true, value: w }, []];
      }
      return [{ isError: false, value: cloneable(value) }, []];
    },
    deserialize(s) {
      if (!s.isError) throw s.value;
      const w = s.value as WireError;
      if (w.hetpool && w.code !== undefined) {
        const e = new HetpoolError(w.code, w.path ?? '', '', w.details);
        e.message = w.message; // already "path: message"; do not prefix twice
        if (w.stack) e.stack = w.stack;
        throw e;
      }
      throw Object.assign(new Error(w.message), { name: w.name, stack: w.stack });
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}

/**
 * How to start the worker: the built `engine-worker.js` next to this module, else the TypeScript
 * source through tsx. Node 20 does not apply `execArgv: ['--import', 'tsx']` hooks to a worker's
 * own entry file, so the source case boots from a two-line script that registers tsx's ESM hooks
 * in the worker and then imports the source (same effect as `--import tsx`).
 */
export function engineWorkerEntry(): { filename: string; eval: boolean; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const built of [join(here, 'engine-worker.js'), join(here, 'engine-worker.mjs')]) {
    if (existsSync(built)) return { filename: built, eval: false, execArgv: [] };
  }
  const source = join(here, 'engine-worker.ts');
  if (!existsSync(source)) throw new HetpoolError('internal', here, 'engine-worker not found next to the engine client module');
  const boot = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`;
  return { filename: boot, eval: true, execArgv: [] };
}

/** URL of tsx's ESM API (`tsx/esm/api`, import condition), resolved from this module. */
function tsxApiUrl(): string {
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  try {
    if (typeof meta.resolve === 'function') return meta.resolve('tsx/esm/api');
  } catch {
    // fall through to require.resolve
  }
  // require.resolve gives the CommonJS build (dist/esm/api/index.cjs); its ESM twin lies beside it.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

class EngineWorkerClient implements AsyncEngine {
  private closing = false;
  readonly exited: Promise<number>;
  /** Rejects when the thread ends, so calls in flight then do not hang. */
  private readonly gone: Promise<never>;

  constructor(
    private readonly worker: Worker,
    private readonly remote: Comlink.Remote<EngineWorkerApi>,
    readonly backend: 'wasm' | 'ts',
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    this.gone = this.exited.then((code) => {
      throw new HetpoolError('conflict', 'engine', `the engine worker has ended (exit code ${code})${this.closing ? ': close() was called' : ''}`);
    });
    this.gone.catch(() => undefined);
    worker.on('error', () => undefined); // a crash surfaces as 'exit' → calls reject
  }

  private call<T>(f: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new HetpoolError('conflict', 'engine', 'the engine worker is closed'));
    return Promise.race([f(), this.gone]);
  }

  get stats(): Promise<EngineStats> {
    return this.call(() => this.remote.stats());
  }
  nodes() { return this.call(() => this.remote.nodes()); }
  node(id: string) { return this.call(() => this.remote.node(id)); }
  tasks() { return this.call(() => this.remote.tasks()); }
  task(id: string) { return this.call(() => this.remote.task(id)); }
  binding(taskId: string) { return this.call(() => this.remote.binding(taskId)); }
  catalog() { return this.call(() => this.remote.catalog()); }
  addNode(node: NodeInput) { return this.call(() => this.remote.addNode(node)); }
  addNodes(nodes: NodeInput[]) { return this.call(() => this.remote.addNodes(nodes)); }
  updateNode(id: string, patch: Partial<NodeInput>) { return this.call(() => this.remote.updateNode(id, patch)); }
  removeNode(id: string) { return this.call(() => this.remote.removeNode(id)); }
  drainNode(id: string, drain?: boolean) { return this.call(() => this.remote.drainNode(id, drain)); }
  setNodeHealth(id: string, health: Health) { return this.call(() => this.remote.setNodeHealth(id, health)); }
  setDeviceHealth(nodeId: string, deviceId: string, health: Health) { return this.call(() => this.remote.setDeviceHealth(nodeId, deviceId, health)); }
  submit(task: TaskInput | TaskInput[]) { return this.call(() => this.remote.submit(task)); }
  cancel(taskId: string) { return this.call(() => this.remote.cancel(taskId)); }
  cancelMany(taskIds: string[]) { return this.call(() => this.remote.cancelMany(taskIds)); }
  release(taskId: string) { return this.call(() => this.remote.release(taskId)); }
  releaseMany(taskIds: string[]) { return this.call(() => this.remote.releaseMany(taskIds)); }
  evict(taskId: string, reason: string) { return this.call(() => this.remote.evict(taskId, reason)); }
  resize(taskId: string, patch: ResizePatch) { return this.call<ResizeResult>(() => this.remote.resize(taskId, patch)); }
  invalidateFilters(taskId?: string) { return this.call(() => this.remote.invalidateFilters(taskId)); }
  schedule() { return this.call(() => this.remote.schedule()); }
  place(task: TaskInput) { return this.call<Binding | Unschedulable>(() => this.remote.place(task)); }
  placeMany(tasks: TaskInput[]) { return this.call(() => this.remote.placeMany(tasks)); }
  async tentative(): Promise<AsyncTentative> {
    const t = (await this.call(() => this.remote.tentative())) as unknown as Comlink.Remote<AsyncTentative>;
    const end = (): void => {
      void t[Comlink.releaseProxy]();
    };
    return {
      place: (task) => this.call(() => t.place(task) as Promise<Binding | Unschedulable>),
      commit: () => this.call(() => t.commit()).finally(end),
      discard: () => this.call(() => t.discard()).finally(end),
    };
  }
  async on<N extends EngineEventName>(event: N, fn: (e: EngineEventOf<N>) => void): Promise<() => Promise<void>> {
    const off = (await this.call(() => this.remote.on(event, Comlink.proxy(fn as (e: unknown) => void)))) as unknown as Comlink.Remote<() => void>;
    return () =>
      this.call(() => off()).finally(() => {
        void off[Comlink.releaseProxy]();
      });
  }
  async close(): Promise<void> {
    if (this.closing) {
      await this.exited;
      return;
    }
    this.closing = true;
    await this.worker.terminate();
    await this.exited;
  }
}

/**
 * Start an engine in a worker thread. Resolves once the engine exists (options validated in the
 * worker: a bad option rejects with the engine's HetpoolError and the thread is ended).
 *
 * @example
 * const engine = await createEngineWorker({ policy: 'binpack', seed: 1 });
 * await engine.addNodes(nodes);
 * await engine.submit(tasks);
 * const { bindings } = await engine.schedule();
 * await engine.close();
 */
export async function createEngineWorker(options: EngineWorkerOptions = {}): Promise<AsyncEngine> {
  const o = options as EngineOptions;
  if (o !== null && typeof o === 'object') {
    if (o.plugins !== undefined) throw new HetpoolError('invalid-input', 'options.plugins', 'plugins cannot cross a worker boundary (they are functions); use createEngine() in-process');
    if (o.scorer !== undefined) throw new HetpoolError('invalid-input', 'options.scorer', 'a scorer object cannot cross a worker boundary; pass a built-in policy name');
  }
  registerHetpoolErrorTransfer();
  const entry = engineWorkerEntry();
  const worker = new Worker(entry.filename, { eval: entry.eval, execArgv: entry.execArgv });
  const remote = Comlink.wrap<EngineWorkerApi>(nodeEndpoint(worker));
  let onError: (e: Error) => void = () => undefined;
  let onExit: (code: number) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
    onExit = (code) => reject(new HetpoolError('internal', 'engine-worker', `engine worker exited with code ${code} before it started`));
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
  failed.catch(() => undefined);
  try {
    const backend = await Promise.race([remote.init(options), failed]);
    return new EngineWorkerClient(worker, remote, backend);
  } catch (e) {
    remote[Comlink.releaseProxy]();
    await worker.terminate();
    throw e;
  } finally {
    worker.off('error', onError);
    worker.off('exit', onExit);
  }
}
