import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateCluster } from '../src/sim/generate/index.js';
import { parseCluster, HetpoolError, Labels } from '../src/model/index.js';

describe('generateCluster', () => {
  it('same seed → the same cluster; another seed → another cluster', () => {
    const a = JSON.stringify(generateCluster({ nodes: 300, seed: 11 }));
    const b = JSON.stringify(generateCluster({ nodes: 300, seed: 11 }));
    const c = JSON.stringify(generateCluster({ nodes: 300, seed: 12 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('covers every architecture, form, device kind, sharing mode and the domestic vendors', () => {
    const cl = generateCluster({ nodes: 2000, seed: 5 });
    // Round trip through JSON and the schema: what the generator writes is a valid cluster file.
    expect(() => parseCluster(JSON.parse(JSON.stringify(cl)))).not.toThrow();
    const archs = new Set(cl.nodes.map((n) => n.arch));
    const forms = new Set(cl.nodes.map((n) => n.form));
    const devs = cl.nodes.flatMap((n) => n.devices);
    expect([...archs].sort()).toEqual(['aarch64', 'riscv64', 'x86_64']);
    expect([...forms].sort()).toEqual(['cloud', 'edge', 'hardware']);
    expect([...new Set(devs.map((d) => d.kind))].sort()).toEqual(['asic', 'fpga', 'gpu', 'npu']);
    expect(cl.nodes.some((n) => n.devices.length === 0)).toBe(true);
    expect([...new Set(devs.map((d) => d.sharing.mode))].sort()).toEqual(['exclusive', 'partition', 'time-slice']);
    const vendors = new Set(devs.map((d) => d.vendor));
    for (const v of ['nvidia', 'hygon', 'cambricon', 'iluvatar', 'metax', 'huawei']) expect(vendors.has(v)).toBe(true);
    const models = new Set(devs.map((d) => d.model));
    for (const m of ['A100-SXM4-80GB', 'H100-SXM5-80GB', 'L40S', 'T4', 'Ascend910B']) expect(models.has(m)).toBe(true);
    const mig = devs.find((d) => d.model === 'H100-SXM5-80GB' && d.sharing.mode === 'partition');
    const names = mig && mig.sharing.mode === 'partition' ? mig.sharing.profiles.map((p) => p.name) : [];
    expect(names).toEqual(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']);
    const vnpu = devs.find((d) => d.model === 'Ascend910B' && d.sharing.mode === 'partition');
    expect(vnpu && vnpu.sharing.mode === 'partition' ? vnpu.sharing.profiles.map((p) => p.name) : []).toContain('vir05_1c_16g');
    // Unhealthy devices at 0.5%: of ≈ 5,000 devices, expect ≈ 25; at least one, far fewer than 5%.
    const bad = devs.filter((d) => d.health === 'unhealthy').length;
    expect(bad).toBeGreaterThan(0);
    expect(bad).toBeLessThan(devs.length * 0.05);
    // Hardware nodes sit in racks; cloud and edge nodes do not.
    expect(cl.nodes.filter((n) => n.form === 'hardware').every((n) => n.rack && n.labels?.[Labels.rack] === n.rack)).toBe(true);
    expect(cl.nodes.filter((n) => n.form !== 'hardware').every((n) => n.rack === undefined)).toBe(true);
    expect(cl.nodes.every((n) => (n.pricePerHour ?? 0) > 0)).toBe(true);
  });

  it('keeps the documented proportion of CPU-only nodes', () => {
    const cl = generateCluster({ nodes: 5000, seed: 9 });
    const cpuOnly = cl.nodes.filter((n) => n.devices.length === 0).length / cl.nodes.length;
    // CPU-only shapes weigh 34 + 9 + 1 + 4 = 48 of 99 in total → 0.4848; binomial sd at n = 5000 is
    // √(0.485·0.515/5000) ≈ 0.0071, so ± 0.03 is more than 4 sd.
    expect(cpuOnly).toBeGreaterThan(0.4848 - 0.03);
    expect(cpuOnly).toBeLessThan(0.4848 + 0.03);
  });

  it('prices a node as cores, memory and devices times the form factor', () => {
    // Only 8-GPU H100 nodes (192 cores, 2048 GiB): 192·0.04 + 2048·0.005 + 8·4.0 = 7.68 + 10.24 + 32 = 49.92
    // per hour on demand; hardware × 0.6 = 29.952 → 29.95, cloud × 1.0 = 49.92.
    const mix = Object.fromEntries(['cpu-x86', 'cpu-arm', 'cpu-riscv', 'edge-arm', 'gpu-a100', 'gpu-l40s', 'gpu-t4', 'gpu-dcu', 'gpu-mlu', 'gpu-iluvatar', 'gpu-metax', 'npu-910b', 'npu-310p', 'fpga-u250', 'fpga-agilex', 'asic-bm1684x', 'asic-r200'].map((k) => [k, 0]));
    const cl = generateCluster({ nodes: 40, seed: 2, mix });
    for (const n of cl.nodes) {
      expect(n.devices.map((d) => d.model)).toEqual(Array(8).fill('H100-SXM5-80GB'));
      expect(n.pricePerHour).toBe(n.form === 'hardware' ? 29.95 : 49.92);
    }
  });

  it('rejects bad options naming the field', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as HetpoolError;
      }
      throw new Error('did not throw');
    };
    expect(err(() => generateCluster({ nodes: 0 })).path).toBe('options.nodes');
    expect(err(() => generateCluster({ nodes: 5, mix: { 'gpu-b200': 1 } })).path).toBe('options.mix.gpu-b200');
    expect(err(() => generateCluster({ nodes: 5, unhealthyDeviceRate: 2 })).path).toBe('options.unhealthyDeviceRate');
  });

  it('every node is internally consistent (property)', () => {
    // Invariant: labels agree with the node's fields, a node carries one device model, and a
    // partition profile's maxCount instances fit the device (Σ milli ≤ 1000, Σ memory ≤ device memory).
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), (seed, nodes) => {
        const cl = generateCluster({ nodes, seed });
        expect(cl.nodes.length).toBe(nodes);
        for (const n of cl.nodes) {
          expect(n.labels?.[Labels.arch]).toBe(n.arch);
          expect(n.labels?.[Labels.form]).toBe(n.form);
          expect(n.labels?.[Labels.site]).toBe(n.site);
          expect(new Set(n.devices.map((d) => d.model)).size).toBeLessThanOrEqual(1);
          expect(n.labels?.[Labels.kind]).toBe(n.devices.length ? n.devices[0].kind : 'cpu');
          for (const d of n.devices) {
            if (d.sharing.mode !== 'partition') continue;
            for (const p of d.sharing.profiles) {
              expect(p.milli * p.maxCount).toBeLessThanOrEqual(1000);
              expect(p.memoryMiB * p.maxCount).toBeLessThanOrEqual(d.memoryMiB);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
