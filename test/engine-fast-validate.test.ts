/**
 * The task fast path (src/model/fast-task.ts) against zod: for random valid and invalid task
 * inputs, `parseTask` (fast path, zod on doubt) gives exactly `parseWith(TaskSchema, …)`'s
 * result — the same value (keys, key order, defaults, -0, present-but-undefined keys, fresh
 * arrays and objects) or the same HetpoolError (code, path, message, details).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseTask, fastPathApplies } from '../src/model/fast-task.js';
import { TaskSchema } from '../src/model/schema.js';
import { parseTask, parseWith } from '../src/model/validate.js';

/** A structural fingerprint that tells apart key order, -0, undefined-valued keys and null prototypes. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return ['A', v.length, ...Array.from({ length: v.length }, (_, i) => (i in v ? canon(v[i]) : 'hole'))];
  if (v !== null && typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) === null ? 'null-proto' : 'obj';
    return ['O', proto, ...Reflect.ownKeys(v).map((k) => [String(k), canon((v as Record<PropertyKey, unknown>)[k])])];
  }
  if (typeof v === 'number') return Object.is(v, -0) ? 'n:-0' : `n:${v}`;
  if (v === undefined) return 'u';
  return `${typeof v}:${String(v)}`;
}

/** Every object and array reachable from `v`. */
function objectsIn(v: unknown, into = new Set<object>()): Set<object> {
  if (v !== null && typeof v === 'object' && !into.has(v)) {
    into.add(v);
    for (const k of Reflect.ownKeys(v)) objectsIn((v as Record<PropertyKey, unknown>)[k], into);
  }
  return into;
}

type Outcome = { ok: true; canon: string; value: unknown } | { ok: false; code: string; path: string; message: string; details: string };
function outcome(f: () => unknown): Outcome {
  try {
    const value = f();
    return { ok: true, canon: JSON.stringify(canon(value)), value };
  } catch (e) {
    const h = e as { code: string; path: string; message: string; details: unknown };
    return { ok: false, code: h.code, path: h.path, message: h.message, details: JSON.stringify(h.details) };
  }
}

const str = (min: number, max: number) => fc.string({ minLength: min, maxLength: max });
/** Mostly valid values, now and then an invalid one (so about half the tasks are valid as a whole). */
const mix = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const badNumbers = fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, '1', null, true, 0.5);
const intField = (min: number, max: number) =>
  mix(fc.oneof(fc.integer({ min, max }), fc.constantFrom<unknown>(min, max, -0 === min ? 0 : min)), fc.oneof(fc.constantFrom<unknown>(min - 1, max + 1), badNumbers));
const enumOf = (values: readonly string[]) => mix(fc.constantFrom<unknown>(...values), fc.constantFrom<unknown>('other', '', 3, undefined));
const labelMap = mix(
  fc.oneof(
    fc.dictionary(str(1, 4), str(0, 4), { maxKeys: 3 }),
    fc.constantFrom<unknown>({ ['k'.repeat(317)]: 'v'.repeat(253) }, { constructor: 'c' }, Object.assign(Object.create(null), { a: 'b' })),
  ),
  fc.constantFrom<unknown>(null, [], 'a', { '': 'v' }, { a: 1 }, { a: 'v'.repeat(254) }, JSON.parse('{"__proto__":"x","a":"b"}'), { ['k'.repeat(318)]: 'v' }, new Date(0), new (class Labels {})(), Object.create({ a: 'b' })),
);
const names = (maxItems: number) =>
  mix(fc.oneof(fc.array(str(1, 3), { maxLength: 3 }), fc.constant(Array(maxItems).fill('a'))), fc.constantFrom<unknown>(Array(maxItems + 1).fill('a'), 'a', [1], [''], [undefined]));
const withExtra = <T>(arb: fc.Arbitrary<T>) => fc.tuple(arb, fc.integer({ min: 0, max: 40 })).map(([o, r]) => (r === 0 && o !== null && typeof o === 'object' ? { ...o, surprise: 1 } : o));
const optional = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) });

const accel = withExtra(
  fc.record(
    {
      kind: enumOf(['gpu', 'npu', 'fpga', 'asic']),
      count: optional(fc.oneof(intField(1, 64), fc.constant(2))),
      milli: optional(fc.oneof(intField(1, 1000), fc.constantFrom(1000, 500))),
      memoryMiB: optional(intField(0, 2 ** 31 - 1)),
      vendors: optional(names(64)),
      models: optional(names(256)),
      precision: optional(enumOf(['fp32', 'fp16', 'bf16', 'int8'])),
      exclusive: optional(mix(fc.boolean(), fc.constant('yes'))),
      profile: optional(mix(fc.oneof(str(1, 3), fc.constant('p'.repeat(64))), fc.constantFrom('', 'p'.repeat(65)))),
    },
    { requiredKeys: ['kind'] },
  ),
);

const toleration = withExtra(
  fc.record(
    {
      key: optional(mix(fc.oneof(str(0, 3), fc.constant('k'.repeat(317))), fc.constantFrom<unknown>('k'.repeat(318), 1))),
      operator: optional(enumOf(['Equal', 'Exists'])),
      value: optional(mix(fc.oneof(str(0, 3), fc.constant('v'.repeat(253))), fc.constantFrom<unknown>('v'.repeat(254), null))),
      effect: optional(enumOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
    },
    { requiredKeys: [] },
  ),
);

const decimal = mix(fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constantFrom<unknown>(0, -0)), fc.constantFrom<unknown>(-1, Number.NaN, Infinity, '1', null));
const stringsOf = (values: readonly string[]) => mix(fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }), fc.constantFrom<unknown>([], ['other'], values[0], null));

