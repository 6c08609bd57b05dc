/**
 * Extension points: each plugin hook exercised by a small plugin, the scorer registry, and a
 * custom TypeScript scorer (which moves decisions to the twin).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, registerScorer, unregisterScorer, scorerNames, type Binding, type EnginePlugin, type EngineEvent, type ReleaseWhy } from '../src/engine/index.js';
import { HetpoolError } from '../src/model/errors.js';
import { node, task } from './engine-builders.js';
import { hetpoolErrorOf } from './helpers/errors.js';


describe.each(['wasm', 'ts'] as const)('plugin hooks (%s backend)', (backend) => {
  it('compare reorders the queue', () => {
    // one slot of 1000 mCPU; default order would bind 'first' (same priority, earlier)
    const lastFirst: EnginePlugin = { name: 'lifo', compare: (a, b) => b.seq - a.seq };
    const e = createEngine({ backend, plugins: [lastFirst] });
    e.addNode(node('n').cpu(1000).mem(1024).build());
    e.submit([task('first').cpu(1000).build(), task('second').cpu(1000).build()]);
    expect(e.schedule().bindings.map((b) => b.taskId)).toEqual(['second']);
  });

  it('admit keeps refused tasks pending with the reason', () => {
    const quota: EnginePlugin = { name: 'quota', admit: (t) => (t.task.tenant === 'b' ? 'tenant b over quota' : null) };
    const e = createEngine({ backend, plugins: [quota] });
    e.addNode(node('n').cpu(4000).mem(1024).build());
    e.submit([task('a1').tenant('a').build(), task('b1').tenant('b').build()]);
    const r = e.schedule();
    expect(r.bindings.map((b) => b.taskId)).toEqual(['a1']);
    expect(r.unschedulable).toEqual([{ taskId: 'b1', reasons: [{ reason: 'not admitted: tenant b over quota', nodes: 0 }], message: 'not admitted: tenant b over quota' }]);
    expect(e.task('b1')).toMatchObject({ status: 'pending', reason: 'not admitted: tenant b over quota' });
  });

  it('filterNode is folded into the node mask and named in reasons', () => {
    const noEdge: EnginePlugin = { name: 'no-edge-for-training', filterNode: (t, n) => !(t.task.class === 'training' && n.form === 'edge') };
    const e = createEngine({ backend, plugins: [noEdge] });
    e.addNode(node('edge').cpu(8000).mem(1024).with({ form: 'edge' }).build());
    e.addNode(node('dc').cpu(1000).mem(1024).build());
    expect((e.place(task('t1').cpu(1000).with({ class: 'training' }).build()) as Binding).nodeId).toBe('dc');
    const u = e.place(task('t2').cpu(1000).with({ class: 'training' }).build());
    expect(u).toMatchObject({ reasons: [{ reason: 'insufficient CPU', nodes: 1 }, { reason: 'rejected by plugin no-edge-for-training', nodes: 1 }] });
    expect((e.place(task('t3').cpu(1000).build()) as Binding).nodeId).toBe('edge'); // not training: allowed
  });

  it('onBind and onRelease see every binding and why it ended', () => {
    const log: string[] = [];
    const acct: EnginePlugin = {
      name: 'accounting',
      onBind: (b) => log.push(`bind ${b.taskId}@${b.nodeId}`),
      onRelease: (b, _t, why: ReleaseWhy) => log.push(`${why} ${b.taskId}`),
    };
    const e = createEngine({ backend, plugins: [acct] });
    e.addNode(node('n1').cpu(4000).mem(1024).build());
    e.addNode(node('n2').cpu(1000).mem(1024).build());
    e.submit([task('a').cpu(1000).build(), task('b').cpu(1000).build(), task('c').cpu(1000).build(), task('d').cpu(1000).build()]);
    e.schedule(); // binpack: n2 (1000 of 1000 → CPU score 100) for the first, then n1
    e.release('a');
    e.cancel('b');
    e.evict('c', 'make room');
    e.removeNode(e.binding('d')!.nodeId);
    expect(log).toEqual(['bind a@n2', 'bind b@n1', 'bind c@n1', 'bind d@n1', 'released a', 'cancelled b', 'preempted c', 'displaced d']);
  });

  it('preempt evicts the returned victims and retries once', () => {
    const byPriority: EnginePlugin = {
      name: 'priority-preemption',
      preempt: (t, view) => {
        const victims = view.tasks().filter((x) => x.status === 'running' && x.task.priority < t.task.priority);
        return victims.length ? [victims[0].id] : null;
      },
    };
    const released: string[] = [];
    const e = createEngine({ backend, plugins: [byPriority, { name: 'log', onRelease: (b, _t, why) => released.push(`${why} ${b.taskId}`) }] });
    e.addNode(node('n').cpu(8000).mem(8192).gpu('g0').build());
    e.submit(task('batch').priority(0).gpu().build());
    e.schedule();
    e.submit(task('urgent').priority(100).gpu().build());
    const r = e.schedule();
    expect(r.bindings.map((b) => b.taskId)).toEqual(['urgent']);
    expect(r.events.filter((x: EngineEvent) => x.type === 'preempted')).toEqual([{ type: 'preempted', displaced: { taskId: 'batch', nodeId: 'n', reason: 'preempted by urgent' }, by: 'urgent' }]);
    expect(e.task('batch')).toMatchObject({ status: 'pending', reason: 'preempted by urgent' });
    expect(released).toEqual(['preempted batch']);
  });

  it('a preempt hook naming a task that is not running is a loud error', () => {
    const bad: EnginePlugin = { name: 'bad', preempt: () => ['ghost'] };
    const e = createEngine({ backend, plugins: [bad] });
    e.submit(task('t').cpu(1).build());
    expect(hetpoolErrorOf(() => e.schedule()).path).toBe('plugins.bad.preempt');
  });
});

describe('plugin and scorer registries', () => {
  afterEach(() => {
    for (const n of scorerNames()) if (n !== 'binpack' && n !== 'spread') unregisterScorer(n);
  });

  it('plugin names must be unique and hooks must be functions', () => {
    expect(hetpoolErrorOf(() => createEngine({ plugins: [{ name: 'a' }, { name: 'a' }] }))).toMatchObject({ code: 'conflict', path: 'plugins[1].name' });
    expect(hetpoolErrorOf(() => createEngine({ plugins: [{ name: 'a', admit: 'yes' as never }] }))).toMatchObject({ code: 'invalid-input', path: 'plugins[0].admit' });
    expect(hetpoolErrorOf(() => createEngine({ plugins: [{ name: '' }] }))).toMatchObject({ path: 'plugins[0].name' });
  });

  it('registerScorer rejects duplicates, unknown names fail, built-ins stay', () => {
    const s = { name: 'prefer-cloud', scoreNode: () => 0 };
    registerScorer(s);
    expect(hetpoolErrorOf(() => registerScorer(s))).toMatchObject({ code: 'conflict' });
    expect(hetpoolErrorOf(() => registerScorer({ ...s, name: 'binpack' }))).toMatchObject({ code: 'conflict' });
    expect(hetpoolErrorOf(() => unregisterScorer('spread'))).toMatchObject({ code: 'conflict' });
    expect(hetpoolErrorOf(() => createEngine({ policy: 'nope' }))).toMatchObject({ code: 'invalid-input', path: 'policy' });
    expect(scorerNames()).toEqual(['binpack', 'spread', 'prefer-cloud']);
  });

  it('a custom scorer decides on the twin, with the node resources it is given', () => {
    const seen: string[] = [];
    registerScorer({
      name: 'most-memory-free',
      // score = free memory in GiB, capped at 100
      scoreNode: (_t, n) => {
        seen.push(`${n.nodeId}:${n.memoryMiBFree}/${n.memoryMiBCapacity}`);
        return Math.min(100, Math.floor(n.memoryMiBFree / 1024));
      },
    });
    const e = createEngine({ policy: 'most-memory-free' });
    expect(e.backend).toBe('ts');
    e.addNode(node('small').cpu(1000).mem(2048).build());
    e.addNode(node('big').cpu(1000).mem(8192).build());
    // small (2048 MiB) cannot hold 4096 MiB: filtered out before scoring, so only big is scored
    expect((e.place(task('t').mem(4096).build()) as Binding).nodeId).toBe('big');
    expect(seen).toEqual(['big:8192/8192']);
    // a 1024-MiB task fits both: small 2048/1024 = 2, big (4096 free) 4096/1024 = 4 → big
    e.submit(task('u').mem(1024).build());
    expect(e.schedule().bindings[0].nodeId).toBe('big'); // the batch path uses the scorer too
    expect(seen.slice(1)).toEqual(['small:2048/2048', 'big:4096/8192']);
  });

  it('a scorer returning a value off the 0..100 scale is a loud error', () => {
    const e = createEngine({ scorer: { name: 'broken', scoreNode: () => 150 } });
    e.addNode(node('n').cpu(1000).mem(1024).build());
    expect(hetpoolErrorOf(() => e.place(task('t').build()))).toMatchObject({ code: 'internal', path: 'scorer.broken' });
  });
});
