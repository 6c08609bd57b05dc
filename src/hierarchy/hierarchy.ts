/**
 * Hierarchical scheduling (§9.2g): the cluster is split into domains (by site, region, zone,
 * form, or a key function), each domain has its own engine — in this thread or in a worker
 * thread — and a top level routes each task to a domain by the domains' summaries (ledger.ts,
 * route.ts), falling back to the next domain when the chosen one cannot place it.
 *
 * The top level owns the pending queue: a domain engine holds a task only during the schedule()
 * call that sent it there; a task its domain cannot place is cancelled there before it is sent
 * elsewhere, so a task is bound at most once. Domains decide in parallel when they are workers.
 */
import type { Binding, Displaced, EngineStats, Unschedulable } from '../engine/types.js';
import { HetpoolError } from '../model/errors.js';
import { NodeSchema, TaskSchema } from '../model/schema.js';
import type { Node, NodeInput, Task, TaskInput } from '../model/types.js';
import { parseWith } from '../model/validate.js';
import type { EngineWorkerOptions } from '../pool/engine-client.js';
import { Ledger, type DomainSummary } from './ledger.js';
import { localPort, workerPort, type DomainPort } from './port.js';
import { debit, route, viewOf, type RouteView } from './route.js';

/** How nodes are grouped into domains. */
export type DomainKey = 'site' | 'region' | 'zone' | 'form' | ((node: Node) => string);

/** Options of {@link createHierarchy}. */
export interface HierarchyOptions {
  /** Domain of a node: a node field, or a function of the validated node. Missing values form the domain "-". */
  by: DomainKey;
  /** Options of every domain engine (policy, seed, backend, nodesToScore). */
  engine?: EngineWorkerOptions;
  /** Run each domain engine in its own worker thread (default false: in this thread). */
  workers?: boolean;
  /** Try the next domain when the chosen one cannot place a task (default true). */
  fallback?: boolean;
}

/** A task no domain placed in this cycle; it stays pending at the top level. */
export interface HierarchyUnschedulable extends Unschedulable {
  /** Domains that tried it, in order. */
  tried: string[];
}

/** The outcome of one hierarchical scheduling cycle. */
export interface HierarchyScheduleResult {
  bindings: Binding[];
  unschedulable: HierarchyUnschedulable[];
  /** Domain of each new binding (task id → domain). */
  domains: Record<string, string>;
  /** Tasks sent to a domain that could not place them and then routed on. */
  fallbacks: number;
  /** Routing rounds (1 + rounds of fallback). */
  rounds: number;
}

/** The hierarchy's API: the engine's shape (addNode/submit/schedule/release) with promises. */
export interface Hierarchy {
  addNode(node: NodeInput): Promise<void>;
  /** Add many nodes; all are validated first and none is added on any error. */
  addNodes(nodes: NodeInput[]): Promise<void>;
  /** Remove a node; its running tasks are pending again at the top level and returned. */
  removeNode(id: string): Promise<Displaced[]>;
  /** Queue tasks; all are validated first and the whole batch is rejected on any error. */
  submit(task: TaskInput | TaskInput[]): void;
  /** One cycle over the pending queue: route, place per domain, fall back. */
  schedule(): Promise<HierarchyScheduleResult>;
  release(taskId: string): Promise<void>;
  releaseMany(taskIds: string[]): Promise<void>;
  binding(taskId: string): Binding | undefined;
  /** Domain a running task is bound in. */
  domainOfTask(taskId: string): string | undefined;
  domains(): string[];
  /** Summaries the top level routes on (fresh). */
  summaries(): DomainSummary[];
  readonly stats: EngineStats & { domains: number };
  /** Statistics of every domain engine (from the engines themselves). */
  domainStats(): Promise<Record<string, EngineStats>>;
  close(): Promise<void>;
}

interface Pending {
  task: Task;
  seq: number;
  tried: string[];
}

const NO_DOMAIN = '-';

function keyFn(by: DomainKey): (n: Node) => string {
  if (typeof by === 'function') return (n) => String(by(n) ?? NO_DOMAIN) || NO_DOMAIN;
  if (by === 'site' || by === 'region' || by === 'zone' || by === 'form') return (n) => n[by] ?? NO_DOMAIN;
  throw new HetpoolError('invalid-input', 'options.by', "must be 'site', 'region', 'zone', 'form' or a function of the node");
}

/** Create a hierarchical scheduler. Domain engines start when their first node arrives. */
export function createHierarchy(options: HierarchyOptions): Hierarchy {
  if (options === null || typeof options !== 'object') throw new HetpoolError('invalid-input', 'options', 'must be an object');
  return new HierarchyImpl(options);
}

