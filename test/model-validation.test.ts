/**
 * Model validation: bad input yields one HetpoolError('invalid-input') whose path names the
 * offending field exactly as a user would write it (`tasks[3].accel.milli`).
 */
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { parseCluster, parseNode, parseTask, parseTaskList } from '../src/model/validate.js';
import { hetpoolErrorOf } from './helpers/errors.js';


const gpu = (sharing: unknown) => ({ id: 'g', kind: 'gpu', vendor: 'nvidia', model: 'A100', memoryMiB: 40960, sharing });
const nodeWith = (extra: object) => ({ nodes: [{ id: 'n0', cpuMilli: 1000, memoryMiB: 1024, ...extra }] });

describe('task list field paths', () => {
  const table: { name: string; input: unknown; path: string; message: RegExp }[] = [
    { name: 'milli above 1000', input: { tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd', accel: { kind: 'gpu', milli: 1500 } }] }, path: 'tasks[3].accel.milli', message: /must be an integer in 1\.\.1000/ },
    { name: 'milli not an integer', input: { tasks: [{ id: 'a', accel: { kind: 'gpu', milli: 0.5 } }] }, path: 'tasks[0].accel.milli', message: /must be an integer in 1\.\.1000/ },
    { name: 'fractional share on several devices', input: { tasks: [{ id: 'a', accel: { kind: 'gpu', milli: 500, count: 2 } }] }, path: 'tasks[0].accel.count', message: /must be 1 when milli < 1000/ },
    { name: 'profile with count 2', input: { tasks: [{ id: 'a', accel: { kind: 'gpu', profile: '1g.10gb', count: 2 } }] }, path: 'tasks[0].accel.count', message: /partition profile/ },
    { name: 'unknown device kind', input: { tasks: [{ id: 'a', accel: { kind: 'tpu' } }] }, path: 'tasks[0].accel.kind', message: /gpu/ },
    { name: 'negative CPU', input: { tasks: [{ id: 'a', cpuMilli: -5 }] }, path: 'tasks[0].cpuMilli', message: /≥ 0/ },
    { name: 'CPU as a string', input: { tasks: [{ id: 'a', cpuMilli: '500m' }] }, path: 'tasks[0].cpuMilli', message: /expected number/ },
    { name: 'empty id', input: { tasks: [{ id: '' }] }, path: 'tasks[0].id', message: /non-empty/ },
    { name: 'duplicate id', input: { tasks: [{ id: 'a' }, { id: 'a' }] }, path: 'tasks[1].id', message: /duplicate task id "a" \(also tasks\[0\]\)/ },
    { name: 'unknown arch', input: { tasks: [{ id: 'a', arch: ['sparc'] }] }, path: 'tasks[0].arch[0]', message: /x86_64/ },
    { name: 'toleration operator', input: { tasks: [{ id: 'a', tolerations: [{ key: 'k', operator: 'In' }] }] }, path: 'tasks[0].tolerations[0].operator', message: /Exists/ },
    { name: 'unknown field (strict objects)', input: { tasks: [{ id: 'a', gpus: 1 }] }, path: 'tasks[0].gpus', message: /Unrecognized key: "gpus"/ },
    { name: 'tasks not an array', input: { tasks: {} }, path: 'tasks', message: /expected array/ },
  ];
  for (const row of table) {
    it(row.name, () => {
      const e = hetpoolErrorOf(() => parseTaskList(row.input));
      expect(e.code).toBe('invalid-input');
      expect(e.path).toBe(row.path);
      expect(e.message).toMatch(row.message);
      expect(e.message.startsWith(`${row.path}: `)).toBe(true);
    });
  }
});

describe('cluster field paths', () => {
  const table: { name: string; input: unknown; path: string; message: RegExp }[] = [
    { name: 'negative memory', input: { nodes: [{ id: 'n0', cpuMilli: 1, memoryMiB: -1 }] }, path: 'nodes[0].memoryMiB', message: /≥ 0/ },
    { name: 'duplicate node id', input: { nodes: [{ id: 'a', cpuMilli: 1, memoryMiB: 1 }, { id: 'a', cpuMilli: 1, memoryMiB: 1 }] }, path: 'nodes[1].id', message: /duplicate node id "a"/ },
    { name: 'duplicate device id', input: nodeWith({ devices: [gpu({ mode: 'exclusive' }), gpu({ mode: 'exclusive' })] }), path: 'nodes[0].devices[1].id', message: /duplicate device id "g"/ },
    { name: 'unknown sharing mode', input: nodeWith({ devices: [gpu({ mode: 'mig' })] }), path: 'nodes[0].devices[0].sharing.mode', message: /exclusive/ },
    { name: 'oversubscription below 1000', input: nodeWith({ devices: [gpu({ mode: 'time-slice', oversubscription: 500 })] }), path: 'nodes[0].devices[0].sharing.oversubscription', message: /1000/ },
    { name: 'partition without profiles', input: nodeWith({ devices: [gpu({ mode: 'partition', profiles: [] })] }), path: 'nodes[0].devices[0].sharing.profiles', message: /1/ },
    { name: 'profile maxCount above 64', input: nodeWith({ devices: [gpu({ mode: 'partition', profiles: [{ name: 'p', milli: 100, memoryMiB: 1, maxCount: 65 }] })] }), path: 'nodes[0].devices[0].sharing.profiles[0].maxCount', message: /64/ },
    { name: 'taint effect', input: nodeWith({ taints: [{ key: 'k', effect: 'Never' }] }), path: 'nodes[0].taints[0].effect', message: /NoSchedule/ },
    { name: 'unknown health', input: nodeWith({ health: 'broken' }), path: 'nodes[0].health', message: /healthy/ },
    { name: 'version 2', input: { version: 2, nodes: [] }, path: 'version', message: /1/ },
  ];
  for (const row of table) {
    it(row.name, () => {
      const e = hetpoolErrorOf(() => parseCluster(row.input));
      expect(e.code).toBe('invalid-input');
      expect(e.path).toBe(row.path);
      expect(e.message).toMatch(row.message);
    });
  }

  it('single objects take the root they are given', () => {
    expect(hetpoolErrorOf(() => parseNode({ id: 'n', cpuMilli: 1.5, memoryMiB: 1 })).path).toBe('node.cpuMilli');
    expect(hetpoolErrorOf(() => parseTask({ id: 't', accel: { kind: 'gpu', memoryMiB: -1 } })).path).toBe('task.accel.memoryMiB');
  });

  it('defaults are filled on valid input', () => {
    const c = parseCluster(nodeWith({ devices: [gpu({ mode: 'time-slice' })] }));
    expect(c.nodes[0]).toMatchObject({ arch: 'x86_64', form: 'hardware', health: 'healthy', schedulable: true });
    expect(c.nodes[0].devices[0].sharing).toEqual({ mode: 'time-slice', maxSlices: 16, oversubscription: 1000 });
    expect(parseTask({ id: 't', accel: { kind: 'gpu' } }).accel).toMatchObject({ count: 1, milli: 1000, memoryMiB: 0, exclusive: false });
  });

  it('reports how many further issues there are', () => {
    const e = hetpoolErrorOf(() => parseTaskList({ tasks: [{ id: 'a', cpuMilli: -1, memoryMiB: -1 }] }));
    expect(e.message).toMatch(/\(and 1 more issue\)$/);
    expect((e.details as unknown[]).length).toBe(2);
  });
});
