/**
 * Robustness of every parser in the registry (core and vendor) against damaged input: random
 * truncation, byte flips and line deletions of every sample in fixtures/agents/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { defaultParsers } from '../src/adapters/registry.js';
import type { AgentParser } from '../src/adapters/types.js';
import { repoRoot } from './helpers/cli.js';

const root = join(repoRoot, 'fixtures/agents');
const samples = readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.txt')).map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') })));
const parsers = defaultParsers().list();

/** Every number anywhere in `v` (paths for the failure message). */
function numbers(v: unknown, path = '$', out: Array<[string, number]> = []): Array<[string, number]> {
  if (typeof v === 'number') out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) numbers(x, `${path}.${k}`, out);
  return out;
}

/** Run one parser; the only acceptable failure is a HetpoolError, the only acceptable numbers finite and ≥ 0. */
function check(p: AgentParser, text: string, sample: string): void {
  const parserName = p.name;
  let inv: unknown;
  try {
    p.detect(text);
    inv = p.parse(text, { source: sample });
  } catch (e) {
    if (!(e instanceof HetpoolError)) throw new Error(`${parserName} on damaged ${sample} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return;
  }
  for (const [path, n] of numbers(inv)) {
    if (!Number.isFinite(n) || n < 0) throw new Error(`${parserName} on damaged ${sample}: ${path} = ${n}`);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete-lines' as const), lines: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function damage(text: string, m: Mutation): string {
  if (m.kind === 'truncate') return text.slice(0, Math.floor(m.at * text.length));
  if (m.kind === 'flip') {
    const b = Buffer.from(text, 'utf8');
    for (const [at, v] of m.flips) if (b.length) b[Math.min(b.length - 1, Math.floor(at * b.length))] = v;
    return b.toString('utf8');
  }
  const lines = text.split('\n');
  const drop = new Set(m.lines.map((x) => Math.floor(x * lines.length)));
  return lines.filter((_, i) => !drop.has(i)).join('\n');
}

describe('every parser in the registry on damaged samples', () => {
  it('there are samples and parsers to test', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
    expect(parsers.length).toBeGreaterThanOrEqual(13);
  });

  it('the checker itself rejects a stray exception and a NaN, negative or infinite number', () => {
    const bad = (parse: AgentParser['parse']): AgentParser => ({ name: 'bad', detect: () => true, parse });
    const inv = (value: number) => ({ source: 'x', nodes: [{ id: 'n', cpuMilli: value }], warnings: [] });
    expect(() => check(bad(() => { throw new TypeError('boom'); }), 'x', 's')).toThrow(/threw TypeError: boom/);
    expect(() => check(bad(() => inv(Number.NaN)), 'x', 's')).toThrow(/\$\.nodes\[0\]\.cpuMilli = NaN/);
    expect(() => check(bad(() => inv(-1)), 'x', 's')).toThrow(/= -1/);
    expect(() => check(bad(() => inv(Infinity)), 'x', 's')).toThrow(/= Infinity/);
    expect(() => check(bad(() => { throw new HetpoolError('parse-error', 's:1', 'no'); }), 'x', 's')).not.toThrow();
    expect(() => check(bad(() => inv(3)), 'x', 's')).not.toThrow();
  });

  it('the undamaged samples: only HetpoolError, only finite numbers ≥ 0, for every parser', () => {
    for (const s of samples) for (const p of parsers) check(p, s.text, s.name);
  });

  // Invariant: for any sample, any parser and any truncation, byte flips or line deletions, the
  // parser either returns an inventory whose every number is finite and ≥ 0 or throws a
  // HetpoolError — never another exception and never NaN/Infinity/negative numbers.
  it('random truncation, byte flips and line deletions never break the invariant', () => {
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), mutation, (si, m) => {
        const s = samples[si];
        const text = damage(s.text, m);
        for (const p of parsers) check(p, text, s.name);
      }),
      { numRuns: 400, seed: 20261129 },
    );
  });
});
