import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { guaranteedShareMilli, sliceVerdict, type Slice } from '../src/policies/oversubscription.js';
import { heterogeneityTargets } from '../src/policies/gavel.js';
import { planResize } from '../src/policies/resize.js';
import type { Snapshot } from '../src/policies/snapshot.js';
import { TenantTree } from '../src/policies/tenants.js';
import { parseNode } from '../src/model/validate.js';
import type { Device, Task } from '../src/model/types.js';

const shared = (over = 1500, maxSlices = 4, memoryMiB = 16000): Pick<Device, 'sharing' | 'memoryMiB' | 'health'> => ({
  sharing: { mode: 'time-slice', maxSlices, oversubscription: over }, memoryMiB, health: 'healthy',
});
const s = (milli: number, memoryMiB = 4000): Slice => ({ milli, memoryMiB });

describe('time-slicing and oversubscription semantics', () => {
  it.each([
    // device: time-slice, maxSlices 4, oversubscription 1500, 16000 MiB
    ['Σ milli 600+600+300 = 1500 ≤ 1500', [s(600), s(600)], { milli: 300, memoryMiB: 4000 }, 'fit'],
    ['Σ milli 600+600+301 = 1501 > 1500', [s(600), s(600)], { milli: 301, memoryMiB: 4000 }, 'wait'],
    ['Σ MiB 4000+4000+9000 = 17000 > 16000 (memory never oversubscribed)', [s(600), s(600)], { milli: 200, memoryMiB: 9000 }, 'wait'],
    ['20000 MiB > 16000 MiB of the device', [], { milli: 100, memoryMiB: 20000 }, 'refuse'],
    ['5 slices > maxSlices 4', [s(100), s(100), s(100), s(100)], { milli: 100, memoryMiB: 0 }, 'wait'],
    ['whole device with 1 sharer', [s(100)], { milli: 1000, memoryMiB: 0 }, 'wait'],
    ['whole device, no sharer', [], { milli: 1000, memoryMiB: 0 }, 'fit'],
  ] as const)('%s → %s', (_why, sharers, req, verdict) => {
    expect(sliceVerdict(shared(), sharers, req).verdict).toBe(verdict);
  });

  it('refuses fractions of exclusive devices and anything on unhealthy ones', () => {
    expect(sliceVerdict({ sharing: { mode: 'exclusive' }, memoryMiB: 16000, health: 'healthy' }, [], { milli: 500, memoryMiB: 0 })).toEqual({ verdict: 'refuse', reason: 'an exclusive device is only given whole' });
    expect(sliceVerdict({ ...shared(), health: 'unhealthy' }, [], { milli: 100, memoryMiB: 0 }).verdict).toBe('refuse');
  });

  it('guarantees claim × 1000 / max(1000, Σ claims)', () => {
    // claims 600, 600, 300 → Σ 1500: 600·1000/1500 = 400, 300·1000/1500 = 200 (Σ 1000)
    expect([600, 600, 300].map((c) => guaranteedShareMilli(c, [600, 600, 300]))).toEqual([400, 400, 200]);
    // no oversubscription: 300 + 200 ≤ 1000 → each gets its claim
    expect(guaranteedShareMilli(300, [300, 200])).toBe(300);
  });

  it('never guarantees more than the device, nor more than a claim', () => {
    // Invariant: Σ guarantees ≤ 1000 and each guarantee ≤ its claim.
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 16 }), (claims) => {
      const g = claims.map((c) => guaranteedShareMilli(c, claims));
      expect(g.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
      g.forEach((x, i) => expect(x).toBeLessThanOrEqual(claims[i]));
    }));
  });
});

describe('heterogeneity-aware targets (Gavel max-min, GLPK)', () => {
  it('gives each tenant the device type it gains most on, equalising normalised throughput', async () => {
    // 2 V100 + 2 A100. A runs 1 (V100) / 2 (A100); B runs 1 / 4. Equal weights.
    // base_A = ½(1·2 + 2·2) = 3, base_B = ½(1·2 + 4·2) = 5.
    // B gains more from A100 (×4 vs ×2): A takes both V100 and a of the A100s, B the rest:
    //   (2 + 2a)/3 = 4(2 − a)/5 → 10 + 10a = 24 − 12a → a = 14/22 = 7/11 ≈ 0.636
    //   level t = (2 + 14/11)/3 = 12/11 ≈ 1.0909 → ×1000, floored: 1090 for both.
    const r = await heterogeneityTargets({
      types: [{ id: 'V100', count: 2 }, { id: 'A100', count: 2 }],
      tenants: [
        { id: 'A', demand: 10, throughput: { V100: 1, A100: 2 } },
        { id: 'B', demand: 10, throughput: { V100: 1, A100: 4 } },
      ],
    });
    expect(r.normalised.get('A')).toBe(1090);
    expect(r.normalised.get('B')).toBe(1090);
    expect(r.allocation.get('A')!.get('V100')).toBe(2000);
    expect(r.allocation.get('A')!.get('A100')).toBe(636); // ⌊7/11 · 1000⌋
    expect(r.allocation.get('B')!.get('A100')).toBe(1363); // ⌊15/11 · 1000⌋
  });

  it('freezes a tenant whose demand is met and gives the rest to the others', async () => {
    // 4 identical devices (throughput 1). C wants 1 device, D wants 10: C = 1000 milli, D = 3000.
    const r = await heterogeneityTargets({
      types: [{ id: 'G', count: 4 }],
      tenants: [{ id: 'C', demand: 1, throughput: { G: 1 } }, { id: 'D', demand: 10, throughput: { G: 1 } }],
    });
    expect(r.allocation.get('C')!.get('G')).toBe(1000);
    expect(r.allocation.get('D')!.get('G')).toBe(3000);
  });

  it('rejects bad input naming the field', async () => {
    await expect(heterogeneityTargets({ types: [{ id: 'G', count: 1 }], tenants: [{ id: 'x', demand: 1, throughput: { H: 1 } }] })).rejects.toThrow(/tenants\[0\]\.throughput\.H: unknown device type/);
  });
});

