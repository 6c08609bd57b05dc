/**
 * Bad input never crashes a vendor parser and never leaks an impossible number. For every parser
 * and every one of its real samples, fast-check cuts, deletes and mutates the text; the
 * invariant: the parser either returns an Inventory whose every number is finite and ≥ 0 and
 * whose devices/vertices/links pass the model schemas, or throws a HetpoolError('parse-error')
 * whose path names the source — nothing else (no TypeError, no RangeError, no NaN).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { DeviceSchema } from '../src/model/schema.js';
import { TopologyLinkSchema, TopologyVertexSchema } from '../src/model/topology.js';
import { vendorParsers } from '../src/adapters/parsers/vendor-index.js';
import type { Inventory } from '../src/adapters/types.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const samples = vendorParsers.flatMap((p) =>
  readdirSync(join(ROOT, p.name)).filter((f) => f.endsWith('.txt')).map((f) => ({ parser: p, file: f, text: readFileSync(join(ROOT, p.name, f), 'utf8') })),
);

/** Every number anywhere in `v` (recursively). */
function numbers(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbers(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => numbers(x, out));
  return out;
}

/** The invariant on a returned inventory (independent of the parsers' own finish() gate). */
function checkInventory(inv: Inventory): void {
  for (const n of numbers(inv)) {
    expect(Number.isFinite(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(0);
  }
  for (const node of inv.nodes) {
    expect(typeof node.id).toBe('string');
    if (node.cpuMilli !== undefined) expect(Number.isInteger(node.cpuMilli)).toBe(true);
    if (node.memoryMiB !== undefined) expect(Number.isInteger(node.memoryMiB)).toBe(true);
    for (const d of node.devices ?? []) expect(DeviceSchema.safeParse(d).success).toBe(true);
  }
  for (const v of inv.vertices ?? []) expect(TopologyVertexSchema.safeParse(v).success).toBe(true);
  for (const l of inv.links ?? []) expect(TopologyLinkSchema.safeParse(l).success).toBe(true);
  for (const w of inv.warnings) expect(w.at.startsWith('sample.txt')).toBe(true);
}

function run(parse: (t: string) => Inventory, text: string): void {
  let inv: Inventory;
  try {
    inv = parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(HetpoolError);
    expect((e as HetpoolError).code).toBe('parse-error');
    expect((e as HetpoolError).path.startsWith('sample.txt')).toBe(true);
    return;
  }
  checkInventory(inv);
}

/** A damaged line: empty, N/A, random text, or its numbers replaced by hostile values. */
const damage = fc.oneof(
  fc.constant(() => ''),
  fc.constant(() => 'N/A'),
  fc.string({ maxLength: 40 }).map((s) => () => s),
  fc.constantFrom('N/A', '-1', 'NaN', '1e999', '99999999999999999999', 'xxxxx', '-', '').map((r) => (line: string) => line.replace(/\d+(\.\d+)?/g, r)),
  fc.constant((line: string) => line.replace(/[|:]/g, ' ')),
);

describe('the invariant checker', () => {
  // Guards the guard: a checker that accepted NaN or a negative would make every test below pass.
  const base: Inventory = { source: 'x', nodes: [{ id: 'n' }], warnings: [] };
  it('rejects NaN, negative numbers and invalid devices', () => {
    expect(() => checkInventory({ ...base, metrics: [{ metric: 'm', target: 'n/gpu0', value: Number.NaN, unit: 'W' }] })).toThrow();
    expect(() => checkInventory({ ...base, metrics: [{ metric: 'm', target: 'n/gpu0', value: -1, unit: 'W' }] })).toThrow();
    expect(() => checkInventory({ ...base, nodes: [{ id: 'n', devices: [{ id: 'gpu0', kind: 'gpu', vendor: 'amd', model: 'x', memoryMiB: 1.5 }] }] })).toThrow();
    expect(() => checkInventory(base)).not.toThrow();
  });
});

describe('vendor parsers survive damaged input', () => {
  it.each(samples.map((s) => [s.parser.name, s.file, s] as const))('%s on %s: intact sample parses and passes the invariant', (_n, _f, s) => {
    checkInventory(s.parser.parse(s.text, { source: 'sample.txt' }));
  });

  it.each(samples.map((s) => [s.parser.name, s.file, s] as const))('%s on %s: cut at any byte', (_n, _f, s) => {
    const parse = (t: string) => s.parser.parse(t, { source: 'sample.txt' });
    fc.assert(fc.property(fc.nat({ max: s.text.length }), (cut) => run(parse, s.text.slice(0, cut))), { numRuns: 60 });
  });

  it.each(samples.map((s) => [s.parser.name, s.file, s] as const))('%s on %s: lines deleted or damaged', (_n, _f, s) => {
    const parse = (t: string) => s.parser.parse(t, { source: 'sample.txt' });
    const lines = s.text.split('\n');
    const edit = fc.record({ at: fc.nat({ max: lines.length - 1 }), del: fc.boolean(), fn: damage });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = [...lines];
        for (const e of edits) {
          if (e.at >= copy.length) continue;
          if (e.del) copy.splice(e.at, 1);
          else copy[e.at] = e.fn(copy[e.at]);
        }
        run(parse, copy.join('\n'));
      }),
      { numRuns: 80 },
    );
  });

  it.each(vendorParsers.map((p) => [p.name, p] as const))('%s: empty input is a parse-error naming the source', (_n, p) => {
    expect(() => p.parse('', { source: 'empty.txt' })).toThrowError(HetpoolError);
    try {
      p.parse('', { source: 'empty.txt' });
    } catch (e) {
      expect((e as HetpoolError).code).toBe('parse-error');
      expect((e as HetpoolError).path).toMatch(/^empty\.txt(:\d+)?$/);
    }
  });
});
