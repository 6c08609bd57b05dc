/**
 * The engine facade: node and task life cycle, hot-plug with displacement, filters and their
 * reasons, sharing modes, tentative placements, events, the catalogue, and "a rejected call
 * changes nothing". Runs on both backends.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Binding, type Engine, type EngineEvent, type Unschedulable } from '../src/engine/index.js';
import { HetpoolError } from '../src/model/errors.js';
import { MIG_1G, node, partition, task, timeSlice } from './engine-builders.js';
import { hetpoolErrorOf } from './helpers/errors.js';

const bound = (r: Binding | Unschedulable): Binding => {
  if (!('nodeId' in r)) throw new Error(`unschedulable: ${r.message}`);
  return r;
};
const unsched = (r: Binding | Unschedulable): Unschedulable => {
  if ('nodeId' in r) throw new Error(`bound to ${r.nodeId}`);
  return r;
};
/** Everything observable, to show a rejected call changed nothing. */
const observe = (e: Engine) => JSON.stringify({ nodes: e.nodes(), tasks: e.tasks(), catalog: e.catalog(), stats: e.stats });

describe.each(['wasm', 'ts'] as const)('engine (%s backend)', (backend) => {
  const engine = (opts = {}) => createEngine({ backend, ...opts });

  describe('errors change nothing', () => {
    it('addNode: invalid fields and duplicate ids', () => {
      const e = engine();
      e.addNode(node('n1').cpu(1000).mem(1024).build());
      const before = observe(e);
      const bad = hetpoolErrorOf(() => e.addNode({ ...node('n2').cpu(1000).build(), devices: [{ id: 'g', kind: 'gpu', vendor: 'v', model: 'm', memoryMiB: -1 }] }));
      expect([bad.code, bad.path]).toEqual(['invalid-input', 'node.devices[0].memoryMiB']);
      const dup = hetpoolErrorOf(() => e.addNode(node('n1').cpu(5).build()));
      expect([dup.code, dup.path]).toEqual(['conflict', 'node.id']);
      const dupDev = hetpoolErrorOf(() => e.addNode(node('n3').gpu('g').gpu('g').build()));
      expect([dupDev.code, dupDev.path]).toEqual(['invalid-input', 'node.devices[1].id']);
      expect(observe(e)).toBe(before);
    });

    it('submit validates the whole batch first', () => {
      const e = engine();
      e.submit(task('old').build());
      const before = observe(e);
      const bad = hetpoolErrorOf(() => e.submit([task('a').build(), task('b').gpu({ milli: 1001 }).build()]));
      expect([bad.code, bad.path]).toEqual(['invalid-input', 'tasks[1].accel.milli']);
      const dup = hetpoolErrorOf(() => e.submit([task('a').build(), task('a').build()]));
      expect([dup.code, dup.path]).toEqual(['conflict', 'tasks[1].id']);
      const known = hetpoolErrorOf(() => e.submit([task('c').build(), task('old').build()]));
      expect([known.code, known.path]).toEqual(['conflict', 'tasks[1].id']);
      expect(observe(e)).toBe(before);
    });

    it('updateNode, removeNode, health, cancel, release, evict with bad arguments', () => {
      const e = engine();
      e.addNode(node('n1').cpu(4000).mem(4096).gpu('g0').build());
      bound(e.place(task('t').cpu(1000).gpu().build()));
      e.submit(task('p').build());
      const before = observe(e);
      expect(hetpoolErrorOf(() => e.updateNode('n1', { cpuMilli: -1 })).path).toBe('patch.cpuMilli');
      expect(hetpoolErrorOf(() => e.updateNode('n1', { id: 'other' })).path).toBe('patch.id');
      expect(hetpoolErrorOf(() => e.updateNode('nope', {})).code).toBe('not-found');
      expect(hetpoolErrorOf(() => e.removeNode('nope')).code).toBe('not-found');
      expect(hetpoolErrorOf(() => e.setNodeHealth('n1', 'sick' as never)).path).toBe('health');
      expect(hetpoolErrorOf(() => e.setDeviceHealth('n1', 'g9', 'unhealthy')).path).toBe('deviceId');
      expect(hetpoolErrorOf(() => e.cancel('nope')).code).toBe('not-found');
      expect(hetpoolErrorOf(() => e.release('p')).code).toBe('conflict');
      expect(hetpoolErrorOf(() => e.evict('p', 'x')).code).toBe('conflict');
      expect(hetpoolErrorOf(() => e.place(task('t').build())).code).toBe('conflict');
      expect(observe(e)).toBe(before);
    });

    it('options are validated and unknown policies fail loudly', () => {
      expect(hetpoolErrorOf(() => createEngine({ backend, policy: 'fastest' })).path).toBe('policy');
      expect(hetpoolErrorOf(() => createEngine({ backend: 'gpu' as never })).path).toBe('options.backend');
      expect(hetpoolErrorOf(() => createEngine({ backend, seed: -1 })).path).toBe('options.seed');
    });
  });

  describe('placement', () => {
    it('unschedulable tasks get reasons with node counts and a message', () => {
      const e = engine();
      e.addNode(node('small').cpu(500).mem(8192).gpu('g0').build()); // too little CPU for 1000
      e.addNode(node('drained').cpu(8000).mem(8192).gpu('g0').with({ schedulable: false }).build());
      e.addNode(node('cpu-only-1').cpu(8000).mem(8192).build());
      e.addNode(node('cpu-only-2').cpu(8000).mem(8192).build());
      e.addNode(node('shared').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).build());
      bound(e.place(task('holder').gpu({ milli: 600 }).build())); // only 'shared' has a time-sliced GPU
      const u = unsched(e.place(task('t').cpu(1000).gpu({ milli: 500 }).build()));
      // small: CPU 1000 > 500; drained; cpu-only-1/2: no gpu; shared: 400 milli free < 500
      expect(u.reasons).toEqual([
        { reason: 'no gpu device', nodes: 2 },
        { reason: 'insufficient CPU', nodes: 1 },
        { reason: 'no gpu with 500 milli free', nodes: 1 },
        { reason: 'node drained', nodes: 1 },
      ]);
      expect(u.message).toBe('0/5 nodes fit: no gpu device on 2 nodes, insufficient CPU on 1 node, no gpu with 500 milli free on 1 node, node drained on 1 node');
      expect(e.task('t')).toBeUndefined(); // place() of a new task that does not fit leaves nothing behind
    });

    it('node constraints: arch, form, site, selector and taints are reported one by one', () => {
      const e = engine();
      e.addNode(node('arm').cpu(1000).mem(1024).with({ arch: 'aarch64' }).build());
      e.addNode(node('edge').cpu(1000).mem(1024).with({ form: 'edge' }).build());
      e.addNode(node('site-b').cpu(1000).mem(1024).with({ site: 'b' }).build());
      e.addNode(node('tier-y').cpu(1000).mem(1024).with({ site: 'a', labels: { tier: 'y' } }).build());
      e.addNode(node('tainted').cpu(1000).mem(1024).with({ site: 'a', labels: { tier: 'x' }, taints: [{ key: 'spot', effect: 'NoSchedule' }] }).build());
      e.addNode(node('ok').cpu(1000).mem(1024).with({ site: 'a', labels: { tier: 'x' } }).build());
      const t = task('t').cpu(1000).with({ arch: ['x86_64'], form: ['hardware'], site: ['a'], selector: { tier: 'x' } });
      expect(bound(e.place(t.build())).nodeId).toBe('ok');
      const u = unsched(e.place(task('t2').cpu(1000).with({ arch: ['x86_64'], form: ['hardware'], site: ['a'], selector: { tier: 'x' } }).build()));
      expect(u.reasons).toEqual([
        { reason: 'insufficient CPU', nodes: 1 },
        { reason: 'node arch not in [x86_64]', nodes: 1 },
        { reason: 'node form not in [hardware]', nodes: 1 },
        { reason: 'node labels do not match the selector', nodes: 1 },
        { reason: 'node site not in [a]', nodes: 1 },
        { reason: 'untolerated taint', nodes: 1 },
      ]);
      // tolerating the taint opens the tainted node
      expect(bound(e.place(t.with({ id: 't3', tolerations: [{ key: 'spot', operator: 'Exists' }] }).build())).nodeId).toBe('tainted');
    });

    it('vendor, model and precision allow-lists', () => {
      const e = engine();
      e.addNode(node('n').cpu(8000).mem(8192)
        .gpu('nv', { vendor: 'nvidia', model: 'A100', throughput: { bf16: 312 } })
        .gpu('amd', { vendor: 'amd', model: 'MI300X', throughput: { fp16: 1300 } })
        .build());
      expect(bound(e.place(task('a').gpu({ vendors: ['amd'] }).build())).devices[0].deviceId).toBe('amd');
      expect(bound(e.place(task('b').gpu({ precision: 'bf16' }).build())).devices[0].deviceId).toBe('nv');
      expect(unsched(e.place(task('c').gpu({ models: ['H100'] }).build())).reasons).toEqual([{ reason: 'no gpu of model H100', nodes: 1 }]);
      expect(unsched(e.place(task('d').gpu({ vendors: ['intel'] }).build())).reasons).toEqual([{ reason: 'no gpu of vendor intel', nodes: 1 }]);
    });

    it('time-slice sharing: slices limit and oversubscription', () => {
      const e = engine();
      // capacity 1000 × 2000/1000 = 2000 milli, at most 3 slices, 8192 MiB
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g', { memoryMiB: 8192, sharing: timeSlice(3, 2000) }).build());
      bound(e.place(task('a').gpu({ milli: 800, memoryMiB: 2048 }).build()));
      bound(e.place(task('b').gpu({ milli: 800, memoryMiB: 2048 }).build())); // 1600 of 2000 milli: oversubscribed but allowed
      expect(unsched(e.place(task('c').gpu({ milli: 500 }).build())).reasons).toEqual([{ reason: 'no gpu with 500 milli free', nodes: 1 }]); // 400 free
      bound(e.place(task('d').gpu({ milli: 400, memoryMiB: 4096 }).build())); // 2000 of 2000, 8192 of 8192 MiB
      expect(unsched(e.place(task('e').gpu({ milli: 1 }).build())).reasons).toEqual([{ reason: 'gpu slice limit reached', nodes: 1 }]);
      e.release('d');
      expect(unsched(e.place(task('f').gpu({ milli: 100, memoryMiB: 4097 }).build())).reasons).toEqual([{ reason: 'insufficient gpu memory', nodes: 1 }]); // 8192 - 4096 = 4096 < 4097
      const cat = e.catalog().entries.find((x) => x.kind === 'gpu')!;
      expect([cat.milliCapacity, cat.milliFree, cat.memoryMiBFree]).toEqual([2000, 400, 4096]); // 2000 - 1600; 8192 - 4096
    });

    it('partitions: profile instances and whole-device use of a partition device', () => {
      const e = engine();
      e.addNode(node('n').cpu(64000).mem(65536).gpu('mig', { memoryMiB: 81920, sharing: partition(MIG_1G) }).build());
      for (let i = 0; i < 7; i++) expect(bound(e.place(task(`i${i}`).gpu({ profile: '1g.10gb' }).build())).devices).toEqual([{ deviceId: 'mig', milli: 142, memoryMiB: 10240, profile: '1g.10gb' }]);
      expect(unsched(e.place(task('i7').gpu({ profile: '1g.10gb' }).build())).reasons).toEqual([{ reason: 'no free 1g.10gb instance', nodes: 1 }]);
      expect(unsched(e.place(task('x').gpu({ profile: '3g.40gb' }).build())).reasons).toEqual([{ reason: 'no gpu offering partition profile 3g.40gb', nodes: 1 }]);
      expect(unsched(e.place(task('w').gpu().build())).reasons).toEqual([{ reason: 'no fully free gpu', nodes: 1 }]);
      expect(unsched(e.place(task('s').gpu({ milli: 100 }).build())).reasons).toEqual([{ reason: 'no time-sliced gpu (a fractional share needs one)', nodes: 1 }]);
      for (let i = 0; i < 7; i++) e.release(`i${i}`);
      expect(bound(e.place(task('w2').gpu().build())).devices).toEqual([{ deviceId: 'mig', milli: 1000, memoryMiB: 81920 }]);
    });

    it('exclusive and whole-device tasks hold devices alone', () => {
      const e = engine();
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).gpu('g1', { sharing: timeSlice() }).build());
      expect(bound(e.place(task('ex').gpu({ milli: 300, exclusive: true }).build())).devices).toEqual([{ deviceId: 'g0', milli: 1000, memoryMiB: 40960 }]);
      bound(e.place(task('share').gpu({ milli: 300 }).build())); // goes to g1
      expect(e.binding('share')!.devices[0].deviceId).toBe('g1');
      expect(unsched(e.place(task('share2').gpu({ milli: 800 }).build())).reasons).toEqual([{ reason: 'no gpu with 800 milli free', nodes: 1 }]); // g0 held (lower stage), g1 700 free
      expect(unsched(e.place(task('two').gpu({ count: 2 }).build())).reasons).toEqual([{ reason: 'no fully free gpu', nodes: 1 }]);
      e.release('share');
      expect(unsched(e.place(task('two').gpu({ count: 2 }).build())).reasons).toEqual([{ reason: 'fewer than 2 free gpus', nodes: 1 }]);
      e.release('ex');
      expect(bound(e.place(task('two').gpu({ count: 2 }).build())).devices.map((d) => d.deviceId)).toEqual(['g0', 'g1']);
    });
  });

  describe('queue and life cycle', () => {
    it('schedule() takes priority first, then submission order; cancel and release free resources', () => {
      const e = engine();
      e.addNode(node('n').cpu(2000).mem(1024).build());
      e.submit([task('low').cpu(1000).build(), task('high').cpu(1000).priority(5).build(), task('low2').cpu(1000).build()]);
      const r = e.schedule();
      expect(r.bindings.map((b) => b.taskId)).toEqual(['high', 'low']);
      expect(r.unschedulable.map((u) => u.taskId)).toEqual(['low2']);
      expect(e.task('low2')!.reason).toBe('0/1 nodes fit: insufficient CPU on 1 node');
      expect(e.stats).toEqual({ nodes: 1, devices: 0, pending: 1, running: 2 });
      e.release('high');
      e.cancel('low');
      expect(e.catalog().totals.cpuMilliFree).toBe(2000);
      expect(e.schedule().bindings.map((b) => b.taskId)).toEqual(['low2']);
      e.cancel('low2');
      expect(e.stats).toEqual({ nodes: 1, devices: 0, pending: 0, running: 0 });
    });

    it('place() on a queued task binds it, or leaves it queued unchanged', () => {
      const e = engine();
      e.addNode(node('n').cpu(1000).mem(1024).build());
      e.submit([task('q1').cpu(500).build(), task('q2').cpu(500).build()]);
      expect(unsched(e.place(task('q1').cpu(4000).build())).reasons).toEqual([{ reason: 'insufficient CPU', nodes: 1 }]);
      expect(e.task('q1')).toMatchObject({ status: 'pending', task: { cpuMilli: 500 } });
      expect(bound(e.place(task('q1').cpu(700).build())).nodeId).toBe('n');
      expect(e.stats).toEqual({ nodes: 1, devices: 0, pending: 1, running: 1 });
      // 1000 - 700 = 300 < 500: q2 stays pending
      expect(e.schedule().unschedulable.map((u) => u.taskId)).toEqual(['q2']);
    });

    it('drain keeps running tasks and stops new ones', () => {
      const e = engine();
      e.addNode(node('n').cpu(2000).mem(1024).build());
      bound(e.place(task('a').cpu(1000).build()));
      e.drainNode('n');
      expect(e.binding('a')!.nodeId).toBe('n');
      expect(unsched(e.place(task('b').build())).reasons).toEqual([{ reason: 'node drained', nodes: 1 }]);
      e.drainNode('n', false);
      expect(bound(e.place(task('b').build())).nodeId).toBe('n');
    });
  });

  describe('hot-plug', () => {
    it('a failed device displaces only its tasks; they are requeued and placed again elsewhere', () => {
      const e = engine();
      e.addNode(node('n1').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).gpu('g1', { sharing: timeSlice() }).build());
      const a = bound(e.place(task('a').gpu({ milli: 600 }).build())); // g0 (equal candidates → lower slot)
      const b = bound(e.place(task('b').gpu({ milli: 600 }).build())); // g0 has 400 free → g1
      expect([a.devices[0].deviceId, b.devices[0].deviceId]).toEqual(['g0', 'g1']);
      const events: EngineEvent[] = [];
      e.on('displaced', (x) => events.push(x));
      e.on('health-changed', (x) => events.push(x));
      const d = e.setDeviceHealth('n1', 'g0', 'unhealthy');
      expect(d).toEqual([{ taskId: 'a', nodeId: 'n1', reason: 'device g0 unhealthy' }]);
      expect(events.map((x) => x.type)).toEqual(['displaced', 'health-changed']);
      expect(e.task('a')!.status).toBe('pending');
      expect(e.binding('b')).toEqual(b); // undisturbed
      e.addNode(node('n2').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).build());
      const r = e.schedule();
      expect(r.bindings).toEqual([{ taskId: 'a', nodeId: 'n2', devices: [{ deviceId: 'g0', milli: 600, memoryMiB: 0 }] }]);
    });

    it('removing a node returns every task it ran, once; other nodes are untouched', () => {
      const e = engine();
      e.addNode(node('n1').cpu(4000).mem(4096).build());
      e.addNode(node('n2').cpu(1000).mem(4096).build());
      bound(e.place(task('a').cpu(2000).build()));
      bound(e.place(task('b').cpu(2000).build()));
      const c = bound(e.place(task('c').cpu(1000).build()));
      expect(c.nodeId).toBe('n2');
      const d = e.removeNode('n1');
      expect(d.map((x) => x.taskId)).toEqual(['a', 'b']);
      expect(d.every((x) => x.reason === 'node removed')).toBe(true);
      expect(e.tasks().map((t) => [t.id, t.status])).toEqual([['a', 'pending'], ['b', 'pending'], ['c', 'running']]);
      expect(e.binding('c')).toEqual(c);
      expect(e.stats).toEqual({ nodes: 1, devices: 0, pending: 2, running: 1 });
    });

    it('updateNode: shrinking keeps what fits in bind order, NoExecute taints evict, health returns', () => {
      const e = engine();
      e.addNode(node('n').cpu(4000).mem(4096).build());
      bound(e.place(task('a').cpu(1000).build()));
      bound(e.place(task('b').cpu(2000).build()));
      bound(e.place(task('c').cpu(1000).build()));
      // 3000 mCPU left: a (1000) and b (2000) fit in bind order, c (1000) no longer does
      expect(e.updateNode('n', { cpuMilli: 3000 })).toEqual([{ taskId: 'c', nodeId: 'n', reason: 'node capacity reduced' }]);
      expect(e.updateNode('n', { taints: [{ key: 'maint', effect: 'NoSchedule' }] })).toEqual([]);
      expect(e.updateNode('n', { taints: [{ key: 'maint', effect: 'NoExecute' }] }).map((x) => x.taskId)).toEqual(['a', 'b']);
      expect(e.catalog().totals.cpuMilliFree).toBe(3000);
      e.updateNode('n', { taints: [] });
      expect(e.setNodeHealth('n', 'unhealthy')).toEqual([]);
      expect(unsched(e.place(task('z').build())).reasons).toEqual([{ reason: 'node not healthy', nodes: 1 }]);
      e.setNodeHealth('n', 'healthy');
      expect(e.schedule().bindings.map((b) => b.taskId)).toEqual(['a', 'b']); // c (1000) no longer fits: 3000 - 3000 = 0
    });

    it('node slots are reused after removal and masks are recomputed', () => {
      const e = engine();
      for (let i = 0; i < 40; i++) e.addNode(node(`n${i}`).cpu(1000).mem(1024).with({ site: i % 2 ? 'odd' : 'even' }).build());
      for (let i = 0; i < 40; i += 2) e.removeNode(`n${i}`);
      e.addNode(node('fresh').cpu(1000).mem(1024).with({ site: 'even' }).build());
      expect(bound(e.place(task('t').cpu(1000).with({ site: ['even'] }).build())).nodeId).toBe('fresh');
      expect(unsched(e.place(task('t2').cpu(1).with({ site: ['even'] }).build())).message).toBe('0/21 nodes fit: node site not in [even] on 20 nodes, insufficient CPU on 1 node');
    });
  });

  describe('growth and caches', () => {
    it('grows past its initial capacity (relayout) without losing state', () => {
      const e = engine();
      // initial capacity is 64 node slots and 256 device slots: 300 nodes × 2 GPUs forces several relayouts
      for (let i = 0; i < 150; i++) e.addNode(node(`a${i}`).cpu(2000).mem(2048).gpu('g0', { sharing: timeSlice() }).gpu('g1').build());
      for (let i = 0; i < 100; i++) bound(e.place(task(`t${i}`).cpu(1000).gpu({ milli: 500, memoryMiB: 1024 }).build()));
      const before = e.tasks().map((t) => t.binding);
      for (let i = 0; i < 150; i++) e.addNode(node(`b${i}`).cpu(2000).mem(2048).gpu('g0', { sharing: timeSlice() }).gpu('g1').build());
      expect(e.tasks().map((t) => t.binding)).toEqual(before);
      const c = e.catalog();
      // 300 nodes × 2000 mCPU − 100 × 1000 = 500000; GPU milli: 600 devices × 1000 − 100 × 500 = 550000
      expect(c.totals.cpuMilliFree).toBe(500_000);
      expect(c.entries.find((x) => x.kind === 'gpu')!.milliFree).toBe(550_000);
      // binpack stacks two 500-milli shares per node: the second scores cpu ((2000-1000+1000)·100)/2000 = 100,
      // memory 0, device ((2000-1500+500)·100)/2000 = 50 → 50 there, against 25 on an empty node → 50 nodes used
      expect(new Set(before.map((b) => b!.nodeId)).size).toBe(50);
      // after the relayout the engine still sees them full: a 1000-mCPU task goes to an empty node
      const t = bound(e.place(task('late').cpu(1000).build()));
      expect(before.some((b) => b!.nodeId === t.nodeId)).toBe(false);
    });

    it('more distinct constraint signatures and allow-lists than cache slots in one cycle', () => {
      const e = engine();
      // 80 sites, 80 vendors: each task names its own site and vendor (80 > 64 cache slots)
      for (let i = 0; i < 80; i++) e.addNode(node(`n${i}`).cpu(1000).mem(1024).with({ site: `s${i}` }).gpu('g', { vendor: `v${i}` }).build());
      e.submit(Array.from({ length: 80 }, (_, i) => task(`t${i}`).cpu(1000).with({ site: [`s${i}`] }).gpu({ vendors: [`v${i}`] }).build()));
      const r = e.schedule();
      expect(r.unschedulable).toEqual([]);
      expect(r.bindings.map((b) => [b.taskId, b.nodeId])).toEqual(Array.from({ length: 80 }, (_, i) => [`t${i}`, `n${i}`]));
    });
  });

  describe('tentative placements', () => {
    it('commit announces all, discard undoes all', () => {
      const e = engine();
      e.addNode(node('n').cpu(3000).mem(1024).build());
      e.submit(task('queued').cpu(1000).build());
      const boundEvents: string[] = [];
      e.on('bound', (x) => boundEvents.push(x.binding.taskId));
      const tx = e.tentative();
      bound(tx.place(task('g1').cpu(1000).build()));
      bound(tx.place(task('queued').cpu(1500).build()));
      expect(boundEvents).toEqual([]);
      expect(unsched(tx.place(task('g3').cpu(2000).build())).reasons).toEqual([{ reason: 'insufficient CPU', nodes: 1 }]);
      tx.discard();
      expect(e.catalog().totals.cpuMilliFree).toBe(3000);
      expect(e.task('g1')).toBeUndefined();
      expect(e.task('queued')).toMatchObject({ status: 'pending', task: { cpuMilli: 1000 } }); // its queued definition is back
      expect(e.stats.pending).toBe(1);
      expect(hetpoolErrorOf(() => tx.commit()).code).toBe('conflict');

      const tx2 = e.tentative();
      bound(tx2.place(task('g1').cpu(1000).build()));
      bound(tx2.place(task('g2').cpu(1000).build()));
      tx2.commit();
      expect(boundEvents).toEqual(['g1', 'g2']);
      expect(e.stats).toEqual({ nodes: 1, devices: 0, pending: 1, running: 2 });
    });
  });

  it('evict requeues a running task with a preempted event', () => {
    const e = engine();
    e.addNode(node('n').cpu(1000).mem(1024).build());
    bound(e.place(task('a').cpu(1000).build()));
    const events: EngineEvent[] = [];
    e.on('preempted', (x) => events.push(x));
    expect(e.evict('a', 'rebalance')).toEqual({ taskId: 'a', nodeId: 'n', reason: 'rebalance' });
    expect(events).toEqual([{ type: 'preempted', displaced: { taskId: 'a', nodeId: 'n', reason: 'rebalance' } }]);
    expect(e.task('a')).toMatchObject({ status: 'pending', reason: 'rebalance' });
    expect(e.catalog().totals.cpuMilliFree).toBe(1000);
  });

  it('listeners can unsubscribe and a throwing listener does not break the engine', () => {
    const e = engine();
    const seen: string[] = [];
    const off = e.on('node-added', (x) => seen.push(x.nodeId));
    e.on('node-added', () => {
      throw new Error('listener bug');
    });
    e.addNode(node('a').build());
    off();
    e.addNode(node('b').build());
    expect(seen).toEqual(['a']);
    expect(e.stats.nodes).toBe(2);
  });

  it('catalogue groups capacity by kind, vendor, model, arch and form', () => {
    const e = engine();
    e.addNode(node('x1').cpu(4000).mem(8192).gpu('g0', { throughput: { fp16: 1 } }).gpu('g1').build());
    e.addNode(node('x2').cpu(2000).mem(4096).gpu('g0').build());
    e.addNode(node('arm').cpu(8000).mem(8192).with({ arch: 'aarch64' }).device('n0', 'npu', { vendor: 'huawei', model: 'Ascend910B', memoryMiB: 65536 }).build());
    bound(e.place(task('t').cpu(1000).mem(1024).gpu({ memoryMiB: 1 }).build()));
    const c = e.catalog();
    // cpu: x86 4000 + 2000 = 6000 (1000 used → 5000 free); arm 8000
    expect(c.entries.map((x) => [x.kind, x.vendor, x.model, x.arch, x.nodes, x.devices, x.milliCapacity, x.milliFree])).toEqual([
      ['cpu', '', '', 'aarch64', 1, 0, 8000, 8000],
      ['cpu', '', '', 'x86_64', 2, 0, 6000, 5000],
      ['gpu', 'nvidia', 'A100', 'x86_64', 2, 3, 3000, 2000], // 3 A100s, one held whole
      ['npu', 'huawei', 'Ascend910B', 'aarch64', 1, 1, 1000, 1000],
    ]);
    expect(c.entries[2].precisions).toEqual(['fp16']);
    expect(c.totals).toEqual({ nodes: 3, healthyNodes: 3, devices: 4, cpuMilli: 14000, cpuMilliFree: 13000, memoryMiB: 20480, memoryMiBFree: 19456 });
  });
});
