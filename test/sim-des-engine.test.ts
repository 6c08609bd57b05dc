/** The simulator driving the real engine (createEngine), on both backends. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate, type SimEngine } from '../src/sim/des/index.js';
import { createEngine } from '../src/engine/index.js';
import { generateCluster, generateWorkload } from '../src/sim/generate/index.js';
import type { NodeInput, TaskInput } from '../src/model/index.js';

const gpuNode = (id: string, gpus: number, sharing?: 'time-slice'): NodeInput => ({
  id, cpuMilli: 16000, memoryMiB: 65536,
  devices: Array.from({ length: gpus }, (_, i) => ({ id: `g${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'T4', memoryMiB: 16384, sharing: sharing ? { mode: sharing } : undefined })),
});

describe('simulate on the real engine', () => {
  it('a task waits for the device and starts when it frees', () => {
    // n1 has one GPU: a holds it 0–10, b (arrives 2) waits 8 s and runs 10–15; c is CPU-only.
    const r = simulate({
      cluster: { nodes: [gpuNode('n1', 1)] }, sampleInterval: 5,
      workload: [
        { id: 'a', arrival: 0, duration: 10, cpuMilli: 1000, accel: { kind: 'gpu' } },
        { id: 'b', arrival: 2, duration: 5, cpuMilli: 1000, accel: { kind: 'gpu' } },
        { id: 'c', arrival: 3, duration: 1, cpuMilli: 1000 },
      ],
    });
    expect(r).toMatchObject({ arrived: 3, placed: 3, completed: 3, failedToPlace: 0, makespan: 15 });
    expect(r.wait).toMatchObject({ p99: 8, max: 8 });
    // The GPU is busy all 15 s: time-weighted device utilisation 1.
    expect(r.utilisation.deviceMilli).toBeCloseTo(1, 12);
    // Samples at 0, 5, 10, 15: one GPU in use at 5 (a) and 10 (b, bound in the cycle at 10).
    expect(r.samples.map((s) => [s.t, s.deviceMilli])).toEqual([[0, 1], [5, 1], [10, 1], [15, 0]]);
  });

  it('a failed node displaces its task, which restarts on the node added later', () => {
    const r = simulate({
      cluster: { nodes: [gpuNode('n1', 1)] }, sampleInterval: 0,
      workload: [{ id: 'a', arrival: 0, duration: 10, cpuMilli: 1000, accel: { kind: 'gpu' } }],
      events: [{ at: 4, type: 'node-fail', nodeId: 'n1' }, { at: 6, type: 'add-node', node: gpuNode('n2', 1) }],
    });
    // Displaced at 4, bound again on n2 at 6, restarts: 6 + 10 = 16.
    expect(r).toMatchObject({ displaced: 1, requeuedBound: 1, displacedUnplaced: 0, completed: 1, makespan: 16 });
    expect(r.hotplug).toMatchObject({ nodeFailures: 1, nodesAdded: 1 });
  });

  it('a request that fits nowhere is reported with the engine\'s reason', () => {
    const r = simulate({ cluster: { nodes: [gpuNode('n1', 2)] }, sampleInterval: 0, workload: [{ id: 'x', arrival: 0, duration: 1, accel: { kind: 'npu' } }] });
    expect(r.failedToPlace).toBe(1);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0].tasks).toBe(1);
    expect(r.reasons[0].reason.length).toBeGreaterThan(0);
  });

  it('a task the engine rejects is named by its id', () => {
    const run = () => simulate({ cluster: { nodes: [gpuNode('n1', 1)] }, workload: [{ id: 'ok', arrival: 0, duration: 1 }, { id: 'bad', arrival: 0, duration: 1, accel: { kind: 'gpu', milli: 5000 } }] });
    expect(run).toThrow('workload: task "bad".accel.milli: must be an integer in 1..1000');
  });

  it('generated cluster and workload with failures and hot-plug: deterministic, the same on both backends, every displacement accounted for', () => {
    const cluster = generateCluster({ nodes: 40, seed: 21 });
    const wl = generateWorkload({ tasks: 400, seed: 22, cluster, arrivalRate: 0.5 }).tasks;
    const run = (backend: 'wasm' | 'ts') => simulate({
      cluster, workload: wl, seed: 23, backend, sampleInterval: 300,
      failures: { nodeMtbf: 20_000, nodeMttr: 600, deviceMtbf: 30_000, deviceMttr: 900 }, hotplug: { addEvery: 900, removeEvery: 1200 },
    });
    const a = run('wasm');
    expect(run('wasm')).toEqual(a);
    // The kernel and its TypeScript twin make the same decisions, so the whole run is identical.
    expect(run('ts')).toEqual(a);
    expect(a.arrived).toBe(400);
    expect(a.placed + a.failedToPlace).toBe(a.arrived);
    expect(a.displaced).toBeGreaterThan(0);
    expect(a.displaced).toBe(a.requeuedBound + a.displacedUnplaced);
    expect(a.hotplug.nodeFailures + a.hotplug.nodesRemoved).toBeGreaterThan(0);
  });

  it('the fast retry path decides as retrying every task does (property, real engine)', () => {
    // Invariant: same bindings at the same times with shape buckets + freed-node pre-check as with
    // every waiting task resubmitted, on the real engine — time-sliced shares with device memory,
    // MIG instances, whole and multi-device requests — so the pre-check's mirror of the engine's
    // capacity rules never turns away a task the engine would place.
    const mig = { mode: 'partition' as const, profiles: [{ name: '1g.10gb', milli: 142, memoryMiB: 10240, maxCount: 7 }, { name: '3g.40gb', milli: 428, memoryMiB: 40960, maxCount: 2 }] };
    const nodes: NodeInput[] = [
      gpuNode('n1', 2, 'time-slice'),
      { id: 'n2', cpuMilli: 16000, memoryMiB: 65536, devices: [0, 1].map((i) => ({ id: `m${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'A100', memoryMiB: 81920, sharing: mig })) },
      gpuNode('n3', 1),
    ];
    const req = fc.oneof(
      fc.record({ kind: fc.constant('gpu' as const), milli: fc.constantFrom(300, 500, 700), memoryMiB: fc.constantFrom(0, 4096, 12288) }),
      fc.record({ kind: fc.constant('gpu' as const), count: fc.constantFrom(1, 2) }),
      fc.record({ kind: fc.constant('gpu' as const), profile: fc.constantFrom('1g.10gb', '3g.40gb'), milli: fc.constantFrom(142, 428) }),
    );
    const spec = fc.record({ accel: req, cpu: fc.constantFrom(2000, 4000, 8000), gap: fc.integer({ min: 0, max: 4 }), dur: fc.integer({ min: 1, max: 30 }), prio: fc.constantFrom(0, 10) });
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 1e6 })), (specs, failSeed) => {
      let t = 0;
      const wl: TaskInput[] = specs.map((s, i) => ({ id: `t${i}`, arrival: (t += s.gap), duration: s.dur, cpuMilli: s.cpu, priority: s.prio, accel: s.accel }));
      const run = (retryAll: boolean) => {
        // With a seed: random node and device failures and repairs displace running tasks too.
        const failures = failSeed === null ? undefined : { nodeMtbf: 150, nodeMttr: 10, deviceMtbf: 80, deviceMttr: 6 };
        const { cycles: _c, reasons: _r, ...rest } = simulate({ cluster: { nodes }, workload: wl, retryAll, sampleInterval: 0, seed: failSeed ?? 1, failures });
        return rest;
      };
      expect(run(false)).toEqual(run(true));
    }), { numRuns: 60 });
  });
  it('trying tasks one at a time through place() decides as one engine cycle per try (property, real engine)', () => {
    // Invariant: with the same seed, driving the engine through place() (the fast path) and through
    // submit + schedule() (an engine without place, so the simulator falls back) gives the same
    // metrics — bindings, waits, utilisation, reasons, cycle count — with priorities, time-sliced
    // shares, whole GPUs, tasks that fit nowhere, and random failures that displace running tasks.
    const nodes: NodeInput[] = [gpuNode('n1', 2, 'time-slice'), gpuNode('n2', 1), { id: 'n3', cpuMilli: 8000, memoryMiB: 32768 }];
    const req = fc.oneof(
      fc.constant(undefined),
      fc.record({ kind: fc.constant('gpu' as const), milli: fc.constantFrom(300, 600), memoryMiB: fc.constantFrom(0, 8192) }),
      fc.record({ kind: fc.constant('gpu' as const), count: fc.constantFrom(1, 2) }),
      fc.record({ kind: fc.constant('npu' as const) }),
    );
    const spec = fc.record({ accel: req, cpu: fc.constantFrom(1000, 4000, 12000), gap: fc.integer({ min: 0, max: 3 }), dur: fc.integer({ min: 1, max: 20 }), prio: fc.constantFrom(0, 5) });
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 1e6 })), (specs, failSeed) => {
      let t = 0;
      const wl: TaskInput[] = specs.map((s, i) => ({ id: `t${i}`, arrival: (t += s.gap), duration: s.dur, cpuMilli: s.cpu, priority: s.prio, ...(s.accel && !(failSeed !== null && s.accel.kind === 'npu') ? { accel: s.accel } : {}) }));
      const run = (withPlace: boolean) => {
        const e = createEngine({ seed: 3, backend: 'ts' });
        // The same engine seen without its place(): the simulator must use submit + schedule.
        const engine: SimEngine = withPlace ? e : {
          addNode: (n) => e.addNode(n), removeNode: (id) => e.removeNode(id), setNodeHealth: (id, h) => e.setNodeHealth(id, h),
          setDeviceHealth: (n, d, h) => e.setDeviceHealth(n, d, h), submit: (x) => e.submit(x), cancel: (id) => e.cancel(id),
          release: (id) => e.release(id), schedule: () => e.schedule(),
        };
        const failures = failSeed === null ? undefined : { nodeMtbf: 120, nodeMttr: 10, deviceMtbf: 60, deviceMttr: 5 };
        return simulate({ cluster: { nodes }, engine, workload: wl, sampleInterval: 7, seed: failSeed ?? 1, failures });
      };
      expect(run(true)).toEqual(run(false));
    }), { numRuns: 40 });
  });
});
