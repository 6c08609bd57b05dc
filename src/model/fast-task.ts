/**
 * A fast path for validating a task: a hand-written check of the common, valid case that
 * returns exactly what `TaskSchema.safeParse` returns for it (a fresh object, keys in schema
 * order, defaults filled, optional keys present exactly when the input has them), or
 * `undefined` whenever it is not sure the input is valid. The caller then asks zod, so every
 * error — code, path, message, details — is zod's own (see `parseTaskInput` in validate.ts).
 *
 * Why: the engine validates every task it is handed, and a DES hands it millions; zod's
 * generic walk cost ≈ 1 µs per task (≈ 9 % of `engine.place()` on a uniform pool).
 *
 * Rules mirrored from zod 4 (node_modules/zod/v4/core/schemas.js, `$ZodObject`, `$ZodRecord`,
 * `$ZodArray`, `$ZodNumber`, `$ZodDefault`): objects are any non-null non-array object; keys
 * are read once (`input[key]`) and tested with `in`; unknown keys are those `for…in` yields;
 * an absent or `undefined` defaulted key takes the default; an optional key present with
 * `undefined` stays present with `undefined`; numbers must be finite; arrays and records are
 * copied; records (label maps) must be plain objects and are walked with `Reflect.ownKeys`.
 * Anything unusual (a `__proto__` or symbol or non-enumerable record key, a refinement that
 * would fire) → `undefined`. The differential test (test/engine-fast-validate.test.ts) holds
 * the two equal on random valid and invalid inputs; a schema whose keys no longer match the
 * lists below switches the fast path off (see `fastPathApplies`).
 */
import { AccelRequestSchema, TaskSchema, TolerationSchema } from './schema.js';
import type { Task } from './types.js';

/** Keys of TaskSchema, AccelRequestSchema and TolerationSchema in schema order (= output order). */
const TASK_KEYS = ['id', 'tenant', 'priority', 'cpuMilli', 'memoryMiB', 'accel', 'arch', 'form', 'site', 'selector', 'tolerations', 'class', 'deadline', 'arrival', 'duration', 'labels'];
const ACCEL_KEYS = ['kind', 'count', 'milli', 'memoryMiB', 'vendors', 'models', 'precision', 'exclusive', 'profile'];
const TOLERATION_KEYS = ['key', 'operator', 'value', 'effect'];

const TASK_KEY_SET = new Set(TASK_KEYS);
const ACCEL_KEY_SET = new Set(ACCEL_KEYS);
const TOLERATION_KEY_SET = new Set(TOLERATION_KEYS);

/** 2^31 − 1: the upper bound of every integer field (schema.ts `nonNegInt`, `posInt`). */
const INT_MAX = 2 ** 31 - 1;
const KINDS = new Set(['gpu', 'npu', 'fpga', 'asic']);
const PRECISIONS = new Set(['fp32', 'fp16', 'bf16', 'int8']);
const ARCHS = new Set(['x86_64', 'aarch64', 'riscv64']);
const FORMS = new Set(['hardware', 'cloud', 'edge']);
const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

const sameKeys = (shape: object, keys: string[]): boolean => {
  const have = Object.keys(shape);
  return have.length === keys.length && have.every((k, i) => k === keys[i]);
};

/**
 * True when the schemas still have exactly the keys this module knows: a field added to or
 * removed from TaskSchema (or its accel/toleration parts) turns the fast path off rather than
 * letting it drop a default. Bounds are held equal by the differential test.
 */
export const fastPathApplies: boolean =
  sameKeys(TaskSchema.shape, TASK_KEYS) && sameKeys(AccelRequestSchema.shape, ACCEL_KEYS) && sameKeys(TolerationSchema.shape, TOLERATION_KEYS);

type Obj = Record<string, unknown>;
/** zod's `isObject`: what `z.object()` accepts as an object at all. */
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isStr = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
/** Finite number ≥ 0 (zod 4's `z.number()` rejects NaN and ±Infinity). */
const isNonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** True when every key `for…in` yields is in `keys` (a strict object's unknown-key check). */
function knownKeys(v: Obj, keys: Set<string>): boolean {
  for (const k in v) if (!keys.has(k)) return false;
  return true;
}

/** A copy of a string array whose elements all have length in [min, max], or undefined. */
function strings(v: unknown, minItems: number, maxItems: number, min: number, max: number): string[] | undefined {
  if (!Array.isArray(v) || v.length < minItems || v.length > maxItems) return undefined;
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (!isStr(s, min, max)) return undefined;
    out[i] = s;
  }
  return out;
}

