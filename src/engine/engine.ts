/**
 * The engine facade: node and task tables (string ids → dense slots), the pending queue, the
 * scheduling cycle, hot-plug with displacement, plugin hooks and events. Decisions are made by
 * the placement kernel (src/core/placement.ts) on the WebAssembly backend or its TypeScript twin.
 */
import { PlacementLayout as L, PlacementState, MASK_SLOTS, SET_SLOTS } from '../core/placement.js';
import { HetpoolError } from '../model/errors.js';
import { HealthSchema, NodeSchema } from '../model/schema.js';
import type { Health, Node, NodeInput, Task, TaskInput } from '../model/types.js';
import { fastParseTask } from '../model/fast-task.js';
import { parseTask, parseWith } from '../model/validate.js';
import { buildCatalog, type CatalogSource } from './catalog.js';
import { constraintReason, constraintSignature, hasNodeConstraints, isHardTaint, setSignature, untoleratedTaint } from './constraints.js';
import { encodeTask, KIND_ID, NO_SUCH_ID, precisionBits, sharingOf, takesWholeDevices } from './encoding.js';
import { EngineEvents } from './events.js';
import { checkPlugins, type EnginePlugin, type ReleaseWhy } from './plugins.js';
import { choiceProblem, feasibleDevices } from './device-choice.js';
import { resizedDevices, resizedTask, sizesOf } from './resize.js';
import { reasonMessage, reasonText, sortReasons } from './reasons.js';
import { getScorer, type NodeResources, type Scorer } from './scorers.js';
import { BlockTable, Interner, SlotTable } from './slots.js';
import type {
  Binding, BoundDevice, Catalog, Displaced, Engine, EngineEvent, EngineEventName, EngineEventOf, EngineOptions, EngineStats,
  ResizePatch, ResizeResult, ScheduleResult, TaskState, Tentative, Unschedulable,
} from './types.js';

/** A node's place in the columns. */
interface NodeRec {
  node: Node;
  slot: number;
  devFirst: number;
  /** First profile slot and count of each device (by index in node.devices). */
  profFirst: number[];
  profCount: number[];
  /** Running task ids in bind order. */
  running: Set<string>;
}

/** What a running task holds, exactly as charged to the columns. */
interface DevAlloc {
  deviceId: string;
  share: 'whole' | 'fraction' | 'profile';
  milli: number;
  memoryMiB: number;
  profile?: string;
}
interface Alloc {
  nodeId: string;
  devices: DevAlloc[];
}

const SCRATCH = 0;

/** Index of device `id` in `node.devices`, -1 when gone (a loop: charge() runs on every bind and release). */
function deviceIndex(node: Node, id: string): number {
  const devices = node.devices;
  for (let i = 0; i < devices.length; i++) if (devices[i].id === id) return i;
  return -1;
}

/** The queue order without plugin compares: priority descending, then submission order. */
const byPriorityThenSeq = (a: TaskState, b: TaskState): number => b.task.priority - a.task.priority || a.seq - b.seq;

