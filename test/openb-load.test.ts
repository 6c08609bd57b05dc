/**
 * Loading openb workloads: CSV by header name (any column order, extra columns, gpu_spec lists),
 * errors that name file:line and column, hetpool JSON conversion, and the bundled trace's counts
 * (fixtures/openb/README.md).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { loadNodes, loadPods, parseNodeCsv, parsePodCsv } from '../src/sim/openb/load.js';
import { gpuCapacityMilli, podDemandMilli } from '../src/sim/openb/protocol.js';
import { hetpoolErrorOf } from './helpers/errors.js';


describe('openb CSV', () => {
  it('finds columns by header name, ignores extra ones and splits gpu_spec', () => {
    const csv = 'gpu_spec,extra,gpu_milli,num_gpu,memory_mib,cpu_milli,name\nV100M16|V100M32,x,500,1,1024,4000,p1\n,y,0,0,2048,8000,p2\n';
    expect(parsePodCsv(csv, 'pods.csv')).toEqual([
      { name: 'p1', cpuMilli: 4000, memoryMiB: 1024, numGpu: 1, gpuMilli: 500, gpuSpec: ['V100M16', 'V100M32'] },
      { name: 'p2', cpuMilli: 8000, memoryMiB: 2048, numGpu: 0, gpuMilli: 0, gpuSpec: [] },
    ]);
    expect(parseNodeCsv('model,gpu,sn,memory_mib,cpu_milli\nT4,2,n1,1024,96000\n,0,n2,512,8000\n', 'nodes.csv')).toEqual([
      { name: 'n1', cpuMilli: 96000, memoryMiB: 1024, gpuCount: 2, model: 'T4' },
      { name: 'n2', cpuMilli: 8000, memoryMiB: 512, gpuCount: 0, model: '' },
    ]);
  });

  it('names file, line and column of a bad row', () => {
    const head = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\n';
    // line 1 is the header, so the third data row is line 4
    const e = hetpoolErrorOf(() => parsePodCsv(`${head}a,1,1,1,500\nb,1,1,0,0\nc,1,1,3,1000\n`, 'pods.csv'));
    expect(e.code).toBe('invalid-input');
    expect(e.path).toBe('pods.csv:4');
    expect(e.message).toContain('num_gpu: must be one of 0,1,2,4,8');
    expect(hetpoolErrorOf(() => parsePodCsv(`${head}a,1,1,2,500\n`, 'pods.csv')).message).toContain('pods.csv:2: gpu_milli: must be 1000 when num_gpu > 1');
    expect(hetpoolErrorOf(() => parsePodCsv(`${head}a,x,1,1,500\n`, 'pods.csv')).message).toContain('pods.csv:2: cpu_milli: must be an integer');
    expect(hetpoolErrorOf(() => parsePodCsv(`${head}a,1,1,1,1200\n`, 'pods.csv')).message).toContain('gpu_milli: must be in 0..1000');
    expect(hetpoolErrorOf(() => parsePodCsv('name,cpu_milli,memory_mib,gpu_milli\n', 'pods.csv')).message).toContain('pods.csv:1: missing column "num_gpu"');
    const ragged = hetpoolErrorOf(() => parsePodCsv(`${head}a,1,1,0,0\nb,1,1\n`, 'pods.csv'));
    expect([ragged.code, ragged.path]).toEqual(['parse-error', 'pods.csv:3']);
    expect(hetpoolErrorOf(() => parseNodeCsv('sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,2,\n', 'nodes.csv')).message).toContain('nodes.csv:2: model: must name the GPU model');
    expect(hetpoolErrorOf(() => parseNodeCsv('sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,2,T4\nn1,1,1,2,T4\n', 'nodes.csv')).message).toContain('nodes.csv:3: sn: duplicate node "n1" (also line 2)');
  });
});

describe('hetpool JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openb-load-'));
  const dev = (id: string, model: string, kind = 'gpu') => ({ id, kind, vendor: 'nvidia', model, memoryMiB: 16384 });

  it('turns GPU devices into a node of one model and GPU requests into pods', () => {
    const nodes = join(dir, 'cluster.json');
    writeFileSync(nodes, JSON.stringify({ nodes: [{ id: 'n1', cpuMilli: 32000, memoryMiB: 65536, devices: [dev('g0', 'T4'), dev('g1', 'T4'), dev('f0', 'U250', 'fpga')] }, { id: 'cpu', cpuMilli: 8000, memoryMiB: 1024 }] }));
    expect(loadNodes(nodes)).toEqual([
      { name: 'n1', cpuMilli: 32000, memoryMiB: 65536, gpuCount: 2, model: 'T4' },
      { name: 'cpu', cpuMilli: 8000, memoryMiB: 1024, gpuCount: 0, model: '' },
    ]);
    const tasks = join(dir, 'tasks.json');
    writeFileSync(tasks, JSON.stringify({ tasks: [{ id: 't1', cpuMilli: 4000, memoryMiB: 100, accel: { kind: 'gpu', milli: 250, models: ['T4'] } }, { id: 't2', cpuMilli: 1000, accel: { kind: 'gpu', count: 2 } }, { id: 't3', cpuMilli: 500 }] }));
    expect(loadPods(tasks)).toEqual([
      { name: 't1', cpuMilli: 4000, memoryMiB: 100, numGpu: 1, gpuMilli: 250, gpuSpec: ['T4'] },
      { name: 't2', cpuMilli: 1000, memoryMiB: 0, numGpu: 2, gpuMilli: 1000, gpuSpec: [] },
      { name: 't3', cpuMilli: 500, memoryMiB: 0, numGpu: 0, gpuMilli: 0, gpuSpec: [] },
    ]);
  });

  it('rejects what the replay cannot represent, naming the field', () => {
    const nodes = join(dir, 'mixed.json');
    writeFileSync(nodes, JSON.stringify({ nodes: [{ id: 'n1', cpuMilli: 1, memoryMiB: 1, devices: [dev('g0', 'T4'), dev('g1', 'A10')] }] }));
    expect(hetpoolErrorOf(() => loadNodes(nodes)).path).toBe('mixed.json.nodes[0].devices[1].model');
    const tasks = join(dir, 'npu.json');
    writeFileSync(tasks, JSON.stringify({ tasks: [{ id: 't1', accel: { kind: 'npu' } }] }));
    expect(hetpoolErrorOf(() => loadPods(tasks)).path).toBe('npu.json.tasks[0].accel.kind');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ tasks: [{ id: 't1', accel: { kind: 'gpu', milli: 1500 } }] }));
    expect(hetpoolErrorOf(() => loadPods(bad)).path).toBe('bad.json.tasks[0].accel.milli');
  });
});

describe('the bundled openb trace', () => {
  it('has the README counts', () => {
    const nodes = loadNodes('fixtures/openb/openb_node_list_gpu_node.csv');
    const pods = loadPods('fixtures/openb/openb_pod_list_default.csv');
    expect(nodes.length).toBe(1213);
    expect(gpuCapacityMilli(nodes)).toBe(6_212_000);
    expect(new Set(nodes.map((n) => n.model)).size).toBe(7);
    expect(pods.length).toBe(8152);
    const byNum = [0, 1, 2, 4, 8].map((k) => pods.filter((p) => p.numGpu === k).length);
    expect(byNum).toEqual([1088, 6989, 16, 15, 44]);
    expect(pods.filter((p) => p.numGpu === 1 && p.gpuMilli < 1000).length).toBe(3078);
    // README: total GPU request ≈ 6,086.8 GPUs (98% of capacity)
    expect(Math.round(pods.reduce((s, p) => s + podDemandMilli(p), 0) / 100) / 10).toBeCloseTo(6086.8, 1);
  });
});