class HierarchyImpl implements Hierarchy {
  private readonly key: (n: Node) => string;
  private readonly ports = new Map<string, Promise<DomainPort>>();
  private readonly ledger = new Ledger();
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Map<string, { task: Task; binding: Binding; domain: string }>();
  private readonly fallback: boolean;
  private seq = 0;
  private busy = false;
  private closed = false;

  constructor(private readonly options: HierarchyOptions) {
    this.key = keyFn(options.by);
    this.fallback = options.fallback ?? true;
  }

  private port(domain: string): Promise<DomainPort> {
    let p = this.ports.get(domain);
    if (!p) {
      const o = this.options.engine ?? {};
      p = this.options.workers ? workerPort(o) : Promise.resolve(localPort(o));
      this.ports.set(domain, p);
    }
    return p;
  }

  private guard(): void {
    if (this.closed) throw new HetpoolError('conflict', 'hierarchy', 'the hierarchy is closed');
    if (this.busy) throw new HetpoolError('conflict', 'hierarchy', 'a schedule() or node change is in progress; await it first');
  }

  private async exclusive<T>(f: () => Promise<T>): Promise<T> {
    this.guard();
    this.busy = true;
    try {
      return await f();
    } finally {
      this.busy = false;
    }
  }

  addNode(node: NodeInput): Promise<void> {
    return this.addNodesAt([node], 'node');
  }

  addNodes(nodes: NodeInput[]): Promise<void> {
    if (!Array.isArray(nodes)) return Promise.reject(new HetpoolError('invalid-input', 'nodes', 'must be an array'));
    return this.addNodesAt(nodes, 'nodes');
  }

  private addNodesAt(inputs: NodeInput[], root: string): Promise<void> {
    return this.exclusive(async () => {
      const parsed: Node[] = [];
      const seen = new Set<string>();
      inputs.forEach((input, i) => {
        const path = root === 'node' ? 'node' : `${root}[${i}]`;
        const n = parseWith(NodeSchema, input, path);
        if (this.ledger.nodes.has(n.id) || seen.has(n.id)) throw new HetpoolError('conflict', `${path}.id`, `node "${n.id}" already exists`);
        seen.add(n.id);
        parsed.push(n);
      });
      const byDomain = new Map<string, Node[]>();
      for (const n of parsed) {
        const d = this.key(n);
        let list = byDomain.get(d);
        if (!list) byDomain.set(d, (list = []));
        list.push(n);
      }
      await Promise.all([...byDomain].map(async ([d, list]) => (await this.port(d)).addNodes(list)));
      for (const [d, list] of byDomain) for (const n of list) this.ledger.add(n, d);
    });
  }

  removeNode(id: string): Promise<Displaced[]> {
    return this.exclusive(async () => {
      const domain = this.ledger.domainOfNode(id);
      if (domain === undefined) throw new HetpoolError('not-found', 'nodeId', `node "${id}" does not exist`);
      const port = await this.port(domain);
      const displaced = await port.removeNode(id);
      // the domain requeued them; the top level owns the queue
      if (displaced.length) await port.cancelMany(displaced.map((d) => d.taskId));
      for (const d of displaced) {
        const r = this.running.get(d.taskId);
        if (!r) continue;
        this.ledger.charge(r.task, r.binding, -1);
        this.running.delete(d.taskId);
        this.pending.set(d.taskId, { task: r.task, seq: this.seq++, tried: [] });
      }
      this.ledger.remove(id);
      return displaced;
    });
  }

  submit(input: TaskInput | TaskInput[]): void {
    this.guard();
    const list = Array.isArray(input) ? input : [input];
    const root = Array.isArray(input) ? 'tasks' : 'task';
    const parsed: Task[] = [];
    const seen = new Set<string>();
    list.forEach((t, i) => {
      const path = Array.isArray(input) ? `${root}[${i}]` : root;
      const task = parseWith(TaskSchema, t, path);
      if (this.pending.has(task.id) || this.running.has(task.id) || seen.has(task.id)) throw new HetpoolError('conflict', `${path}.id`, `task "${task.id}" already exists`);
      seen.add(task.id);
      parsed.push(task);
    });
    for (const task of parsed) this.pending.set(task.id, { task, seq: this.seq++, tried: [] });
  }

  schedule(): Promise<HierarchyScheduleResult> {
    return this.exclusive(() => this.cycle());
  }

