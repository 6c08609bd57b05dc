/**
 * Packaging: the built package (dist/, build/*.wasm) works when imported as ESM and required as
 * CJS, and the CLI binary runs. `npm test` builds before running the suite, so dist/ is fresh.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const dist = join(repoRoot, 'dist');

describe('built package', () => {
  it('has ESM, CJS, types and the CLI', () => {
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'cli.js']) expect(existsSync(join(dist, f)), f).toBe(true);
  });

  it('imports as ESM and places a task through the WebAssembly core', () => {
    const script = `
      const { createEngine, HetpoolError } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const e = createEngine({ policy: 'binpack' });
      e.addNode({ id: 'n1', cpuMilli: 8000, memoryMiB: 16384, devices: [{ id: 'g0', kind: 'gpu', vendor: 'nvidia', model: 'T4', memoryMiB: 15360, sharing: { mode: 'time-slice', maxSlices: 4 } }] });
      const b = e.place({ id: 't1', cpuMilli: 1000, memoryMiB: 1024, accel: { kind: 'gpu', milli: 500, memoryMiB: 4096 } });
      let code = '';
      try { e.addNode({ id: 'n1', cpuMilli: 1, memoryMiB: 1 }); } catch (err) { code = err instanceof HetpoolError ? err.code : 'other'; }
      console.log(JSON.stringify({ node: b.nodeId, devices: b.devices, code }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: repoRoot });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.node).toBe('n1');
    expect(out.devices).toEqual([{ deviceId: 'g0', milli: 500, memoryMiB: 4096 }]);
    expect(out.code).toBe('conflict');
  });

  it('requires as CJS', () => {
    const script = `const h = require(${JSON.stringify(join(dist, 'index.cjs'))}); const e = h.createEngine(); e.addNode({ id: 'a', cpuMilli: 1000, memoryMiB: 10 }); console.log(JSON.stringify(e.place({ id: 't', cpuMilli: 500 })));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: repoRoot });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).nodeId).toBe('a');
  });

  it('runs the engine in a worker thread from the built package (dist/engine-worker.js)', () => {
    const script = `
      const { createEngineWorker } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const e = await createEngineWorker({ policy: 'spread' });
      await e.addNode({ id: 'w1', cpuMilli: 4000, memoryMiB: 4096 });
      const b = await e.place({ id: 't', cpuMilli: 1000 });
      let code = '';
      try { await e.addNode({ id: 'w1', cpuMilli: 1, memoryMiB: 1 }); } catch (err) { code = err.code; }
      await e.close();
      console.log(JSON.stringify({ node: b.nodeId, code }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: repoRoot, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ node: 'w1', code: 'conflict' });
  });

  it('runs the CLI binary', () => {
    const r = spawnSync(process.execPath, [join(dist, 'cli.js'), '--help'], { encoding: 'utf8', cwd: repoRoot });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('place');
    expect(r.stdout).toContain('simulate');
  });
});
