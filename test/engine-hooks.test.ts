/**
 * The engine services plugins build on: chooseDevices, volatile filters and invalidateFilters,
 * nodeAllowed, preemption that evicts only after a tentative fit, and resize.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type DeviceCandidate, type EngineEvent, type EnginePlugin, type Engine } from '../src/engine/index.js';
import { HetpoolError } from '../src/model/errors.js';
import type { Task } from '../src/model/types.js';
import { MIG_1G, node, partition, task, timeSlice } from './engine-builders.js';
import { hetpoolErrorOf } from './helpers/errors.js';

const devicesOf = (e: Engine, id: string) => e.binding(id)?.devices.map((d) => d.deviceId);
const record = (e: Engine, type: EngineEvent['type']) => {
  const seen: EngineEvent[] = [];
  e.on(type, (x) => seen.push(x));
  return seen;
};

describe.each(['wasm', 'ts'] as const)('engine hooks (%s backend)', (backend) => {
  describe('chooseDevices', () => {
    const fourGpus = () => node('n').cpu(8000).mem(8192).gpu('g0').gpu('g1').gpu('g2').gpu('g3').build();

    it('takes the devices a plugin picks, and later tasks see that choice', () => {
      const asked: string[][] = [];
      // picks the LAST fitting devices: the opposite of the kernel's best fit (lowest slots)
      const last: EnginePlugin = {
        name: 'last',
        chooseDevices: (t, _n, c) => {
          asked.push(c.map((d) => d.deviceId));
          return c.slice(-t.task.accel!.count).map((d) => d.deviceId);
        },
      };
      const e = createEngine({ backend, plugins: [last] });
      e.addNode(fourGpus());
      e.submit([task('a').gpu({ count: 2 }).build(), task('b').gpu({ count: 1 }).build(), task('c').gpu({ count: 2 }).build()]);
      const r = e.schedule();
      // a: all four fit → g2, g3. b: g0, g1 left → g1. c: only g0 left < 2 → unschedulable.
      expect(devicesOf(e, 'a')).toEqual(['g2', 'g3']);
      expect(devicesOf(e, 'b')).toEqual(['g1']);
      expect(asked).toEqual([['g0', 'g1', 'g2', 'g3'], ['g0', 'g1']]);
      expect(r.unschedulable.map((u) => u.taskId)).toEqual(['c']);
      // the columns agree: releasing a frees g2, g3 (c takes them: the plugin's last two of g0, g2, g3)
      e.release('a');
      e.schedule();
      expect(devicesOf(e, 'c')).toEqual(['g2', 'g3']);
    });

    it('picks among time-sliced shares by free amounts, charged exactly', () => {
      // most-free device first, the opposite of binpack's best fit
      const roomiest: EnginePlugin = {
        name: 'roomiest',
        chooseDevices: (_t, _n, c: readonly DeviceCandidate[]) => [[...c].sort((x, y) => y.milliFree - x.milliFree || x.index - y.index)[0].deviceId],
      };
      const e = createEngine({ backend, plugins: [roomiest] });
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).gpu('g1', { sharing: timeSlice() }).build());
      const x = e.place(task('x').gpu({ milli: 600, memoryMiB: 1000 }).build()); // both 1000 free → g0 (lower index)
      const y = e.place(task('y').gpu({ milli: 300, memoryMiB: 1000 }).build()); // g0 400, g1 1000 → g1 (binpack: g0)
      expect(['nodeId' in x && x.devices, 'nodeId' in y && y.devices]).toEqual([
        [{ deviceId: 'g0', milli: 600, memoryMiB: 1000 }], [{ deviceId: 'g1', milli: 300, memoryMiB: 1000 }],
      ]);
      // g0 has 1000 − 600 = 400 free, g1 1000 − 300 = 700: a 700 share fits only g1, then 500 fits nowhere
      expect(devicesOf(e, 'x')).toEqual(['g0']);
      const z = e.place(task('z').gpu({ milli: 700 }).build());
      expect('nodeId' in z && z.devices[0].deviceId).toBe('g1');
      expect('nodeId' in e.place(task('w').gpu({ milli: 500 }).build())).toBe(false);
    });

    it("rejects a bad answer, keeps the kernel's choice and says why", () => {
      const answers: unknown[] = [['g9'], ['g0', 'g1'], ['g2', 'g2']];
      let k = 0;
      const bad: EnginePlugin = { name: 'bad', chooseDevices: () => answers[k++] as string[] };
      const e = createEngine({ backend, plugins: [bad] });
      e.addNode(fourGpus());
      const ev = record(e, 'device-choice-rejected');
      e.place(task('one').gpu().build()); // kernel: g0
      e.place(task('two').gpu().build()); // kernel: g1
      e.place(task('three').gpu({ count: 2 }).build()); // kernel: g2, g3
      expect([devicesOf(e, 'one'), devicesOf(e, 'two'), devicesOf(e, 'three')]).toEqual([['g0'], ['g1'], ['g2', 'g3']]);
      expect(ev.map((x) => (x.type === 'device-choice-rejected' ? x.reason : ''))).toEqual([
        'device "g9" is not a candidate (absent, busy or not matching the request)',
        'returned 2 devices; the task takes 1',
        'device "g2" named twice', // g0, g1 are busy by then: g2 is a candidate, named twice
      ]);
    });

    it('a throwing chooser changes nothing', () => {
      const boom: EnginePlugin = { name: 'boom', chooseDevices: () => { throw new Error('boom'); } };
      const e = createEngine({ backend, plugins: [boom] });
      e.addNode(fourGpus());
      expect(() => e.place(task('t').gpu({ count: 4 }).build())).toThrow('boom');
      expect(e.catalog().entries.find((x) => x.kind === 'gpu')!.milliFree).toBe(4000);
    });
  });

  describe('filter cache', () => {
    // a filter that reads outside state: which node is open
    const gate = (volatile: boolean) => {
      const state = { open: 'none' };
      const p: EnginePlugin = { name: 'gate', volatileFilter: volatile, filterNode: (_t, n) => n.id === state.open };
      return { state, p };
    };
    const setup = (volatile: boolean) => {
      const g = gate(volatile);
      const e = createEngine({ backend, plugins: [g.p] });
      e.addNode(node('a').cpu(1000).mem(1024).build());
      e.addNode(node('b').cpu(1000).mem(1024).build());
      e.submit(task('t').cpu(500).build());
      expect(e.schedule().bindings).toEqual([]); // nothing open
      g.state.open = 'b';
      return { e, g };
    };
    it('a volatile filter is recomputed each cycle', () => {
      const { e } = setup(true);
      expect(e.schedule().bindings.map((b) => b.nodeId)).toEqual(['b']);
    });
    it('a cached filter waits for invalidateFilters(taskId)', () => {
      const { e } = setup(false);
      expect(e.schedule().bindings).toEqual([]); // the mask from the first cycle still says "none"
      e.invalidateFilters('t');
      expect(e.schedule().bindings.map((b) => b.nodeId)).toEqual(['b']);
    });
    it('invalidateFilters() drops every mask', () => {
      const { e } = setup(false);
      e.invalidateFilters();
      expect(e.schedule().bindings.map((b) => b.nodeId)).toEqual(['b']);
      expect(hetpoolErrorOf(() => e.invalidateFilters(7 as unknown as string)).path).toBe('taskId');
    });
    it('volatileFilter must be a boolean', () => {
      expect(hetpoolErrorOf(() => createEngine({ plugins: [{ name: 'x', volatileFilter: 'yes' as unknown as boolean }] })).path).toBe('plugins[0].volatileFilter');
    });
  });

  it('nodeAllowed honours health, drain, the task constraints and every plugin filter', () => {
    const noEdge: EnginePlugin = { name: 'no-edge', filterNode: (_t, n) => n.form !== 'edge' };
    const e = createEngine({ backend, plugins: [noEdge] });
    e.addNode(node('x86').cpu(1000).mem(1024).build());
    e.addNode(node('arm').cpu(1000).mem(1024).with({ arch: 'aarch64' }).build());
    e.addNode(node('drained').cpu(1000).mem(1024).build());
    e.addNode(node('sick').cpu(1000).mem(1024).build());
    e.addNode(node('edge').cpu(1000).mem(1024).with({ form: 'edge' }).build());
    e.addNode(node('tainted').cpu(1000).mem(1024).with({ taints: [{ key: 'gpu-only', effect: 'NoSchedule' }] }).build());
    e.drainNode('drained');
    e.setNodeHealth('sick', 'unhealthy');
    e.submit(task('t').with({ arch: ['x86_64'] }).build());
    const t = e.task('t')!;
    const allowed = ['x86', 'arm', 'drained', 'sick', 'edge', 'tainted', 'nowhere'].filter((n) => e.nodeAllowed(t, n));
    expect(allowed).toEqual(['x86']);
  });

  describe('preemption evicts only when the preemptor then fits', () => {
    it('a victim set that does not make room evicts nobody; the next plugin may still succeed', () => {
      const tooLittle: EnginePlugin = { name: 'too-little', preempt: () => ['small'] };
      const enough: EnginePlugin = { name: 'enough', preempt: () => ['big'] };
      for (const [plugins, evicted] of [[[tooLittle], []], [[tooLittle, enough], ['big']]] as const) {
        const e = createEngine({ backend, plugins: [...plugins] });
        e.addNode(node('n').cpu(4000).mem(4096).build());
        e.submit([task('small').cpu(1000).build(), task('big').cpu(3000).build()]);
        e.schedule();
        const pre = record(e, 'preempted');
        e.submit(task('urgent').cpu(2000).priority(10).build());
        const r = e.schedule();
        // n is full (1000 + 3000 = 4000). Without 'small': 1000 free < 2000 → no eviction.
        // Without 'big': 3000 free ≥ 2000 → urgent binds, big is requeued (and does not fit again).
        expect(pre.map((x) => (x.type === 'preempted' ? x.displaced.taskId : ''))).toEqual(evicted);
        expect(e.task('small')!.status).toBe('running');
        expect(r.bindings.map((b) => b.taskId)).toEqual(evicted.length ? ['urgent'] : []);
        expect(e.stats.running).toBe(2 - evicted.length + (evicted.length ? 1 : 0));
      }
    });
  });

  describe('resize', () => {
    it('grows and shrinks CPU in place; refuses what does not fit, with the migration', () => {
      const e = createEngine({ backend });
      e.addNode(node('n').cpu(4000).mem(8192).build());
      e.place(task('t').cpu(1000).mem(1024).build());
      e.place(task('u').cpu(1000).build());
      const ev = record(e, 'resized');
      // n: 4000 − 1000 − 1000 = 2000 free; t 1000 → 3000 needs +2000 → fits exactly
      expect(e.resize('t', { cpuMilli: 3000 })).toEqual({ ok: true, binding: { taskId: 't', nodeId: 'n', devices: [] } });
      expect(ev).toEqual([{ type: 'resized', taskId: 't', binding: { taskId: 't', nodeId: 'n', devices: [] }, from: { cpuMilli: 1000, memoryMiB: 1024 }, to: { cpuMilli: 3000, memoryMiB: 1024 } }]);
      // now 0 free: 3000 → 3001 does not fit on n, and there is no other node
      const r = e.resize('t', { cpuMilli: 3001 });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^no room on n for the new size; nowhere else either: 0\/1 nodes fit: insufficient CPU on 1 node/);
      e.addNode(node('m').cpu(4000).mem(8192).build());
      const s = e.resize('t', { cpuMilli: 3500, memoryMiB: 2048 });
      expect(s).toEqual({ ok: false, reason: 'no room on n for the new size; a fresh placement would go to m', migration: { taskId: 't', nodeId: 'm', devices: [] } });
      // nothing changed: t still 3000 on n, m entirely free (a 4000 task fits there)
      expect(e.task('t')!.task.cpuMilli).toBe(3000);
      expect(e.binding('t')!.nodeId).toBe('n');
      expect('nodeId' in e.place(task('full-m').cpu(4000).mem(8192).build())).toBe(true);
      // shrink always fits
      expect(e.resize('t', { cpuMilli: 0, memoryMiB: 0 }).ok).toBe(true);
      expect('nodeId' in e.place(task('v').cpu(3000).build())).toBe(true); // n: 4000 − 0 − 1000 = 3000 free
    });

    it('resizes a time-sliced share on its device, or names the device it would move to', () => {
      const e = createEngine({ backend });
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice(), memoryMiB: 10000 }).gpu('g1', { sharing: timeSlice(), memoryMiB: 10000 }).build());
      e.place(task('t').gpu({ milli: 400, memoryMiB: 4000 }).build()); // g0
      e.place(task('o').gpu({ milli: 500, memoryMiB: 5000 }).build()); // best fit: g0 (600 free < 1000)
      expect(devicesOf(e, 'o')).toEqual(['g0']);
      // g0: 1000 − 400 − 500 = 100 milli, 10000 − 9000 = 1000 MiB free → 400 → 500 milli, 4000 → 5000 MiB fits exactly
      const ok = e.resize('t', { accel: { milli: 500, memoryMiB: 5000 } });
      expect(ok).toEqual({ ok: true, binding: { taskId: 't', nodeId: 'n', devices: [{ deviceId: 'g0', milli: 500, memoryMiB: 5000 }] } });
      // 501 needs 1 more than g0 has → refused; a fresh placement takes g1 (1000 free)
      const no = e.resize('t', { accel: { milli: 501 } });
      expect(no).toEqual({ ok: false, reason: 'no room on n (devices g0) for the new size; a fresh placement would go to n', migration: { taskId: 't', nodeId: 'n', devices: [{ deviceId: 'g1', milli: 501, memoryMiB: 5000 }] } });
      expect(e.catalog().entries.find((x) => x.kind === 'gpu')!.milliFree).toBe(1000); // 2000 − 500 − 500
    });

    it('bad patches throw with the field; a task not running is a conflict', () => {
      const e = createEngine({ backend });
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g0').gpu('mig', { sharing: partition(MIG_1G) }).build());
      e.place(task('whole').gpu().build());
      e.place(task('inst').gpu({ profile: '1g.10gb' }).build());
      e.place(task('cpu').cpu(100).build());
      e.submit(task('queued').build());
      e.addNode(node('full').cpu(0).mem(0).build());
      expect(hetpoolErrorOf(() => e.resize('whole', { accel: { milli: 500 } })).path).toBe('patch.accel.milli');
      expect(hetpoolErrorOf(() => e.resize('inst', { accel: { memoryMiB: 1 } })).path).toBe('patch.accel');
      expect(hetpoolErrorOf(() => e.resize('cpu', { accel: { milli: 5 } })).path).toBe('patch.accel');
      expect(hetpoolErrorOf(() => e.resize('cpu', { cpuMilli: -1 })).path).toBe('patch.cpuMilli');
      expect(hetpoolErrorOf(() => e.resize('cpu', { gpus: 2 } as never)).path).toBe('patch.gpus');
      expect(hetpoolErrorOf(() => e.resize('queued', { cpuMilli: 1 })).code).toBe('conflict');
      expect(hetpoolErrorOf(() => e.resize('nope', { cpuMilli: 1 })).code).toBe('not-found');
      // a whole device may change its device memory request within the device (40960 MiB)
      expect(e.resize('whole', { accel: { memoryMiB: 40960 } }).ok).toBe(true);
      expect(e.resize('whole', { accel: { memoryMiB: 40961 } }).ok).toBe(false);
    });

    it('admitResize may refuse; onResize sees the old and new sizes', () => {
      const seen: string[] = [];
      const cap: EnginePlugin = {
        name: 'cap',
        admitResize: (_t, next: Task) => (next.cpuMilli > 2000 ? 'at most 2000 mCPU per task' : null),
        onResize: (b, t, prev) => seen.push(`${t.id}@${b.nodeId}: ${prev.cpuMilli} → ${t.task.cpuMilli}`),
      };
      const e = createEngine({ backend, plugins: [cap] });
      e.addNode(node('n').cpu(8000).mem(8192).build());
      e.place(task('t').cpu(1000).build());
      expect(e.resize('t', { cpuMilli: 3000 })).toEqual({ ok: false, reason: 'not admitted: at most 2000 mCPU per task' });
      expect(e.resize('t', { cpuMilli: 2000 }).ok).toBe(true);
      expect(seen).toEqual(['t@n: 1000 → 2000']);
    });
  });
});