/** A copy of an array (≥ 1 element) of members of `allowed`, or undefined. */
function enums<T extends string>(v: unknown, allowed: Set<string>): T[] | undefined {
  if (!Array.isArray(v) || v.length < 1) return undefined;
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== 'string' || !allowed.has(s)) return undefined;
    out[i] = s as T;
  }
  return out;
}

/**
 * A label map (`labelMap` in schema.ts: keys 1..317 chars, values ≤ 253 chars), copied, or
 * undefined. zod requires a plain object; a prototype of Object.prototype or null is plain by
 * its rule too, as long as an own `constructor` key is a string (which a label value must be).
 */
function labelMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out: Record<string, string> = {};
  for (const k of Reflect.ownKeys(v)) {
    if (typeof k !== 'string' || k === '__proto__' || k.length < 1 || k.length > 317) return undefined;
    if (!Object.prototype.propertyIsEnumerable.call(v, k)) return undefined;
    const s = v[k];
    if (!isStr(s, 0, 253)) return undefined;
    out[k] = s;
  }
  return out;
}

function accelOf(a: unknown): Task['accel'] | undefined {
  if (!isObject(a) || !knownKeys(a, ACCEL_KEY_SET)) return undefined;
  const kind = a.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  let count = a.count;
  if (count === undefined) count = 1;
  else if (!isInt(count, 1, 64)) return undefined;
  let milli = a.milli;
  if (milli === undefined) milli = 1000;
  else if (!isInt(milli, 1, 1000)) return undefined;
  let memoryMiB = a.memoryMiB;
  if (memoryMiB === undefined) memoryMiB = 0;
  else if (!isInt(memoryMiB, 0, INT_MAX)) return undefined;
  const vendorsIn = a.vendors;
  const vendors = vendorsIn === undefined ? undefined : strings(vendorsIn, 0, 64, 1, Infinity);
  if (vendorsIn !== undefined && vendors === undefined) return undefined;
  const modelsIn = a.models;
  const models = modelsIn === undefined ? undefined : strings(modelsIn, 0, 256, 1, Infinity);
  if (modelsIn !== undefined && models === undefined) return undefined;
  const precision = a.precision;
  if (precision !== undefined && (typeof precision !== 'string' || !PRECISIONS.has(precision))) return undefined;
  let exclusive = a.exclusive;
  if (exclusive === undefined) exclusive = false;
  else if (typeof exclusive !== 'boolean') return undefined;
  const profile = a.profile;
  if (profile !== undefined && !isStr(profile, 1, 64)) return undefined;
  // AccelRequestSchema's superRefine: leave both refusals to zod
  if ((milli as number) < 1000 && (count as number) > 1) return undefined;
  if (profile && (count as number) > 1) return undefined;
  const out: Obj = { kind, count, milli, memoryMiB };
  if ('vendors' in a) out.vendors = vendors;
  if ('models' in a) out.models = models;
  if ('precision' in a) out.precision = precision;
  out.exclusive = exclusive;
  if ('profile' in a) out.profile = profile;
  return out as Task['accel'];
}

function tolerationOf(t: unknown): Obj | undefined {
  if (!isObject(t) || !knownKeys(t, TOLERATION_KEY_SET)) return undefined;
  const key = t.key;
  if (key !== undefined && !isStr(key, 0, 317)) return undefined;
  let operator = t.operator;
  if (operator === undefined) operator = 'Equal';
  else if (operator !== 'Equal' && operator !== 'Exists') return undefined;
  const value = t.value;
  if (value !== undefined && !isStr(value, 0, 253)) return undefined;
  const effect = t.effect;
  if (effect !== undefined && (typeof effect !== 'string' || !EFFECTS.has(effect))) return undefined;
  const out: Obj = {};
  if ('key' in t) out.key = key;
  out.operator = operator;
  if ('value' in t) out.value = value;
  if ('effect' in t) out.effect = effect;
  return out;
}

