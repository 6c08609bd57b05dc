import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { repoRoot } from './helpers/cli.js';
import { TenantTree, parseTenantFile, type TenantFileInput } from '../src/policies/tenants.js';
import { BudgetLedger } from '../src/policies/budgets.js';
import { HetpoolError } from '../src/model/errors.js';
import type { Task } from '../src/model/types.js';

const fixture = (): TenantFileInput => JSON.parse(readFileSync(join(repoRoot, 'fixtures/policies/tenants.json'), 'utf8'));
const gpuTask = (tenant: string, count: number, extra: Partial<Task> = {}): Task => ({
  id: 't', tenant, priority: 0, cpuMilli: 1000, memoryMiB: 1024,
  accel: { kind: 'gpu', count, milli: 1000, memoryMiB: 0, exclusive: false }, ...extra,
});
const thrown = (f: () => unknown): HetpoolError => {
  try {
    f();
  } catch (e) {
    return e as HetpoolError;
  }
  throw new Error('did not throw');
};

describe('tenant tree: validation', () => {
  it('loads the example tree in pre-order', () => {
    const tree = new TenantTree(fixture());
    expect(tree.all().map((t) => t.id)).toEqual(['acme', 'acme-ml', 'ml-train', 'ml-infer', 'acme-web', 'web', 'labs', 'labs-q']);
    expect(tree.path('ml-train').map((t) => t.id)).toEqual(['ml-train', 'acme-ml', 'acme']);
  });

  it.each([
    ['a guarantee above the limit', (f: any) => (f.tenants[0].children[1].children[0].guaranteed = { cpuMilli: 20000 }), 'tenants[0].children[1].children[0].guaranteed', /cpuMilli guarantee 20000 exceeds the limit 16000/],
    ['children guaranteeing more than the parent', (f: any) => (f.tenants[0].children[0].children[1].guaranteed.accel.gpu.count = 3), 'tenants[0].children[0].guaranteed', /gpu\.count: children's guarantees sum to 7, more than the 6/],
    ['a team under a queue', (f: any) => (f.tenants[1].children[0].children = [{ id: 'x', kind: 'team' }]), 'tenants[1].children[0].children[0].kind', /a team cannot sit under a queue/],
    ['a duplicate id', (f: any) => (f.tenants[1].children[0].id = 'web'), 'tenants[1].children[0].id', /duplicate tenant id "web"/],
    ['a role on an unknown tenant', (f: any) => (f.roles[1].tenant = 'nobody'), 'roles[1].tenant', /unknown tenant "nobody"/],
    ['a negative quota', (f: any) => (f.tenants[0].limit.cpuMilli = -1), 'tenants[0].limit.cpuMilli', /must be ≥ 0/],
    ['an unknown accelerator key', (f: any) => (f.tenants[0].limit.accel = { tpu: { count: 1 } }), 'tenants[0].limit.accel.tpu', /must be a device kind \(gpu\|npu\|fpga\|asic\)/],
  ])('rejects %s naming the field', (_what, edit, path, msg) => {
    const f = fixture();
    edit(f);
    const e = thrown(() => parseTenantFile(f));
    expect(e.code).toBe('invalid-input');
    expect(e.path).toBe(path);
    expect(e.message).toMatch(msg);
  });
});

describe('tenant tree: limits, borrowing, reclaim rights', () => {
  it('admits up to the queue limit and the ancestors’ limits', () => {
    const tree = new TenantTree(fixture());
    const d = (n: number) => tree.space.demandOf(gpuTask('ml-train', n));
    expect(tree.check('ml-train', d(8))).toBeNull(); // 0 + 8 ≤ 8
    expect(tree.check('ml-train', d(9))).toMatchObject({ tenant: 'ml-train', dim: 'gpu.count', usage: 0, demand: 9, limit: 8 });
    tree.charge('ml-train', d(8), 1);
    // acme's limit is 12 GPUs: 8 used + 5 asked by ml-infer = 13 > 12
    const v = tree.check('ml-infer', tree.space.demandOf(gpuTask('ml-infer', 5)));
    expect(v).toMatchObject({ tenant: 'acme', dim: 'gpu.count', usage: 8, demand: 5, limit: 12 });
    expect(TenantTree.reason(v!)).toBe('quota: acme gpu.count 8 + 5 > limit 12');
    expect(tree.check('ml-infer', tree.space.demandOf(gpuTask('ml-infer', 4)))).toBeNull(); // 8 + 4 = 12
    // a model-pinned task also counts under gpu:A100-SXM4-80GB (limit 4)
    tree.charge('ml-train', d(8), -1);
    const a100 = tree.space.demandOf(gpuTask('ml-train', 5, { accel: { kind: 'gpu', count: 5, milli: 1000, memoryMiB: 0, exclusive: false, models: ['A100-SXM4-80GB'] } }));
    expect(tree.check('ml-train', a100)).toMatchObject({ dim: 'gpu:A100-SXM4-80GB.count', limit: 4 });
  });

  it('refuses unknown tenants and non-leaf tenants with a reason', () => {
    const tree = new TenantTree(fixture());
    expect(tree.check('nobody', [0])).toBe('unknown tenant "nobody"');
    expect(tree.check('acme-ml', [0])).toMatch(/team with children/);
  });

  it('tells borrowed use from guaranteed use', () => {
    const tree = new TenantTree(fixture());
    const six = tree.space.demandOf(gpuTask('ml-train', 6));
    tree.charge('ml-train', six, 1);
    // ml-train uses 6 GPUs > its guarantee 4 → its GPU tasks are on borrowed quota
    expect(tree.isBorrowing('ml-train', six)).toBe(true);
    // ml-infer states cpuMilli 16000, gpu.count 2, gpu.memoryMiB 40960 (memoryMiB, gpu.milli unstated).
    // 2 GPUs + 1000m CPU: 0+2 ≤ 2, 0+1000 ≤ 16000, 0 MiB device memory asked → within → may reclaim.
    expect(tree.withinGuarantee('ml-infer', tree.space.demandOf(gpuTask('ml-infer', 2)))).toBe(true);
    expect(tree.withinGuarantee('ml-infer', tree.space.demandOf(gpuTask('ml-infer', 3)))).toBe(false); // 3 > 2
    // web states no guarantee: nothing it asks is guaranteed, and its tasks always count as borrowed
    expect(tree.withinGuarantee('web', tree.space.demandOf(gpuTask('web', 1)))).toBe(false);
    expect(tree.isBorrowing('web', tree.space.demandOf(gpuTask('web', 1)))).toBe(true);
    tree.charge('ml-train', six, -1);
    tree.charge('ml-train', tree.space.demandOf(gpuTask('ml-train', 4)), 1);
    expect(tree.isBorrowing('ml-train', tree.space.demandOf(gpuTask('ml-train', 4)))).toBe(false); // 4 ≤ 4
  });
});

describe('model quotas before the model is known', () => {
  it('checks every model a task could land on (conservative), and only those', () => {
    // q may hold 1 A100. It holds one (charged under gpu and gpu:A100).
    const tree = new TenantTree({ tenants: [{ id: 'q', kind: 'queue', limit: { accel: { 'gpu:A100': { count: 1 } } } }] });
    const t = (models?: string[]): Task => ({ id: 't', tenant: 'q', priority: 0, cpuMilli: 0, memoryMiB: 0, accel: { kind: 'gpu', count: 1, milli: 1000, memoryMiB: 0, exclusive: false, models } });
    tree.charge('q', tree.space.demandOf(t(), 'A100'), 1);
    // unpinned: it could land on an A100 → 1 + 1 > 1 → held, although another model may be free
    expect(tree.checkTask(t())).toBe('quota: q gpu:A100.count 1 + 1 > limit 1 (it could land on A100; pin other models to run elsewhere)');
    expect(tree.checkTask(t(['A100', 'H100']))).toMatch(/could land on A100/);
    expect(tree.checkTask(t(['H100']))).toBeNull(); // pinned elsewhere: the A100 limit does not apply
    expect(tree.checkTask(t(['A100']))).toBe('quota: q gpu:A100.count 1 + 1 > limit 1');
  });
});

describe('RBAC', () => {
  it.each([
    ['bob', 'submit', 'ml-train', true],
    ['bob', 'submit', 'ml-infer', false],
    ['bob', 'preempt', 'ml-train', false],
    ['vic', 'view', 'ml-infer', true],
    ['vic', 'submit', 'ml-infer', false],
    ['olga', 'preempt', 'ml-infer', true],
    ['olga', 'set-quota', 'ml-infer', false],
    ['olga', 'drain', '*', false],
    ['olga', 'preempt', 'labs-q', false],
    ['alice', 'drain', '*', true],
    ['alice', 'set-quota', 'labs-q', true],
    ['mallory', 'view', 'acme', false],
  ] as const)('%s %s on %s → %s', (actor, action, target, allowed) => {
    expect(new TenantTree(fixture()).can(actor, action, target)).toBe(allowed);
  });

  it('denies a quota change naming actor, action and target, and changes nothing', () => {
    const tree = new TenantTree(fixture());
    const before = JSON.stringify(tree.toJSON());
    const e = thrown(() => tree.setQuota('bob', 'ml-train', { limit: { cpuMilli: 1 } }));
    expect(e.code).toBe('permission-denied');
    expect(e.message).toBe('tenants.ml-train: actor "bob" may not set-quota on tenant "ml-train" (holds: member of ml-train)');
    expect(JSON.stringify(tree.toJSON())).toBe(before);
  });

  it('applies a valid quota change atomically, keeping usage; rejects an invalid one whole', () => {
    const tree = new TenantTree(fixture());
    const two = tree.space.demandOf(gpuTask('ml-train', 2));
    tree.charge('ml-train', two, 1);
    const before = JSON.stringify(tree.toJSON());
    // limit 3 < ml-train's guarantee of 4 GPUs → invalid, nothing changes
    expect(() => tree.setQuota('alice', 'ml-train', { limit: { accel: { gpu: { count: 3 } } } })).toThrow(/gpu\.count guarantee 4 exceeds the limit 3/);
    expect(JSON.stringify(tree.toJSON())).toBe(before);
    tree.setQuota('alice', 'ml-train', { limit: { accel: { gpu: { count: 5 } } } });
    expect(tree.get('ml-train').usage[tree.space.indexOf('gpu.count')]).toBe(2);
    expect(tree.get('acme').usage[tree.space.indexOf('gpu.count')]).toBe(2);
    // 2 used + 4 asked = 6 > new limit 5
    expect(tree.check('ml-train', tree.space.demandOf(gpuTask('ml-train', 4)))).toMatchObject({ usage: 2, demand: 4, limit: 5 });
  });

  it('grants roles only through an actor allowed to grant', () => {
    const tree = new TenantTree(fixture());
    expect(() => tree.grant('olga', { actor: 'eve', role: 'admin', tenant: '*' })).toThrow(/may not grant on the pool/);
    tree.grant('alice', { actor: 'eve', role: 'member', tenant: 'web' });
    expect(tree.can('eve', 'submit', 'web')).toBe(true);
  });
});

describe('budgets', () => {
  it('stops admission when the device-hours of the window are spent, and resets with the window', () => {
    // labs-q: 10 device-hours per 24 h = 10 × 3 600 000 = 36 000 000 milli-device-seconds.
    // 2 whole GPUs = 2000 milli → spent after 36 000 000 / 2000 = 18 000 s (5 h).
    const tree = new TenantTree(fixture());
    const ledger = new BudgetLedger(tree);
    ledger.start('job', 'labs-q', 2000, 0);
    expect(ledger.hold('labs-q', 17_999)).toBeNull(); // 2000 × 17 999 = 35 998 000 < 36 000 000
    expect(ledger.hold('labs-q', 18_000)).toBe('budget: labs-q spent 10.000 of 10 device-hours in this 24 h window (resets at 86400)');
    // next window starts at 86 400: only the part inside it counts → 0 spent
    expect(ledger.hold('labs-q', 86_400)).toBeNull();
    // acme's budget covers its subtree: 1000 device-hours, nowhere near
    expect(ledger.hold('ml-train', 18_000)).toBeNull();
  });

  it('settles stopped tasks into the window', () => {
    // 3 GPUs for 3 h = 9 device-hours < 10; a second run of 1 GPU for 1 h → 10 → spent.
    const tree = new TenantTree(fixture());
    const ledger = new BudgetLedger(tree);
    ledger.start('a', 'labs-q', 3000, 0);
    ledger.stop('a', 3 * 3600);
    expect(ledger.spent('labs-q', 3 * 3600)).toBe(3000 * 10_800); // 32 400 000
    expect(ledger.hold('labs-q', 3 * 3600)).toBeNull();
    ledger.start('b', 'labs-q', 1000, 3 * 3600);
    ledger.stop('b', 4 * 3600);
    expect(ledger.hold('labs-q', 4 * 3600)).toMatch(/^budget: labs-q spent 10\.000/);
  });

  it('equals a brute-force sum over random runs (property)', () => {
    // Invariant: spent(now) = Σ over runs of milli × |[start, end or now] ∩ current window|,
    // for labs-q (own runs) and for acme (its subtree: ml-train and web runs).
    const run = fc.record({ tenant: fc.constantFrom('labs-q', 'ml-train', 'web'), milli: fc.integer({ min: 1, max: 4000 }), start: fc.integer({ min: 0, max: 200_000 }), len: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }) });
    fc.assert(fc.property(fc.array(run, { maxLength: 12 }), fc.integer({ min: 0, max: 300_000 }), (runs, now) => {
      const tree = new TenantTree(fixture());
      const ledger = new BudgetLedger(tree);
      // replay starts and stops in time order, up to `now`
      const evs = runs.flatMap((r, i) => [
        { t: r.start, i, kind: 0 },
        ...(r.len !== undefined ? [{ t: r.start + r.len, i, kind: 1 }] : []),
      ]).filter((e) => e.t <= now).sort((a, b) => a.t - b.t || a.kind - b.kind || a.i - b.i); // a run starts before it stops
      for (const e of evs) {
        if (e.kind === 0) ledger.start(`r${e.i}`, runs[e.i].tenant, runs[e.i].milli, e.t);
        else ledger.stop(`r${e.i}`, e.t);
      }
      const brute = (owners: string[], windowSeconds: number): number => {
        const ws = Math.floor(now / windowSeconds) * windowSeconds;
        let sum = 0;
        runs.forEach((r) => {
          if (!owners.includes(r.tenant) || r.start > now) return;
          const end = r.len === undefined ? now : Math.min(now, r.start + r.len);
          sum += r.milli * Math.max(0, end - Math.max(r.start, ws));
        });
        return sum;
      };
      expect(ledger.spent('labs-q', now)).toBe(brute(['labs-q'], 86_400));
      expect(ledger.spent('acme', now)).toBe(brute(['ml-train', 'web'], 86_400));
    }), { numRuns: 300 });
  });
});
