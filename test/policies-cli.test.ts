/**
 * `hetpool tenants`: check prints the tree, can answers RBAC questions (denial exits 2 naming
 * actor, action and target), shares prints hierarchical DRF shares; bad files name the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const TREE = 'fixtures/policies/tenants.json';

describe('hetpool tenants', () => {
  it('checks the example tree and answers RBAC questions', () => {
    const ok = runCli(['tenants', 'check', TREE]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('    ml-train (queue, weight 1) guaranteed: cpuMilli=32000 gpu.count=4; limit: gpu.count=8 gpu:A100-SXM4-80GB.count=4\n');
    expect(ok.stdout.endsWith('4 role binding(s); ok\n')).toBe(true);
    const denied = runCli(['tenants', 'can', TREE, 'bob', 'set-quota', 'ml-train']);
    expect(denied.status).toBe(2);
    expect(denied.stderr).toBe('hetpool: tenants.ml-train: actor "bob" may not set-quota on tenant "ml-train" (holds: member of ml-train)\n');
  });

  it('computes deserved shares by hierarchical weighted DRF', () => {
    // 8 A100s; every task takes 1 GPU (dominant: 1/8 GPU vs 4000/128000 CPU). acme (weight 2) vs
    // labs (weight 1), ties to the lower index; inside acme, ml-train vs ml-infer (web has no tasks):
    //   1. 0 vs 0 → acme (train 1)   2. acme 1/2 > labs 0 → labs 1   3. ½ < 1 → acme (infer 1)
    //   4. acme 2/2 = 1 ties labs 1 → acme (train 2)   5. 3/2 > 1 → labs 2   6. 3/2 < 2 → acme
    //   (infer 2)   7. 4/2 = 2 ties 2 → acme (train 3)   8. 5/2 > 2 → labs 3. 8 GPUs used.
    // Shares: ml-train 3, ml-infer 2, acme 5, labs-q 3. Order with no usage: index order, web
    // (deserves nothing) last.
    const r = runCli(['tenants', 'shares', TREE, '--cluster', 'fixtures/policies/cluster.json', '--tasks', 'fixtures/policies/tasks.json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    const gpus = Object.fromEntries(doc.tenants.map((t: { id: string; deserved: Record<string, number> }) => [t.id, t.deserved['gpu.count'] ?? 0]));
    expect(gpus).toEqual({ acme: 5, 'acme-ml': 5, 'ml-train': 3, 'ml-infer': 2, 'acme-web': 0, web: 0, labs: 3, 'labs-q': 3 });
    expect(doc.order).toEqual(['ml-train', 'ml-infer', 'labs-q', 'web']);
  });

  it('names the file and field of a bad tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-tenants-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ id: 'q', kind: 'queue', guaranteed: { cpuMilli: 5 }, limit: { cpuMilli: 4 } }] }));
    const r = runCli(['tenants', 'check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hetpool: ${file}: tenants[0].guaranteed: cpuMilli guarantee 5 exceeds the limit 4\n`);
  });
});