function tolerationsOf(v: unknown): Obj[] | undefined {
  if (!Array.isArray(v) || v.length > 64) return undefined;
  const out = new Array<Obj>(v.length);
  for (let i = 0; i < v.length; i++) {
    const t = tolerationOf(v[i]);
    if (t === undefined) return undefined;
    out[i] = t;
  }
  return out;
}

/** An optional field: `undefined` input stays `undefined`; otherwise `parse` decides (undefined = not sure). */
const NOT_SURE = Symbol('not sure');
function optional<T>(v: unknown, parse: (v: unknown) => T | undefined): T | undefined | typeof NOT_SURE {
  if (v === undefined) return undefined;
  const r = parse(v);
  return r === undefined ? NOT_SURE : r;
}
const optStr = (max: number) => (v: unknown): string | undefined => (isStr(v, 0, max) ? v : undefined);
const optNonNeg = (v: unknown): number | undefined => (isNonNeg(v) ? v : undefined);
const optSites = (v: unknown): string[] | undefined => strings(v, 1, Infinity, 1, Infinity);
const optArch = (v: unknown) => enums<NonNullable<Task['arch']>[number]>(v, ARCHS);
const optForm = (v: unknown) => enums<NonNullable<Task['form']>[number]>(v, FORMS);
const optClass = optStr(64);
/** The optional non-negative numbers of a task, in schema order. */
const TIMES = ['deadline', 'arrival', 'duration'] as const;

/**
 * The parsed task `TaskSchema.safeParse(input)` would return, or `undefined` when this fast
 * check is not sure the input is valid (then ask zod). Never throws (getters aside).
 */
export function fastParseTask(input: unknown): Task | undefined {
  if (!fastPathApplies || !isObject(input) || !knownKeys(input, TASK_KEY_SET)) return undefined;
  const v = input;
  const id = v.id;
  if (!isStr(id, 1, 253)) return undefined;
  let tenant = v.tenant;
  if (tenant === undefined) tenant = 'default';
  else if (!isStr(tenant, 1, 128)) return undefined;
  let priority = v.priority;
  if (priority === undefined) priority = 0;
  else if (!isInt(priority, -1_000_000, 1_000_000)) return undefined;
  let cpuMilli = v.cpuMilli;
  if (cpuMilli === undefined) cpuMilli = 0;
  else if (!isInt(cpuMilli, 0, INT_MAX)) return undefined;
  let memoryMiB = v.memoryMiB;
  if (memoryMiB === undefined) memoryMiB = 0;
  else if (!isInt(memoryMiB, 0, INT_MAX)) return undefined;
  const out: Obj = { id, tenant, priority, cpuMilli, memoryMiB };
  // optional keys, in schema order: present in the output exactly when `in` the input
  if ('accel' in v) {
    const a = optional(v.accel, accelOf);
    if (a === NOT_SURE) return undefined;
    out.accel = a;
  }
  if ('arch' in v) {
    const a = optional(v.arch, optArch);
    if (a === NOT_SURE) return undefined;
    out.arch = a;
  }
  if ('form' in v) {
    const f = optional(v.form, optForm);
    if (f === NOT_SURE) return undefined;
    out.form = f;
  }
  if ('site' in v) {
    const s = optional(v.site, optSites);
    if (s === NOT_SURE) return undefined;
    out.site = s;
  }
  if ('selector' in v) {
    const s = optional(v.selector, labelMap);
    if (s === NOT_SURE) return undefined;
    out.selector = s;
  }
  if ('tolerations' in v) {
    const t = optional(v.tolerations, tolerationsOf);
    if (t === NOT_SURE) return undefined;
    out.tolerations = t;
  }
  if ('class' in v) {
    const c = optional(v.class, optClass);
    if (c === NOT_SURE) return undefined;
    out.class = c;
  }
  for (const k of TIMES) {
    if (!(k in v)) continue;
    const n = optional(v[k], optNonNeg);
    if (n === NOT_SURE) return undefined;
    out[k] = n;
  }
  if ('labels' in v) {
    const l = optional(v.labels, labelMap);
    if (l === NOT_SURE) return undefined;
    out.labels = l;
  }
  return out as Task;
}