const task = withExtra(
  fc.record(
    {
      id: mix(str(1, 6), fc.constantFrom<unknown>('', 'x'.repeat(254), 7)),
      tenant: optional(mix(fc.oneof(str(1, 4), fc.constant('t'.repeat(128))), fc.constantFrom<unknown>('', 't'.repeat(129), 1))),
      priority: optional(intField(-1_000_000, 1_000_000)),
      cpuMilli: optional(intField(0, 2 ** 31 - 1)),
      memoryMiB: optional(intField(0, 2 ** 31 - 1)),
      accel: optional(mix(accel, fc.constantFrom<unknown>(null, [], 'gpu'))),
      arch: optional(stringsOf(['x86_64', 'aarch64', 'riscv64'])),
      form: optional(stringsOf(['hardware', 'cloud', 'edge'])),
      site: optional(mix(fc.array(str(1, 3), { minLength: 1, maxLength: 3 }), fc.constantFrom<unknown>([], [''], 's'))),
      selector: optional(labelMap),
      tolerations: optional(mix(fc.oneof(fc.array(toleration, { maxLength: 3 }), fc.constant(Array(64).fill({}))), fc.constantFrom<unknown>(Array(65).fill({}), [null], {}))),
      class: optional(mix(fc.oneof(str(0, 3), fc.constant('c'.repeat(64))), fc.constantFrom<unknown>('c'.repeat(65), 1))),
      deadline: optional(decimal),
      arrival: optional(decimal),
      duration: optional(decimal),
      labels: optional(labelMap),
    },
    { requiredKeys: ['id'] },
  ),
);

describe('task fast path', () => {
  it('covers every key of TaskSchema (a schema change switches it off instead of dropping a default)', () => {
    expect(fastPathApplies).toBe(true);
  });

  it('fills defaults and keeps present-but-undefined keys exactly as zod does', () => {
    // by hand from schema.ts: tenant 'default', priority 0, cpuMilli 0, memoryMiB 0;
    // accel count 1, milli 1000, memoryMiB 0, exclusive false; toleration operator 'Equal'
    const out = fastParseTask({ id: 't', accel: { kind: 'gpu' }, arch: undefined, tolerations: [{ key: 'k' }] });
    expect(JSON.stringify(canon(out))).toBe(JSON.stringify(canon({
      id: 't', tenant: 'default', priority: 0, cpuMilli: 0, memoryMiB: 0,
      accel: { kind: 'gpu', count: 1, milli: 1000, memoryMiB: 0, exclusive: false },
      arch: undefined, tolerations: [{ key: 'k', operator: 'Equal' }],
    })));
  });

  it('leaves what it is not sure of to zod: refinements, -Infinity, a __proto__ label, unknown keys', () => {
    expect(fastParseTask({ id: 't', accel: { kind: 'gpu', milli: 500, count: 2 } })).toBeUndefined();
    expect(fastParseTask({ id: 't', accel: { kind: 'gpu', profile: 'p', count: 2 } })).toBeUndefined();
    expect(fastParseTask({ id: 't', deadline: -Infinity })).toBeUndefined();
    expect(fastParseTask({ id: 't', labels: JSON.parse('{"__proto__":"x"}') })).toBeUndefined();
    expect(fastParseTask({ id: 't', gpus: 1 })).toBeUndefined();
    // zod's answers for the same inputs, through parseTask
    expect(() => parseTask({ id: 't', accel: { kind: 'gpu', milli: 500, count: 2 } })).toThrow('task.accel.count: must be 1 when milli < 1000');
    expect(() => parseTask({ id: 't', gpus: 1 }, 'tasks[3]')).toThrow(/^tasks\[3\]\.gpus: /);
  });

  it('equals zod on random valid and invalid inputs (value, or code/path/message/details)', () => {
    let fast = 0;
    let invalid = 0;
    let runs = 0;
    // invariant: parseTask(x) and parseWith(TaskSchema, x) agree exactly; a fast-path answer is
    // always zod's value, built from fresh objects (nothing of the input is shared)
    fc.assert(
      fc.property(fc.oneof({ weight: 12, arbitrary: task }, { weight: 1, arbitrary: fc.anything() }), (input) => {
        runs++;
        const f = fastParseTask(input);
        const z = outcome(() => parseWith(TaskSchema, input, 'tasks[2]'));
        const p = outcome(() => parseTask(input, 'tasks[2]'));
        expect(p).toEqual(z);
        if (!z.ok) invalid++;
        if (f !== undefined) {
          fast++;
          expect(z.ok).toBe(true);
          expect(JSON.stringify(canon(f))).toBe((z as { canon: string }).canon);
          const shared = objectsIn(input);
          for (const o of objectsIn(f)) expect(shared.has(o)).toBe(false);
        }
      }),
      { numRuns: 4000, seed: 20261129 },
    );
    // the property must have exercised both sides: many fast answers and many zod errors
    expect(fast).toBeGreaterThan(runs / 10);
    expect(invalid).toBeGreaterThan(runs / 10);
  });
});
