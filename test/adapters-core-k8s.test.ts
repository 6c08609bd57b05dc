/** Kubernetes node labels/objects → node fragments. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { k8sNode } from '../src/adapters/parsers/k8s-node.js';
import { repoRoot } from './helpers/cli.js';

const labels = readFileSync(join(repoRoot, 'fixtures/agents/k8s-node/h100-mig-node-labels-gfd.txt'), 'utf8');

describe('k8s-node', () => {
  it('GFD labels of an H100 node', () => {
    const inv = k8sNode.parse(labels, { source: 'labels.json' });
    const n = inv.nodes[0];
    expect(n.id).toBe('s4124-0073'); // "kubernetes.io/hostname": "s4124-0073"
    expect(n.arch).toBe('x86_64'); // "kubernetes.io/arch": "amd64"
    // "nvidia.com/gpu.count": "1", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", "nvidia.com/gpu.memory": "81559"
    expect(n.devices).toHaveLength(1);
    expect(n.devices![0]).toMatchObject({ id: 'gpu0', kind: 'gpu', vendor: 'nvidia', model: 'H100-80GB-HBM3', memoryMiB: 81559 });
    // "nvidia.com/mig.config": "all-disabled" and no nvidia.com/mig.<profile>.count labels: whole GPU
    expect(n.devices![0].sharing).toBeUndefined();
    // "nvidia.com/gpu.compute.major": "9" → bf16 capable
    expect(n.devices![0].labels?.['hetpool.io/precision.bf16']).toBe('true');
    // NFD feature labels are dropped, node labels kept
    expect(Object.keys(n.labels!).some((k) => k.startsWith('feature.node.kubernetes.io/'))).toBe(false);
    expect(n.labels!['nvidia.com/mig.strategy']).toBe('single');
    // labels only: no allocatable, so no cpu/memory
    expect(n.cpuMilli).toBeUndefined();
  });

  it('NodeList with allocatable quantities, extended resources, taints, Ready=False, MIG single strategy', () => {
    const list = {
      kind: 'NodeList',
      items: [
        {
          metadata: { name: 'npu-1', labels: { 'kubernetes.io/arch': 'arm64', 'topology.kubernetes.io/zone': 'z1' } },
          spec: { taints: [{ key: 'huawei.com/npu', effect: 'NoSchedule' }], unschedulable: true },
          // cpu "190" → 190 × 1000 = 190000 milli; memory "1536Gi" → 1536 × 1024 = 1572864 MiB
          status: { allocatable: { cpu: '190', memory: '1536Gi', 'huawei.com/Ascend910': '8' }, conditions: [{ type: 'Ready', status: 'False' }] },
        },
        {
          metadata: { name: 'mig-1', labels: { 'nvidia.com/gpu.count': '2', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB-MIG-1g.5gb', 'nvidia.com/gpu.memory': '40960', 'nvidia.com/mig.strategy': 'single', 'nvidia.com/mig.1g.5gb.count': '14', 'nvidia.com/mig.1g.5gb.memory': '4864' } },
          // "500m" → 500 milli; "1000000Ki" → ⌊1000000 / 1024⌋ = 976 MiB
          status: { allocatable: { cpu: '500m', memory: '1000000Ki', 'nvidia.com/gpu': '14' } },
        },
        'garbage',
      ],
    };
    const inv = k8sNode.parse(JSON.stringify(list), { source: 'nodes.json' });
    const [npu, mig] = inv.nodes;
    expect([npu.id, npu.arch, npu.zone, npu.cpuMilli, npu.memoryMiB, npu.schedulable, npu.health]).toEqual(['npu-1', 'aarch64', 'z1', 190000, 1572864, false, 'unhealthy']);
    expect(npu.taints).toEqual([{ key: 'huawei.com/npu', effect: 'NoSchedule' }]);
    expect(npu.devices!.map((d) => [d.id, d.kind, d.vendor, d.model])).toEqual(Array.from({ length: 8 }, (_, i) => [`npu${i}`, 'npu', 'huawei', 'Ascend910']));
    expect([mig.cpuMilli, mig.memoryMiB]).toEqual([500, 976]);
    expect(mig.devices!.map((d) => d.model)).toEqual(['A100-SXM4-40GB', 'A100-SXM4-40GB']);
    // 1g.5gb: ⌊1000/7⌋ = 142, memory label 4864, maxCount min(⌊7/1⌋ = 7, ⌊40960/4864⌋ = 8) = 7
    expect(mig.devices![0].sharing).toEqual({ mode: 'partition', profiles: [{ name: '1g.5gb', milli: 142, memoryMiB: 4864, maxCount: 7 }] });
    expect(inv.warnings.some((w) => w.at === 'nodes.json:items[2]')).toBe(true);
  });

  it('YAML from kubectl -o yaml', () => {
    const yaml = ['apiVersion: v1', 'kind: Node', 'metadata:', '  name: edge-7', '  labels:', '    kubernetes.io/arch: riscv64',
      'status:', '  allocatable:', '    cpu: "4"', '    memory: 8Gi'].join('\n');
    expect(k8sNode.detect(yaml)).toBe(true);
    const n = k8sNode.parse(yaml).nodes[0];
    // cpu "4" → 4000 milli; memory 8Gi → 8 × 1024 = 8192 MiB
    expect([n.id, n.arch, n.cpuMilli, n.memoryMiB]).toEqual(['edge-7', 'riscv64', 4000, 8192]);
  });

  it('not JSON / not Kubernetes → parse-error naming the source', () => {
    const e1 = (() => { try { k8sNode.parse('{"a": 1,\n  "b": }', { source: 'n.json' }); } catch (e) { return e as HetpoolError; } })();
    expect(e1).toBeInstanceOf(HetpoolError);
    expect(e1!.path).toMatch(/^n\.json:\d+$/);
    expect(() => k8sNode.parse('{"foo": "bar"}', { source: 'n.json' })).toThrow(/n\.json:1: no Kubernetes node labels/);
  });
});