/** Create a scheduling engine. Options are validated; unknown policies fail loudly. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new EngineImpl(options);
}

class EngineImpl implements Engine {
  readonly backend: 'wasm' | 'ts';
  private readonly st: PlacementState;
  private readonly scorer: Scorer;
  private readonly customScore: ((n: number, t: number) => number) | undefined;
  private readonly plugins: EnginePlugin[];
  private readonly filterPlugins: EnginePlugin[];
  /** Plugins with a chooseDevices hook, and whether any filterNode is volatile (recomputed each cycle). */
  private readonly choosers: EnginePlugin[];
  private readonly volatileFilters: boolean;
  /** Per-task generation of cached plugin masks, bumped by invalidateFilters(taskId). */
  private readonly filterEpoch = new Map<string, number>();
  private readonly events = new EngineEvents();

  private readonly nodeSlots = new SlotTable();
  private readonly devBlocks = new BlockTable();
  private readonly profBlocks = new BlockTable();
  private readonly vendors = new Interner();
  private readonly models = new Interner();
  private readonly profiles = new Interner();
  /** Node groups for the index (architecture, form, site: what node constraints tell apart). */
  private readonly groups = new Interner();
  private readonly nodeMap = new Map<string, NodeRec>();
  private readonly bySlot: (NodeRec | undefined)[] = [];
  private deviceCount = 0;
  private hardTaintedNodes = 0;

  private readonly taskMap = new Map<string, TaskState>();
  private readonly allocs = new Map<string, Alloc>();
  private seq = 0;
  /** Tasks waiting to be placed: schedule() walks these, not every task the engine holds. */
  private readonly pending = new Set<TaskState>();

  private readonly maskCache = new Map<string, number>();
  /** Id-set slots by allow-list key; one-name lists by the name (per prefix); slots used so far. */
  private readonly setCache = new Map<string, number>();
  private readonly singleVendorSets = new Map<string, number>();
  private readonly singleModelSets = new Map<string, number>();
  private setSlots = 0;
  private maskLayout = -1;
  private readonly scratchRecord = new Int32Array(L.TASK_STRIDE);
  /** Constraint signature per task definition (tasks are immutable once parsed). */
  private readonly signatures = new WeakMap<Task, string>();
  /** Id-set cache key per vendor/model allow-list array of a parsed task. */
  private readonly namesKeys = new WeakMap<string[], string>();
  /** Tasks of the records being placed (index = record index), for the custom scorer. */
  private readonly inFlight: Task[] = [];
  private readonly res: NodeResources = { nodeId: '', cpuMilliFree: 0, cpuMilliCapacity: 0, memoryMiBFree: 0, memoryMiBCapacity: 0, deviceMilliFree: 0, deviceMilliCapacity: 0 };

  constructor(options: EngineOptions) {
    if (options === null || typeof options !== 'object') throw new HetpoolError('invalid-input', 'options', 'must be an object');
    const backend = options.backend ?? 'wasm';
    if (backend !== 'wasm' && backend !== 'ts') throw new HetpoolError('invalid-input', 'options.backend', "must be 'wasm' or 'ts'");
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new HetpoolError('invalid-input', 'options.seed', 'must be an integer in 0..2^32-1');
    const nodesToScore = options.nodesToScore ?? 0;
    if (!Number.isInteger(nodesToScore) || nodesToScore < 0 || nodesToScore > 0x7fffffff) throw new HetpoolError('invalid-input', 'options.nodesToScore', 'must be an integer ≥ 0 (0 = score every fitting node)');
    if (options.policy !== undefined && typeof options.policy !== 'string') throw new HetpoolError('invalid-input', 'options.policy', 'must be a string');
    this.plugins = checkPlugins(options.plugins ?? []);
    this.filterPlugins = this.plugins.filter((p) => p.filterNode);
    this.choosers = this.plugins.filter((p) => p.chooseDevices);
    this.volatileFilters = this.filterPlugins.some((p) => p.volatileFilter === true);
    this.scorer = options.scorer ?? getScorer(options.policy ?? 'binpack');
    if (typeof this.scorer.scoreNode !== 'function') throw new HetpoolError('invalid-input', 'options.scorer.scoreNode', 'must be a function');
    this.st = new PlacementState(backend);
    this.backend = this.scorer.kernelPolicy === undefined ? 'ts' : backend;
    const policy = this.scorer.kernelPolicy ?? (this.scorer.devices === 'spread' ? L.POLICY_SPREAD : L.POLICY_BINPACK);
    this.st.setPolicy(policy, seed | 0);
    this.st.setSampling(nodesToScore);
    if (options.index !== undefined && typeof options.index !== 'boolean') throw new HetpoolError('invalid-input', 'options.index', 'must be a boolean');
    this.st.setIndexing(options.index ?? true);
    this.customScore = this.scorer.kernelPolicy === undefined ? (n, t) => this.scoreCustom(n, t) : undefined;
  }

  // ── views ───────────────────────────────────────────────────────────────────────────────
  nodes(): Node[] {
    return [...this.nodeMap.values()].map((r) => r.node);
  }
  node(id: string): Node | undefined {
    return this.nodeMap.get(id)?.node;
  }
  tasks(): TaskState[] {
    return [...this.taskMap.values()];
  }
  task(id: string): TaskState | undefined {
    return this.taskMap.get(id);
  }
  binding(taskId: string): Binding | undefined {
    return this.taskMap.get(taskId)?.binding;
  }
  get stats(): EngineStats {
    return { nodes: this.nodeMap.size, devices: this.deviceCount, pending: this.pending.size, running: this.taskMap.size - this.pending.size };
  }
  on<N extends EngineEventName>(event: N, fn: (e: EngineEventOf<N>) => void): () => void {
    return this.events.on(event, fn);
  }
  catalog(): Catalog {
    const st = this.st;
    const self = this;
    function* sources(): Generator<CatalogSource> {
      for (const r of self.nodeMap.values()) {
        yield {
          node: r.node,
          cpuMilliFree: st.get(L.H_N_CPU_FREE, r.slot),
          memoryMiBFree: st.get(L.H_N_MEM_FREE, r.slot),
          devices: r.node.devices.map((device, i) => ({
            device,
            milliCapacity: st.get(L.H_D_MILLI_CAP, r.devFirst + i),
            milliFree: st.get(L.H_D_MILLI_FREE, r.devFirst + i),
            memoryMiBFree: st.get(L.H_D_MEM_FREE, r.devFirst + i),
          })),
        };
      }
    }
    return buildCatalog(sources());
  }

  // ── nodes ───────────────────────────────────────────────────────────────────────────────
  addNode(input: NodeInput): void {
    const node = parseWith(NodeSchema, input, 'node');
    if (this.nodeMap.has(node.id)) throw new HetpoolError('conflict', 'node.id', `node "${node.id}" already exists`);
    this.checkDevices(node, 'node');
    this.checkInternCapacity(node);
    const slot = this.nodeSlots.alloc();
    const rec: NodeRec = { node, slot, devFirst: 0, profFirst: [], profCount: [], running: new Set() };
    this.nodeMap.set(node.id, rec);
    this.bySlot[slot] = rec;
    this.layDevices(rec);
    this.writeNode(rec);
    this.st.nodeHighWater = this.nodeSlots.highWater;
    this.deviceCount += node.devices.length;
    if ((node.taints ?? []).some(isHardTaint)) this.hardTaintedNodes++;
    this.invalidateMasks();
    this.events.emit({ type: 'node-added', nodeId: node.id });
  }

  removeNode(id: string): Displaced[] {
    const rec = this.requireNode(id, 'nodeId');
    const displaced: Displaced[] = [];
    for (const taskId of [...rec.running]) displaced.push(this.displace(taskId, 'node removed', 'displaced'));
    this.clearNode(rec);
    this.nodeMap.delete(id);
    this.bySlot[rec.slot] = undefined;
    this.nodeSlots.release(rec.slot);
    this.deviceCount -= rec.node.devices.length;
    if ((rec.node.taints ?? []).some(isHardTaint)) this.hardTaintedNodes--;
    this.invalidateMasks();
    this.events.emit({ type: 'node-removed', nodeId: id });
    return displaced;
  }

  updateNode(id: string, patch: Partial<NodeInput>): Displaced[] {
    const rec = this.requireNode(id, 'nodeId');
    if (patch === null || typeof patch !== 'object') throw new HetpoolError('invalid-input', 'patch', 'must be an object');
    if (patch.id !== undefined && patch.id !== id) throw new HetpoolError('invalid-input', 'patch.id', `must equal the node id "${id}" (ids cannot change)`);
    const next = parseWith(NodeSchema, { ...rec.node, ...patch, id }, 'patch');
    this.checkDevices(next, 'patch');
    this.checkInternCapacity(next);
    const displaced = this.rebuildNode(rec, next);
    this.events.emit({ type: 'node-updated', nodeId: id });
    return displaced;
  }

  drainNode(id: string, drain = true): void {
    const rec = this.requireNode(id, 'nodeId');
    if (typeof drain !== 'boolean') throw new HetpoolError('invalid-input', 'drain', 'must be a boolean');
    rec.node = { ...rec.node, schedulable: !drain };
    this.st.set(L.H_N_FLAGS, rec.slot, this.nodeFlags(rec.node));
    this.events.emit({ type: 'node-drained', nodeId: id, drain });
  }

  setNodeHealth(id: string, health: Health): Displaced[] {
    const rec = this.requireNode(id, 'nodeId');
    const h = parseWith(HealthSchema, health, 'health');
    const displaced = this.rebuildNode(rec, { ...rec.node, health: h });
    this.events.emit({ type: 'health-changed', nodeId: id, health: h });
    return displaced;
  }

  setDeviceHealth(nodeId: string, deviceId: string, health: Health): Displaced[] {
    const rec = this.requireNode(nodeId, 'nodeId');
    const h = parseWith(HealthSchema, health, 'health');
    if (!rec.node.devices.some((d) => d.id === deviceId)) throw new HetpoolError('not-found', 'deviceId', `device "${deviceId}" not found on node "${nodeId}"`);
    const devices = rec.node.devices.map((d) => (d.id === deviceId ? { ...d, health: h } : d));
    const displaced = this.rebuildNode(rec, { ...rec.node, devices });
    this.events.emit({ type: 'health-changed', nodeId, deviceId, health: h });
    return displaced;
  }

  private requireNode(id: string, path: string): NodeRec {
    const rec = typeof id === 'string' ? this.nodeMap.get(id) : undefined;
    if (!rec) throw new HetpoolError('not-found', path, `node "${String(id)}" not found`);
    return rec;
  }

  /** Device ids must be unique within a node (the cluster schema checks this for files). */
  private checkDevices(node: Node, root: string): void {
    const seen = new Set<string>();
    node.devices.forEach((d, j) => {
      if (seen.has(d.id)) throw new HetpoolError('invalid-input', `${root}.devices[${j}].id`, `duplicate device id "${d.id}"`);
      seen.add(d.id);
    });
  }

  /** Vendors and models must stay nameable in allow-lists (interned ids < SET_BITS). */
  private checkInternCapacity(node: Node): void {
    const newVendors = new Set(node.devices.map((d) => d.vendor).filter((v) => this.vendors.lookup(v) === undefined));
    const newModels = new Set(node.devices.map((d) => d.model).filter((m) => this.models.lookup(m) === undefined));
    if (this.vendors.size + newVendors.size > L.SET_BITS || this.models.size + newModels.size > L.SET_BITS) {
      throw new HetpoolError('conflict', 'node.devices', `more than ${L.SET_BITS} distinct vendors or models in one engine`);
    }
  }

  private nodeFlags(n: Node): number {
    return L.NF_PRESENT | (n.health === 'healthy' ? L.NF_HEALTHY : 0) | (n.schedulable ? L.NF_SCHEDULABLE : 0);
  }

  /** Allocate device and profile blocks for rec.node (slots not yet written). */
  private layDevices(rec: NodeRec): void {
    const devs = rec.node.devices;
    rec.devFirst = this.devBlocks.alloc(devs.length);
    rec.profFirst = devs.map((d) => (d.sharing.mode === 'partition' ? this.profBlocks.alloc(d.sharing.profiles.length) : 0));
    rec.profCount = devs.map((d) => (d.sharing.mode === 'partition' ? d.sharing.profiles.length : 0));
    this.st.reserveNodes(this.nodeSlots.highWater);
    this.st.reserveDevices(this.devBlocks.top);
    this.st.reserveProfiles(this.profBlocks.top);
  }

  private freeDevices(rec: NodeRec): void {
    this.devBlocks.release(rec.devFirst, rec.node.devices.length);
    rec.node.devices.forEach((_, i) => this.profBlocks.release(rec.profFirst[i], rec.profCount[i]));
  }

  /** Write rec's node, device and profile columns with everything free. */
  private writeNode(rec: NodeRec): void {
    const st = this.st;
    const n = rec.node;
    const s = rec.slot;
    st.set(L.H_N_CPU_FREE, s, n.cpuMilli);
    st.set(L.H_N_CPU_CAP, s, n.cpuMilli);
    st.set(L.H_N_MEM_FREE, s, n.memoryMiB);
    st.set(L.H_N_MEM_CAP, s, n.memoryMiB);
    st.set(L.H_N_FLAGS, s, this.nodeFlags(n));
    // the index lays nodes out by group, so a task confined to an architecture, form or site
    // searches only the subtrees of its groups (ids beyond 255 share groups: still exact)
    st.setNodeGroup(s, this.groups.id(`${n.arch}\u0000${n.form}\u0000${n.site ?? ''}`));
    st.set(L.H_N_DEV_FIRST, s, rec.devFirst);
    st.set(L.H_N_DEV_COUNT, s, n.devices.length);
    const interned = this.vendors.size + this.models.size;
    let dmilli = 0;
    n.devices.forEach((d, i) => {
      const ds = rec.devFirst + i;
      const sh = sharingOf(d);
      dmilli += sh.milliCap;
      st.set(L.H_D_KIND, ds, KIND_ID[d.kind]);
      st.set(L.H_D_VENDOR, ds, this.vendors.id(d.vendor));
      st.set(L.H_D_MODEL, ds, this.models.id(d.model));
      st.set(L.H_D_PREC, ds, precisionBits(d));
      st.set(L.H_D_MODE, ds, sh.mode);
      st.set(L.H_D_MILLI_FREE, ds, sh.milliCap);
      st.set(L.H_D_MILLI_CAP, ds, sh.milliCap);
      st.set(L.H_D_MEM_FREE, ds, d.memoryMiB);
      st.set(L.H_D_MEM_CAP, ds, d.memoryMiB);
      st.set(L.H_D_SLICES_USED, ds, 0);
      st.set(L.H_D_SLICES_MAX, ds, sh.slicesMax);
      st.set(L.H_D_FLAGS, ds, d.health === 'healthy' ? L.DF_HEALTHY : 0);
      st.set(L.H_D_PROF_FIRST, ds, rec.profFirst[i]);
      st.set(L.H_D_PROF_COUNT, ds, rec.profCount[i]);
      st.set(L.H_D_NODE, ds, s);
      if (d.sharing.mode === 'partition') {
        d.sharing.profiles.forEach((p, j) => {
          const ps = rec.profFirst[i] + j;
          st.set(L.H_P_NAME, ps, this.profiles.id(p.name));
          st.set(L.H_P_MILLI, ps, p.milli);
          st.set(L.H_P_MEM, ps, p.memoryMiB);
          st.set(L.H_P_MAX, ps, p.maxCount);
          st.set(L.H_P_USED, ps, 0);
        });
      }
    });
    st.set(L.H_N_DMILLI_FREE, s, dmilli);
    st.set(L.H_N_DMILLI_CAP, s, dmilli);
    // an allow-list set holds the interned ids known when it was written: a name interned just
    // now (a new vendor or model) would be missing from it, so drop them all
    if (this.vendors.size + this.models.size !== interned) this.clearSets();
  }

  private clearNode(rec: NodeRec): void {
    const st = this.st;
    for (const c of [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_FLAGS, L.H_N_DEV_FIRST, L.H_N_DEV_COUNT, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP]) st.set(c, rec.slot, 0);
    for (let i = 0; i < rec.node.devices.length; i++) {
      st.set(L.H_D_FLAGS, rec.devFirst + i, 0);
      st.set(L.H_D_MILLI_FREE, rec.devFirst + i, 0);
      st.set(L.H_D_MEM_FREE, rec.devFirst + i, 0);
    }
    this.freeDevices(rec);
  }

  /**
   * Replace rec's node by `next`: rewrite its columns with everything free, then re-charge its
   * running tasks in bind order; a task that no longer fits (device gone or failed, node failed,
   * capacity shrunk, NoExecute taint) is displaced and requeued. Other nodes are untouched.
   */
  private rebuildNode(rec: NodeRec, next: Node): Displaced[] {
    const before = rec.node;
    const running = [...rec.running];
    this.freeDevices(rec);
    rec.node = next;
    this.layDevices(rec);
    this.writeNode(rec);
    this.deviceCount += next.devices.length - before.devices.length;
    this.hardTaintedNodes += ((next.taints ?? []).some(isHardTaint) ? 1 : 0) - ((before.taints ?? []).some(isHardTaint) ? 1 : 0);
    this.invalidateMasks();
    const displaced: Displaced[] = [];
    rec.running.clear();
    for (const taskId of running) {
      const alloc = this.allocs.get(taskId) as Alloc;
      const task = (this.taskMap.get(taskId) as TaskState).task;
      const why = this.refitReason(rec, task, alloc);
      if (why === null) {
        this.charge(rec, task, alloc, 1);
        rec.running.add(taskId);
        this.refreshBinding(rec, this.taskMap.get(taskId) as TaskState, alloc);
      } else {
        rec.running.add(taskId);
        displaced.push(this.displace(taskId, why, 'displaced', false));
      }
    }
    return displaced;
  }

  /**
   * After a node update a kept task may hold different amounts (a whole device whose memory
   * changed, a partition profile redefined): give it a fresh Binding with the amounts it now holds.
   */
  private refreshBinding(rec: NodeRec, ts: TaskState, alloc: Alloc): void {
    let changed = false;
    const devices = (ts.binding as Binding).devices.map((b, k) => {
      const a = alloc.devices[k];
      const i = rec.node.devices.findIndex((d) => d.id === a.deviceId);
      let milli = a.milli;
      let memoryMiB = a.memoryMiB;
      if (a.share === 'whole') memoryMiB = rec.node.devices[i].memoryMiB;
      else if (a.share === 'profile') {
        const p = this.profileSlot(rec, i, a.profile as string);
        milli = this.st.get(L.H_P_MILLI, p);
        memoryMiB = this.st.get(L.H_P_MEM, p);
      }
      if (milli === b.milli && memoryMiB === b.memoryMiB) return b;
      changed = true;
      a.milli = milli;
      a.memoryMiB = memoryMiB;
      return { ...b, milli, memoryMiB };
    });
    if (changed) ts.binding = { ...(ts.binding as Binding), devices };
  }

  /** Null when `alloc` still fits rec's (rebuilt) node and devices, else why not. */
  private refitReason(rec: NodeRec, task: Task, alloc: Alloc): string | null {
    const st = this.st;
    const n = rec.node;
    if (n.health === 'unhealthy') return 'node unhealthy';
    const taint = untoleratedTaint(task, n, 'NoExecute');
    if (taint) return `untolerated NoExecute taint ${taint.key}`;
    if (task.cpuMilli > st.get(L.H_N_CPU_FREE, rec.slot) || task.memoryMiB > st.get(L.H_N_MEM_FREE, rec.slot)) return 'node capacity reduced';
    const seen = new Set<string>();
    for (const a of alloc.devices) {
      const i = n.devices.findIndex((d) => d.id === a.deviceId);
      if (i < 0 || seen.has(a.deviceId)) return `device ${a.deviceId} removed`;
      seen.add(a.deviceId);
      const d = n.devices[i];
      if (d.health === 'unhealthy') return `device ${a.deviceId} unhealthy`;
      const ds = rec.devFirst + i;
      if (d.kind !== task.accel?.kind) return `device ${a.deviceId} changed kind`;
      const milliFree = st.get(L.H_D_MILLI_FREE, ds);
      const memFree = st.get(L.H_D_MEM_FREE, ds);
      const held = (st.get(L.H_D_FLAGS, ds) & L.DF_HELD) !== 0;
      if (a.share === 'whole') {
        if (held || st.get(L.H_D_SLICES_USED, ds) !== 0 || milliFree !== st.get(L.H_D_MILLI_CAP, ds) || memFree !== st.get(L.H_D_MEM_CAP, ds) || (task.accel?.memoryMiB ?? 0) > memFree) return `device ${a.deviceId} capacity reduced`;
      } else if (a.share === 'fraction') {
        if (d.sharing.mode !== 'time-slice') return `device ${a.deviceId} no longer time-sliced`;
        if (held || st.get(L.H_D_SLICES_USED, ds) >= st.get(L.H_D_SLICES_MAX, ds) || a.milli > milliFree || a.memoryMiB > memFree) return `device ${a.deviceId} capacity reduced`;
      } else {
        const p = this.profileSlot(rec, i, a.profile as string);
        if (p < 0) return `device ${a.deviceId} no longer offers profile ${a.profile}`;
        if (held || st.get(L.H_P_USED, p) >= st.get(L.H_P_MAX, p) || st.get(L.H_P_MILLI, p) > milliFree || st.get(L.H_P_MEM, p) > memFree || (task.accel?.memoryMiB ?? 0) > st.get(L.H_P_MEM, p)) {
          return `device ${a.deviceId} capacity reduced`;
        }
      }
    }
    return null;
  }

  private profileSlot(rec: NodeRec, devIndex: number, name: string): number {
    const d = rec.node.devices[devIndex];
    if (d.sharing.mode !== 'partition') return -1;
    const j = d.sharing.profiles.findIndex((p) => p.name === name);
    return j < 0 ? -1 : rec.profFirst[devIndex] + j;
  }

  /**
   * Charge (sign 1) or release (sign -1) an allocation, exactly as the kernel's commit does.
   * Profile amounts are re-read from the profile columns (they may have been updated).
   */
  private charge(rec: NodeRec, task: Task, alloc: Alloc, sign: 1 | -1): void {
    const st = this.st;
    const s = rec.slot;
    st.add(L.H_N_CPU_FREE, s, -sign * task.cpuMilli);
    st.add(L.H_N_MEM_FREE, s, -sign * task.memoryMiB);
    for (const a of alloc.devices) {
      const i = deviceIndex(rec.node, a.deviceId);
      if (i < 0) continue; // the device is gone: nothing to give back
      const ds = rec.devFirst + i;
      st.add(L.H_D_SLICES_USED, ds, sign);
      if (a.share === 'whole') {
        if (sign > 0) {
          st.add(L.H_N_DMILLI_FREE, s, -st.get(L.H_D_MILLI_FREE, ds));
          st.set(L.H_D_MILLI_FREE, ds, 0);
          st.set(L.H_D_MEM_FREE, ds, 0);
          st.set(L.H_D_FLAGS, ds, st.get(L.H_D_FLAGS, ds) | L.DF_HELD);
        } else {
          const cap = st.get(L.H_D_MILLI_CAP, ds);
          st.add(L.H_N_DMILLI_FREE, s, cap - st.get(L.H_D_MILLI_FREE, ds));
          st.set(L.H_D_MILLI_FREE, ds, cap);
          st.set(L.H_D_MEM_FREE, ds, st.get(L.H_D_MEM_CAP, ds));
          st.set(L.H_D_FLAGS, ds, st.get(L.H_D_FLAGS, ds) & ~L.DF_HELD);
        }
      } else if (a.share === 'fraction') {
        st.add(L.H_D_MILLI_FREE, ds, -sign * a.milli);
        st.add(L.H_D_MEM_FREE, ds, -sign * a.memoryMiB);
        st.add(L.H_N_DMILLI_FREE, s, -sign * a.milli);
      } else {
        const p = this.profileSlot(rec, i, a.profile as string);
        if (p < 0) continue;
        const pm = st.get(L.H_P_MILLI, p);
        st.add(L.H_P_USED, p, sign);
        st.add(L.H_D_MILLI_FREE, ds, -sign * pm);
        st.add(L.H_D_MEM_FREE, ds, -sign * st.get(L.H_P_MEM, p));
        st.add(L.H_N_DMILLI_FREE, s, -sign * pm);
      }
    }
  }

  // ── tasks ───────────────────────────────────────────────────────────────────────────────
  submit(input: TaskInput | TaskInput[]): void {
    const list = Array.isArray(input) ? input : [input];
    const root = (i: number) => (Array.isArray(input) ? `tasks[${i}]` : 'task');
    // the fast path first: the error path (zod, with the task's own root) only on doubt
    const parsed = list.map((t, i) => fastParseTask(t) ?? parseTask(t, root(i)));
    const ids = new Map<string, number>();
    parsed.forEach((t, i) => {
      if (this.taskMap.has(t.id)) throw new HetpoolError('conflict', `${root(i)}.id`, `task "${t.id}" already exists`);
      const prev = ids.get(t.id);
      if (prev !== undefined) throw new HetpoolError('conflict', `${root(i)}.id`, `duplicate task id "${t.id}" (also ${root(prev)})`);
      ids.set(t.id, i);
    });
    for (const task of parsed) {
      const ts: TaskState = { id: task.id, task, status: 'pending', seq: this.seq++ };
      this.taskMap.set(task.id, ts);
      this.pending.add(ts);
      if (this.events.has('submitted')) this.events.emit({ type: 'submitted', taskId: task.id });
    }
  }

  cancel(taskId: string): void {
    const ts = this.requireTask(taskId);
    if (ts.status === 'running') this.unbind(ts, 'cancelled');
    else this.pending.delete(ts);
    this.taskMap.delete(taskId);
    this.events.emit({ type: 'cancelled', taskId });
  }

  release(taskId: string): void {
    const ts = this.requireTask(taskId);
    if (ts.status !== 'running') throw new HetpoolError('conflict', 'taskId', `task "${taskId}" is not running`);
    this.unbind(ts, 'released');
    this.taskMap.delete(taskId);
  }

  evict(taskId: string, reason: string): Displaced {
    const ts = this.requireTask(taskId);
    if (ts.status !== 'running') throw new HetpoolError('conflict', 'taskId', `task "${taskId}" is not running`);
    if (typeof reason !== 'string' || reason.length === 0) throw new HetpoolError('invalid-input', 'reason', 'must be a non-empty string');
    return this.displace(taskId, reason, 'preempted');
  }

  private requireTask(taskId: string): TaskState {
    const ts = typeof taskId === 'string' ? this.taskMap.get(taskId) : undefined;
    if (!ts) throw new HetpoolError('not-found', 'taskId', `task "${String(taskId)}" not found`);
    return ts;
  }

  /** Free a running task's resources and forget its binding (the caller decides what becomes of it). */
  private unbind(ts: TaskState, why: ReleaseWhy, recharge = true): Binding {
    const alloc = this.allocs.get(ts.id) as Alloc;
    const rec = this.nodeMap.get(alloc.nodeId) as NodeRec;
    if (recharge) this.charge(rec, ts.task, alloc, -1);
    rec.running.delete(ts.id);
    this.allocs.delete(ts.id);
    const binding = ts.binding as Binding;
    ts.binding = undefined;
    for (const p of this.plugins) p.onRelease?.(binding, ts, why);
    if ((why === 'released' || why === 'cancelled') && this.events.has('released')) this.events.emit({ type: 'released', taskId: ts.id, nodeId: binding.nodeId, why });
    return binding;
  }

  /** Requeue a running task with `reason`; `charged` = its resources are still charged to the columns. */
  private displace(taskId: string, reason: string, why: 'displaced' | 'preempted', charged = true, by?: string, sink?: EngineEvent[]): Displaced {
    const ts = this.taskMap.get(taskId) as TaskState;
    const binding = this.unbind(ts, why, charged);
    ts.status = 'pending';
    ts.reason = reason;
    this.pending.add(ts);
    const d: Displaced = { taskId, nodeId: binding.nodeId, reason };
    if (why === 'preempted') this.events.emit({ type: 'preempted', displaced: d, ...(by ? { by } : {}) }, sink);
    else this.events.emit({ type: 'displaced', displaced: d }, sink);
    return d;
  }

  // ── placement ───────────────────────────────────────────────────────────────────────────
  place(input: TaskInput): Binding | Unschedulable {
    const { ts, out } = this.placeNow(input);
    if ('nodeId' in out) this.bind(ts, out, undefined, true);
    return out;
  }

  /**
   * Shared by place() and tentative().place(): validate, find the kernel's placement for the task
   * (a new one, or a queued one with this new definition) and, when it fits, register a new task
   * (the caller binds it at once). Unschedulable leaves everything as it was: a queued task keeps
   * its old definition.
   */
  private placeNow(input: TaskInput): { ts: TaskState; existed: boolean; previousTask: Task; out: Binding | Unschedulable } {
    const task = parseTask(input, 'task');
    const existing = this.taskMap.get(task.id);
    if (existing && existing.status === 'running') throw new HetpoolError('conflict', 'task.id', `task "${task.id}" is already running`);
    const ts: TaskState = existing ?? { id: task.id, task, status: 'pending', seq: this.seq };
    const previousTask = ts.task;
    ts.task = task;
    const out = this.placeOne(ts);
    if (!('nodeId' in out)) ts.task = previousTask;
    else if (!existing) {
      // a new task is bound right after this (bind() would only take it off the pending set again)
      this.seq++;
      this.taskMap.set(ts.id, ts);
    }
    return { ts, existed: !!existing, previousTask, out };
  }

  tentative(): Tentative {
    const placed: { ts: TaskState; wasPending: boolean; previousTask: Task; binding: Binding }[] = [];
    let open = true;
    const close = () => {
      if (!open) throw new HetpoolError('conflict', 'tentative', 'already committed or discarded');
      open = false;
    };
    return {
      place: (input: TaskInput) => {
        if (!open) throw new HetpoolError('conflict', 'tentative', 'already committed or discarded');
        const { ts, existed, previousTask, out } = this.placeNow(input);
        if (!('nodeId' in out)) return out;
        this.bind(ts, out, undefined, false);
        placed.push({ ts, wasPending: existed, previousTask, binding: out });
        return out;
      },
      commit: () => {
        close();
        for (const p of placed) this.announce(p.ts, p.binding, undefined);
      },
      discard: () => {
        close();
        for (const p of placed.reverse()) {
          const alloc = this.allocs.get(p.ts.id) as Alloc;
          const rec = this.nodeMap.get(alloc.nodeId) as NodeRec;
          this.charge(rec, p.ts.task, alloc, -1);
          rec.running.delete(p.ts.id);
          this.allocs.delete(p.ts.id);
          p.ts.binding = undefined;
          p.ts.status = 'pending';
          p.ts.task = p.previousTask;
          if (p.wasPending) this.pending.add(p.ts);
          else this.taskMap.delete(p.ts.id);
        }
      },
    };
  }

  schedule(): ScheduleResult {
    const sink: EngineEvent[] = [];
    const bindings: Binding[] = [];
    const unschedulable: Unschedulable[] = [];
    const queue = [...this.pending];
    queue.sort(this.plugins.some((p) => p.compare) ? (a, b) => this.compare(a, b) : byPriorityThenSeq);
    if (this.volatileFilters) this.invalidateFilters();
    // a device chooser changes a placement after the kernel's commit: later tasks must see it
    const perTask = this.plugins.some((p) => p.admit || p.preempt || p.chooseDevices);
    if (perTask) {
      for (const ts of queue) {
        if (ts.status !== 'pending') continue;
        const refused = this.admission(ts);
        if (refused !== null) {
          const u: Unschedulable = { taskId: ts.id, reasons: [{ reason: `not admitted: ${refused}`, nodes: 0 }], message: `not admitted: ${refused}` };
          ts.reason = u.message;
          unschedulable.push(u);
          this.events.emit({ type: 'unschedulable', result: u }, sink);
          continue;
        }
        let out = this.placeOne(ts);
        if (!('nodeId' in out)) out = this.tryPreemption(ts, out, sink);
        this.record(ts, out, bindings, unschedulable, sink);
      }
    } else {
      this.placeQueue(queue, bindings, unschedulable, sink);
    }
    return { bindings, unschedulable, events: sink };
  }

  /** Default order: plugin compares in order, then priority descending, then submission order. */
  private compare(a: TaskState, b: TaskState): number {
    for (const p of this.plugins) {
      if (!p.compare) continue;
      const c = p.compare(a, b);
      if (c !== 0) return c;
    }
    return byPriorityThenSeq(a, b);
  }

  private admission(ts: TaskState): string | null {
    for (const p of this.plugins) {
      const r = p.admit?.(ts, this);
      if (r !== null && r !== undefined) return r;
    }
    return null;
  }

  private tryPreemption(ts: TaskState, first: Unschedulable, sink: EngineEvent[]): Binding | Unschedulable {
    for (const p of this.plugins) {
      if (!p.preempt) continue;
      const answer = p.preempt(ts, this);
      if (!answer || answer.length === 0) continue;
      const victims = [...new Set(answer)];
      for (const v of victims) {
        const vs = this.taskMap.get(v);
        if (!vs || vs.status !== 'running') throw new HetpoolError('internal', `plugins.${p.name}.preempt`, `returned "${v}", which is not a running task`);
      }
      const out = this.placeWithout(ts, victims);
      if (!('nodeId' in out)) continue; // would not fit even without them: evict nobody
      for (const v of victims) this.displace(v, `preempted by ${ts.id}`, 'preempted', false, ts.id, sink);
      return out;
    }
    return first;
  }

  private record(ts: TaskState, out: Binding | Unschedulable, bindings: Binding[], unschedulable: Unschedulable[], sink: EngineEvent[]): void {
    if ('nodeId' in out) {
      this.bind(ts, out, sink, true);
      bindings.push(out);
    } else {
      ts.reason = out.message;
      unschedulable.push(out);
      this.events.emit({ type: 'unschedulable', result: out }, sink);
    }
  }

  /** Place the whole queue through placeBatch, in chunks bounded by the bitset caches. */
  private placeQueue(queue: TaskState[], bindings: Binding[], unschedulable: Unschedulable[], sink: EngineEvent[]): void {
    this.st.reserveTasks(Math.max(1, queue.length));
    let start = 0;
    while (start < queue.length) {
      this.refreshLayout();
      let end = start;
      while (end < queue.length && this.encode(queue[end], end - start)) end++;
      if (end === start) {
        // the caches were full: clear them and start the chunk afresh
        this.maskCache.clear();
        this.clearSets();
        if (!this.encode(queue[start], 0)) throw new HetpoolError('internal', 'engine', 'cannot encode a task into empty caches');
        end = start + 1;
        while (end < queue.length && this.encode(queue[end], end - start)) end++;
      }
      if (this.customScore) for (let i = start; i < end; i++) this.inFlight[i - start] = queue[i].task;
      this.st.placeBatch(end - start, this.customScore);
      for (let i = start; i < end; i++) this.record(queue[i], this.outcome(queue[i], i - start), bindings, unschedulable, sink);
      start = end;
    }
  }

  /** Encode, place (with commit) and decode one task in the scratch record; no engine state changes. */
  private placeOne(ts: TaskState): Binding | Unschedulable {
    this.refreshLayout();
    if (!this.encode(ts, SCRATCH)) {
      this.maskCache.clear();
      this.clearSets();
      this.encode(ts, SCRATCH);
    }
    if (this.customScore) this.inFlight[SCRATCH] = ts.task;
    this.st.place(SCRATCH, true, this.customScore);
    return this.chooseOn(ts, this.outcome(ts, SCRATCH));
  }

  /** Read result record `i` for task `ts`: a Binding (already charged by the kernel) or reasons. */
  private outcome(ts: TaskState, i: number): Binding | Unschedulable {
    const st = this.st;
    if (st.result(i, L.R_STATUS) !== L.ST_BOUND) return this.explainResult(ts, i);
    const rec = this.bySlot[st.result(i, L.R_NODE)] as NodeRec;
    const devices: BoundDevice[] = [];
    const nd = st.result(i, L.R_NDEV);
    if (nd > 0) {
      const task = ts.task;
      const a = task.accel;
      const p = st.result(i, L.R_PROF);
      const whole = p < 0 && takesWholeDevices(task);
      const nodeDevices = rec.node.devices;
      for (let k = 0; k < nd; k++) {
        const d = nodeDevices[st.result(i, L.R_DEVS + k) - rec.devFirst];
        if (p >= 0) devices.push({ deviceId: d.id, milli: st.get(L.H_P_MILLI, p), memoryMiB: st.get(L.H_P_MEM, p), profile: a?.profile });
        else if (whole) devices.push({ deviceId: d.id, milli: 1000, memoryMiB: d.memoryMiB });
        else devices.push({ deviceId: d.id, milli: a?.milli ?? 0, memoryMiB: a?.memoryMiB ?? 0 });
      }
    }
    return { taskId: ts.id, nodeId: rec.node.id, devices };
  }

  private explainResult(ts: TaskState, i: number): Unschedulable {
    const st = this.st;
    const reasons: { reason: string; nodes: number }[] = [];
    for (let r = 0; r < L.NUM_REASONS; r++) {
      const count = st.result(i, L.R_REASONS + r);
      if (count === 0) continue;
      if (r !== L.RS_NODE_CONSTRAINT) {
        reasons.push({ reason: reasonText(r, ts.task), nodes: count });
        continue;
      }
      // split the folded constraint mask back into its rules (only on failure: O(nodes) in TS)
      const split = new Map<string, number>();
      for (const rec of this.nodeMap.values()) {
        const n = rec.node;
        if (n.health !== 'healthy' || !n.schedulable) continue;
        let why = constraintReason(ts.task, n);
        if (why === null) for (const p of this.filterPlugins) if (!(p.filterNode as NonNullable<EnginePlugin['filterNode']>)(ts, n)) { why = `rejected by plugin ${p.name}`; break; }
        if (why !== null) split.set(why, (split.get(why) ?? 0) + 1);
      }
      for (const [reason, nodes] of split) reasons.push({ reason, nodes });
    }
    sortReasons(reasons);
    return { taskId: ts.id, reasons, message: reasonMessage(st.result(i, L.R_TOTAL), reasons) };
  }

  /** Make a kernel-charged placement the task's binding; `announce` = emit 'bound' and call onBind now. */
  private bind(ts: TaskState, b: Binding, sink: EngineEvent[] | undefined, announce: boolean): void {
    const rec = this.nodeMap.get(b.nodeId) as NodeRec;
    this.allocs.set(ts.id, this.allocOf(ts.task, b));
    rec.running.add(ts.id);
    ts.status = 'running';
    ts.binding = b;
    ts.reason = undefined;
    this.pending.delete(ts);
    if (announce) this.announce(ts, b, sink);
  }

  private announce(ts: TaskState, b: Binding, sink: EngineEvent[] | undefined): void {
    for (const p of this.plugins) p.onBind?.(b, ts);
    if (sink || this.events.has('bound')) this.events.emit({ type: 'bound', binding: b }, sink);
  }

  // ── encoding and bitset caches ──────────────────────────────────────────────────────────
  private invalidateMasks(): void {
    this.maskCache.clear();
  }

  /** Offsets move when the state re-lays itself out: drop every cached bitset then. */
  private refreshLayout(): void {
    if (this.maskLayout !== this.st.layoutGeneration) {
      this.maskCache.clear();
      this.clearSets();
      this.maskLayout = this.st.layoutGeneration;
    }
  }

  /** Encode task record `i`; false when a bitset cache is full (nothing written). */
  private encode(ts: TaskState, i: number): boolean {
    const t = ts.task;
    let mask = 0;
    if (hasNodeConstraints(t) || this.hardTaintedNodes > 0 || this.filterPlugins.length > 0) {
      const key = this.filterPlugins.length > 0 ? `${this.signature(t)}#${ts.id}#${this.filterEpoch.get(ts.id) ?? 0}` : this.signature(t);
      let m = this.maskCache.get(key);
      if (m === undefined) {
        if (this.maskCache.size >= MASK_SLOTS) return false;
        m = this.maskCache.size;
        this.st.writeMask(m, (slot) => {
          const rec = this.bySlot[slot];
          if (!rec) return false;
          if (constraintReason(t, rec.node) !== null) return false;
          for (const p of this.filterPlugins) if (!(p.filterNode as NonNullable<EnginePlugin['filterNode']>)(ts, rec.node)) return false;
          return true;
        });
        this.maskCache.set(key, m);
      }
      mask = this.st.maskPtr(m);
    }
    const a = t.accel;
    let vendorSet = 0;
    let modelSet = 0;
    if (a?.vendors) {
      const s = this.idSet('v', a.vendors, this.vendors);
      if (s < 0) return false;
      vendorSet = this.st.setPtr(s);
    }
    if (a?.models) {
      const s = this.idSet('m', a.models, this.models);
      if (s < 0) return false;
      modelSet = this.st.setPtr(s);
    }
    const profileId = a?.profile ? (this.profiles.lookup(a.profile) ?? NO_SUCH_ID) : -1;
    encodeTask(this.scratchRecord, t, mask, vendorSet, modelSet, profileId);
    this.st.writeTask(i, this.scratchRecord);
    return true;
  }

  /** A task definition's constraint signature, memoised: repeated decisions build no strings. */
  private signature(t: Task): string {
    // arch/form only (the common case): a precomputed key, nothing built even for a new task
    const quick = setSignature(t);
    if (quick !== undefined) return quick;
    let sig = this.signatures.get(t);
    if (sig === undefined) {
      sig = constraintSignature(t);
      this.signatures.set(t, sig);
    }
    return sig;
  }

  /** Forget every cached id set (their slots are reused from 0). */
  private clearSets(): void {
    this.setCache.clear();
    this.singleVendorSets.clear();
    this.singleModelSets.clear();
    this.setSlots = 0;
  }

  /** The id-set slot of an allow-list (cached; -1 when the cache is full). */
  private idSet(prefix: 'v' | 'm', names: string[], interner: Interner): number {
    if (names.length === 1) {
      // one vendor or model (the common pin): keyed by the name itself, no key string built
      const single = prefix === 'v' ? this.singleVendorSets : this.singleModelSets;
      let s = single.get(names[0]);
      if (s !== undefined) return s;
      if (this.setSlots >= SET_SLOTS) return -1;
      s = this.setSlots++;
      const id = interner.lookup(names[0]);
      this.st.writeSet(s, id === undefined ? [] : [id]);
      single.set(names[0], s);
      return s;
    }
    let key = this.namesKeys.get(names);
    if (key === undefined) {
      key = `${prefix}:${JSON.stringify([...names].sort())}`;
      this.namesKeys.set(names, key);
    }
    let s = this.setCache.get(key);
    if (s !== undefined) return s;
    if (this.setSlots >= SET_SLOTS) return -1;
    s = this.setSlots++;
    const ids: number[] = [];
    for (const n of names) {
      const id = interner.lookup(n);
      if (id !== undefined) ids.push(id);
    }
    this.st.writeSet(s, ids);
    this.setCache.set(key, s);
    return s;
  }

  /** A custom scorer's score of node slot `n` for task record at byte offset `t`. */
  private scoreCustom(n: number, t: number): number {
    const st = this.st;
    const task = this.inFlight[(t - st.taskPtr(0)) / (L.TASK_STRIDE * 4)];
    const r = this.res;
    r.nodeId = (this.bySlot[n] as NodeRec).node.id;
    r.cpuMilliFree = st.get(L.H_N_CPU_FREE, n);
    r.cpuMilliCapacity = st.get(L.H_N_CPU_CAP, n);
    r.memoryMiBFree = st.get(L.H_N_MEM_FREE, n);
    r.memoryMiBCapacity = st.get(L.H_N_MEM_CAP, n);
    r.deviceMilliFree = st.get(L.H_N_DMILLI_FREE, n);
    r.deviceMilliCapacity = st.get(L.H_N_DMILLI_CAP, n);
    const s = this.scorer.scoreNode(task, r);
    if (!Number.isInteger(s) || s < 0 || s > 100) throw new HetpoolError('internal', `scorer.${this.scorer.name}`, `returned ${s}; scores must be integers in 0..100`);
    return s;
  }

  // ── plugin services: node rules, filter cache, device choice, resize ───────────────────
  nodeAllowed(task: TaskState, nodeId: string): boolean {
    const rec = typeof nodeId === 'string' ? this.nodeMap.get(nodeId) : undefined;
    if (!rec || !task || !task.task) return false;
    const n = rec.node;
    if (n.health !== 'healthy' || !n.schedulable || constraintReason(task.task, n) !== null) return false;
    for (const p of this.filterPlugins) if (!(p.filterNode as NonNullable<EnginePlugin['filterNode']>)(task, n)) return false;
    return true;
  }

  invalidateFilters(taskId?: string): void {
    if (taskId === undefined) {
      this.maskCache.clear();
      this.filterEpoch.clear();
      return;
    }
    if (typeof taskId !== 'string') throw new HetpoolError('invalid-input', 'taskId', 'must be a string');
    // a mask's slot is its insertion index, so entries cannot be deleted one by one: a new
    // generation makes the old entry unreachable (it goes when the cache is next cleared)
    this.filterEpoch.set(taskId, (this.filterEpoch.get(taskId) ?? 0) + 1);
  }

  /** What a binding holds, in the terms charge() uses. */
  private allocOf(task: Task, b: Binding): Alloc {
    const devices: DevAlloc[] = [];
    if (b.devices.length > 0) {
      const whole = takesWholeDevices(task);
      for (const d of b.devices) {
        devices.push(d.profile
          ? { deviceId: d.deviceId, share: 'profile', milli: d.milli, memoryMiB: d.memoryMiB, profile: d.profile }
          : { deviceId: d.deviceId, share: whole ? 'whole' : 'fraction', milli: d.milli, memoryMiB: d.memoryMiB });
      }
    }
    return { nodeId: b.nodeId, devices };
  }

  /**
   * The chooseDevices hook on the node the kernel chose (already charged): release the kernel's
   * devices, list the node's feasible devices (O(devices on the node)), ask the choosers in order
   * and charge the first valid answer; otherwise re-charge the kernel's choice. A throwing
   * chooser leaves nothing charged.
   */
  private chooseOn(ts: TaskState, out: Binding | Unschedulable): Binding | Unschedulable {
    if (this.choosers.length === 0 || !('nodeId' in out) || out.devices.length === 0) return out;
    const rec = this.nodeMap.get(out.nodeId) as NodeRec;
    const task = ts.task;
    const kernel = this.allocOf(task, out);
    this.charge(rec, task, kernel, -1);
    const candidates = feasibleDevices(this.st, rec, task);
    for (const p of this.choosers) {
      const answer = (p.chooseDevices as NonNullable<EnginePlugin['chooseDevices']>)(ts, rec.node, candidates);
      if (answer === null || answer === undefined) continue;
      const problem = choiceProblem(answer, candidates, out.devices.length);
      if (problem !== null) {
        this.events.emit({ type: 'device-choice-rejected', taskId: ts.id, nodeId: rec.node.id, plugin: p.name, reason: problem });
        break;
      }
      const a = task.accel as NonNullable<Task['accel']>;
      const whole = takesWholeDevices(task);
      const devices: BoundDevice[] = answer.map((id) => {
        const i = rec.node.devices.findIndex((d) => d.id === id);
        if (a.profile) {
          const ps = this.profileSlot(rec, i, a.profile);
          return { deviceId: id, milli: this.st.get(L.H_P_MILLI, ps), memoryMiB: this.st.get(L.H_P_MEM, ps), profile: a.profile };
        }
        return whole ? { deviceId: id, milli: 1000, memoryMiB: rec.node.devices[i].memoryMiB } : { deviceId: id, milli: a.milli, memoryMiB: a.memoryMiB };
      });
      const chosen: Binding = { taskId: ts.id, nodeId: rec.node.id, devices };
      this.charge(rec, task, this.allocOf(task, chosen), 1);
      return chosen;
    }
    this.charge(rec, task, kernel, 1);
    return out;
  }

  /**
   * Place `ts` as if `victims` were gone: their holdings are released, the task placed (charged);
   * if it does not fit they are charged back and nothing changed. The caller evicts them (with
   * charged = false) only when this returned a Binding, so no eviction is wasted.
   */
  private placeWithout(ts: TaskState, victims: readonly string[]): Binding | Unschedulable {
    const held = victims.map((v) => {
      const alloc = this.allocs.get(v) as Alloc;
      return { rec: this.nodeMap.get(alloc.nodeId) as NodeRec, task: (this.taskMap.get(v) as TaskState).task, alloc };
    });
    for (const h of held) this.charge(h.rec, h.task, h.alloc, -1);
    let out: Binding | Unschedulable | undefined;
    try {
      out = this.placeOne(ts);
      return out;
    } finally {
      if (!out || !('nodeId' in out)) for (const h of held.reverse()) this.charge(h.rec, h.task, h.alloc, 1);
    }
  }

  resize(taskId: string, patch: ResizePatch): ResizeResult {
    const ts = this.requireTask(taskId);
    if (ts.status !== 'running') throw new HetpoolError('conflict', 'taskId', `task "${taskId}" is not running`);
    const previous = ts.task;
    const next = resizedTask(previous, patch);
    for (const p of this.plugins) {
      const r = p.admitResize?.(ts, next, patch, this);
      if (r !== null && r !== undefined) return { ok: false, reason: `not admitted: ${r}` };
    }
    const alloc = this.allocs.get(taskId) as Alloc;
    const rec = this.nodeMap.get(alloc.nodeId) as NodeRec;
    const grown: Alloc = { nodeId: alloc.nodeId, devices: resizedDevices(alloc.devices, next) };
    this.charge(rec, previous, alloc, -1);
    if (this.refitReason(rec, next, grown) === null) {
      this.charge(rec, next, grown, 1);
      this.allocs.set(taskId, grown);
      const before = ts.binding as Binding;
      const binding: Binding = { ...before, devices: resizedDevices(before.devices, next) };
      ts.task = next;
      ts.binding = binding;
      for (const p of this.plugins) p.onResize?.(binding, ts, previous);
      this.events.emit({ type: 'resized', taskId, binding, from: sizesOf(previous), to: sizesOf(next) });
      return { ok: true, binding };
    }
    // Not here: a dry run of a fresh placement (its old place counted as free), then undone.
    let probe: Binding | Unschedulable;
    try {
      probe = this.placeOne({ ...ts, task: next, status: 'pending', binding: undefined });
      if ('nodeId' in probe) this.charge(this.nodeMap.get(probe.nodeId) as NodeRec, next, this.allocOf(next, probe), -1);
    } finally {
      this.charge(rec, previous, alloc, 1);
    }
    const here = `no room on ${rec.node.id}${grown.devices.length > 0 ? ` (devices ${grown.devices.map((d) => d.deviceId).join(', ')})` : ''} for the new size`;
    return 'nodeId' in probe
      ? { ok: false, reason: `${here}; a fresh placement would go to ${probe.nodeId}`, migration: probe }
      : { ok: false, reason: `${here}; nowhere else either: ${probe.message}` };
  }
}
