/**
 * The example files in fixtures/examples/ are valid and place as described in docs/file-format.md
 * (outcomes derived by hand in the comments), on both backends.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, type Binding } from '../src/engine/index.js';
import { parseCluster, parseTaskList } from '../src/model/validate.js';

function run(name: string, backend: 'wasm' | 'ts') {
  const cluster = parseCluster(JSON.parse(readFileSync(`fixtures/examples/${name}-cluster.json`, 'utf8')));
  const tasks = parseTaskList(JSON.parse(readFileSync(`fixtures/examples/${name}-tasks.json`, 'utf8')));
  const e = createEngine({ backend });
  for (const n of cluster.nodes) e.addNode(n);
  e.submit(tasks.tasks);
  const r = e.schedule();
  const where = (b: Binding) => [b.taskId, b.nodeId, ...b.devices.map((d) => `${d.deviceId}${d.profile ? `/${d.profile}` : ''}`)];
  return { bound: r.bindings.map(where), unschedulable: r.unschedulable.map((u) => [u.taskId, u.message]) };
}

describe.each(['wasm', 'ts'] as const)('example files (%s)', (backend) => {
  it('mig: partition profiles on A100 MIG and Ascend vNPU', () => {
    // big-infer (priority 5) first: gpu0 and gpu1 both offer 3g.40gb with 1000 milli free → the lower slot, gpu0.
    // small-0/1: binpack best fit → gpu0 (572, then 430 milli free) rather than gpu1 (1000).
    // small-2 asks 20000 MiB > the 10240 MiB of a 1g.10gb instance. npu-c: vir04 maxCount 2 is used up.
    expect(run('mig', backend)).toEqual({
      bound: [
        ['big-infer', 'dgx-1', 'gpu0/3g.40gb'],
        ['small-0', 'dgx-1', 'gpu0/1g.10gb'],
        ['small-1', 'dgx-1', 'gpu0/1g.10gb'],
        ['npu-a', 'atlas-1', 'npu0/vir04'],
        ['npu-b', 'atlas-1', 'npu0/vir04'],
      ],
      unschedulable: [
        ['small-2', '0/2 nodes fit: insufficient gpu memory on 1 node, no gpu device on 1 node'],
        ['npu-c', '0/2 nodes fit: no free vir04 instance on 1 node, no npu device on 1 node'],
      ],
    });
  });

  it('edge-cloud: forms, sites, selector, taints, health across x86/arm/riscv', () => {
    // web (site beijing) after arm-build: binpack dc-arm-1 cpu ((128000-96000+4000)·100)/128000 = 28,
    // mem ((524288-458752+8192)·100)/524288 = 14 → 21 beats dc-x86-1 (6 and 3 → 4).
    // nightly-report (priority -10) last, on the tainted cloud node it tolerates.
    // edge-only-big: 8000 mCPU > edge-rv-1's 4000; edge-rv-2 unhealthy; 3 nodes not edge.
    expect(run('edge-cloud', backend)).toEqual({
      bound: [
        ['camera-detect', 'edge-rv-1', 'asic0'],
        ['arm-build', 'dc-arm-1'],
        ['web', 'dc-arm-1'],
        ['nightly-report', 'cloud-1'],
      ],
      unschedulable: [['edge-only-big', '0/5 nodes fit: node form not in [edge] on 3 nodes, insufficient CPU on 1 node, node not healthy on 1 node']],
    });
  });
});