describe('live resize', () => {
  const gpu = (id: string) => ({ id, kind: 'gpu' as const, vendor: 'nvidia', model: 'T4', memoryMiB: 16000, sharing: { mode: 'time-slice' as const, maxSlices: 4, oversubscription: 1000 } });
  const nodes = [
    parseNode({ id: 'n1', cpuMilli: 8000, memoryMiB: 16384, devices: [gpu('g0'), gpu('g1')] }),
    parseNode({ id: 'n2', cpuMilli: 8000, memoryMiB: 16384, devices: [gpu('h0')] }),
  ];
  const t = (id: string, milli: number, mem: number, tenant = 'default'): Task => ({
    id, tenant, priority: 0, cpuMilli: 2000, memoryMiB: 2048, accel: { kind: 'gpu', count: 1, milli, memoryMiB: mem, exclusive: false },
  });
  const snap: Snapshot = {
    nodes,
    running: [
      { task: t('t1', 300, 4000), nodeId: 'n1', devices: [{ deviceId: 'g0', milli: 300, memoryMiB: 4000 }] },
      { task: t('t2', 500, 8000), nodeId: 'n1', devices: [{ deviceId: 'g0', milli: 500, memoryMiB: 8000 }] },
    ],
  };

  it('grows in place when the same device has room', () => {
    // g0 free = 1000 − 300 − 500 = 200 ≥ Δ 200
    expect(planResize(snap, 't1', { milli: 500 })).toMatchObject({ kind: 'in-place', devices: [{ deviceId: 'g0', milli: 500, memoryMiB: 4000 }] });
  });

  it('answers the migration target when it does not', () => {
    // Δ 300 > 200 free on g0 → elsewhere; n1 without t1: g0 has 500 free < 600, g1 1000 → g1
    expect(planResize(snap, 't1', { milli: 600 })).toMatchObject({ kind: 'migrate', nodeId: 'n1', devices: [{ deviceId: 'g1', milli: 600, memoryMiB: 4000 }] });
    // CPU 2000 → 7000: n1 has 8000 − 4000 = 4000 < Δ 5000; without t1 6000 < 7000 → n2
    expect(planResize(snap, 't1', { cpuMilli: 7000 })).toMatchObject({ kind: 'migrate', nodeId: 'n2', devices: [{ deviceId: 'h0' }] });
  });

  it('always shrinks in place', () => {
    expect(planResize(snap, 't2', { milli: 100, devMemMiB: 1000, cpuMilli: 0 })).toMatchObject({ kind: 'in-place', devices: [{ deviceId: 'g0', milli: 100, memoryMiB: 1000 }] });
  });

  it('applies quotas to the growth and refuses what cannot be done', () => {
    const tree = new TenantTree({ tenants: [{ id: 'q', kind: 'queue', limit: { accel: { gpu: { milli: 400 } } } }] });
    const own = { ...snap, running: snap.running.map((p) => ({ ...p, task: { ...p.task, tenant: 'q' } })) };
    tree.charge('q', tree.space.demandOf(own.running[0].task), 1); // q uses 300 milli
    // growth Δ = 500 − 300 = 200: 300 + 200 = 500 > 400
    expect(planResize(own, 't1', { milli: 500 }, tree)).toEqual({ kind: 'refused', reason: 'quota: q gpu.milli 300 + 200 > limit 400' });
    expect(planResize(snap, 'nope', { milli: 1 })).toMatchObject({ kind: 'refused', reason: 'task "nope" is not running' });
    expect(planResize(snap, 't1', { milli: 1001 })).toMatchObject({ kind: 'refused' });
    expect(planResize(snap, 't1', { cpuMilli: 100_000 })).toEqual({ kind: 'refused', reason: 'no node has room for the new size' });
  });
});