  private async cycle(): Promise<HierarchyScheduleResult> {
    const out: HierarchyScheduleResult = { bindings: [], unschedulable: [], domains: {}, fallbacks: 0, rounds: 0 };
    // priority first, then submission order (the engine's queue order)
    let queue = [...this.pending.values()].sort((a, b) => b.task.priority - a.task.priority || a.seq - b.seq);
    for (const p of queue) p.tried = [];
    const domains = this.ledger.domains();
    while (queue.length) {
      out.rounds++;
      const fresh = domains.map((d) => this.ledger.summary(d));
      const views: RouteView[] = fresh.map(viewOf);
      const freshViews: RouteView[] = fresh.map(viewOf);
      const sent = new Map<string, Pending[]>();
      const next: Pending[] = [];
      for (const p of queue) {
        const tried = new Set(p.tried);
        const v = route(views, p.task, tried);
        if (v) {
          debit(v, p.task);
          let list = sent.get(v.domain);
          if (!list) sent.set(v.domain, (list = []));
          list.push(p);
          p.tried.push(v.domain);
        } else if (route(freshViews, p.task, tried)) {
          next.push(p); // blocked only by this round's debits: try again with fresh summaries
        } else {
          out.unschedulable.push(this.unplaced(p, fresh));
        }
      }
      if (sent.size === 0) {
        for (const p of next) out.unschedulable.push(this.unplaced(p, fresh));
        break;
      }
      const results = await Promise.all(
        [...sent].map(async ([domain, list]) => {
          const port = await this.port(domain);
          await port.submit(list.map((p) => p.task));
          const r = await port.schedule();
          if (r.unschedulable.length) await port.cancelMany(r.unschedulable.map((u) => u.taskId));
          return { domain, r };
        }),
      );
      const failed = new Map<string, Unschedulable>();
      for (const { domain, r } of results) {
        for (const b of r.bindings) {
          const p = this.pending.get(b.taskId);
          if (!p) throw new HetpoolError('internal', `domains.${domain}`, `bound unknown task "${b.taskId}"`);
          this.pending.delete(b.taskId);
          this.running.set(b.taskId, { task: p.task, binding: b, domain });
          this.ledger.charge(p.task, b, 1);
          out.bindings.push(b);
          out.domains[b.taskId] = domain;
        }
        for (const u of r.unschedulable) failed.set(u.taskId, u);
      }
      for (const [, list] of sent) {
        for (const p of list) {
          const u = failed.get(p.task.id);
          if (!u) continue;
          if (this.fallback && p.tried.length < domains.length) {
            out.fallbacks++;
            next.push(p);
          } else {
            out.unschedulable.push({ ...u, tried: [...p.tried] });
          }
        }
      }
      queue = next.sort((a, b) => b.task.priority - a.task.priority || a.seq - b.seq);
    }
    return out;
  }

  private unplaced(p: Pending, fresh: readonly DomainSummary[]): HierarchyUnschedulable {
    const untried = fresh.filter((s) => !p.tried.includes(s.domain)).length;
    const why = p.tried.length ? `not placed in ${p.tried.join(', ')}` : 'no domain';
    const message = `${why}; ${untried ? `the summaries of the other ${untried} domain(s) show it cannot fit there` : 'no other domain'}`;
    return { taskId: p.task.id, reasons: [{ reason: 'no domain fits', nodes: 0 }], message, tried: [...p.tried] };
  }

  release(taskId: string): Promise<void> {
    return this.releaseMany([taskId]);
  }

  releaseMany(taskIds: string[]): Promise<void> {
    return this.exclusive(async () => {
      if (!Array.isArray(taskIds)) throw new HetpoolError('invalid-input', 'taskIds', 'must be an array');
      const byDomain = new Map<string, string[]>();
      taskIds.forEach((id, i) => {
        const r = this.running.get(id);
        if (!r) throw new HetpoolError('not-found', Array.isArray(taskIds) && taskIds.length > 1 ? `taskIds[${i}]` : 'taskId', `task "${id}" is not running`);
        let list = byDomain.get(r.domain);
        if (!list) byDomain.set(r.domain, (list = []));
        list.push(id);
      });
      await Promise.all([...byDomain].map(async ([d, ids]) => (await this.port(d)).releaseMany(ids)));
      for (const id of taskIds) {
        const r = this.running.get(id);
        if (!r) continue;
        this.ledger.charge(r.task, r.binding, -1);
        this.running.delete(id);
      }
    });
  }

  binding(taskId: string): Binding | undefined {
    return this.running.get(taskId)?.binding;
  }

  domainOfTask(taskId: string): string | undefined {
    return this.running.get(taskId)?.domain;
  }

  domains(): string[] {
    return this.ledger.domains();
  }

  summaries(): DomainSummary[] {
    return this.ledger.domains().map((d) => this.ledger.summary(d));
  }

  get stats(): EngineStats & { domains: number } {
    let devices = 0;
    for (const r of this.ledger.nodes.values()) devices += r.node.devices.length;
    return { nodes: this.ledger.nodes.size, devices, pending: this.pending.size, running: this.running.size, domains: this.ledger.domains().length };
  }

  async domainStats(): Promise<Record<string, EngineStats>> {
    const out: Record<string, EngineStats> = {};
    for (const d of this.ledger.domains()) out[d] = await (await this.port(d)).stats;
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.ports.values()].map(async (p) => (await p).close()));
  }
}

