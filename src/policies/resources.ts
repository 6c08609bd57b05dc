/**
 * Resource vectors of quotas: CPU milli, memory MiB, and per accelerator kind (`gpu`) or model
 * (`gpu:A100-SXM4-80GB`) a device count, a compute share in milli and device memory in MiB.
 * A `ResourceSpace` maps every key used in a tenant tree to a dense index, so quotas, usage and
 * demands are plain integer arrays (the fair-share kernel takes them as columns).
 */
import { z } from 'zod';
import type { Task } from '../model/types.js';

const amount = z.number().int('must be an integer').min(0, 'must be ≥ 0').max(2 ** 31 - 1, 'must be < 2^31');

/** Per accelerator kind or model: devices, compute share (milli, 1000 = one device), memory. */
export const AccelAmountSchema = z.strictObject({ count: amount.optional(), milli: amount.optional(), memoryMiB: amount.optional() });

/** A key is a device kind (`gpu`) or kind and model (`gpu:A100-SXM4-80GB`). */
export const AccelKeySchema = z.string().regex(/^(gpu|npu|fpga|asic)(:[^\s]{1,128})?$/, 'must be a device kind (gpu|npu|fpga|asic), optionally ":<model>"');

/** A quota vector as written in a tenant file. Absent amounts: unlimited (limit) or 0 (guarantee). */
export const ResourceVectorSchema = z.strictObject({
  cpuMilli: amount.optional(),
  memoryMiB: amount.optional(),
  accel: z.record(z.string(), AccelAmountSchema).superRefine((rec, ctx) => {
    for (const k of Object.keys(rec)) {
      const r = AccelKeySchema.safeParse(k);
      if (!r.success) ctx.addIssue({ code: 'custom', path: [k], message: r.error.issues[0].message });
    }
  }).optional(),
});
export type ResourceVectorInput = z.infer<typeof ResourceVectorSchema>;

const ACCEL_FIELDS = ['count', 'milli', 'memoryMiB'] as const;
/** Device kinds every space tracks, so usage and fair share see devices even without quotas on them. */
export const DEVICE_KINDS: readonly string[] = ['gpu', 'npu', 'fpga', 'asic'];

/** Dense index of every resource dimension a tenant tree names. */
export class ResourceSpace {
  /** Dimension names, e.g. `cpuMilli`, `memoryMiB`, `gpu.count`, `gpu:A100.milli`. */
  readonly dims: string[] = ['cpuMilli', 'memoryMiB'];
  private readonly index = new Map<string, number>([['cpuMilli', 0], ['memoryMiB', 1]]);
  /** Accelerator keys in the space (kinds and kind:model). */
  readonly accelKeys: string[] = [];

  /** Build the space of every accelerator key named by the given vectors, plus `always`. */
  constructor(vectors: Iterable<ResourceVectorInput | undefined>, always: readonly string[] = DEVICE_KINDS) {
    const keys = new Set<string>(always);
    for (const v of vectors) for (const k of Object.keys(v?.accel ?? {})) keys.add(k);
    for (const k of [...keys].sort()) {
      this.accelKeys.push(k);
      for (const f of ACCEL_FIELDS) {
        this.index.set(`${k}.${f}`, this.dims.length);
        this.dims.push(`${k}.${f}`);
      }
    }
  }

  get size(): number {
    return this.dims.length;
  }

  /** Index of a dimension, or -1 when the space does not track it. */
  indexOf(dim: string): number {
    return this.index.get(dim) ?? -1;
  }

  /** A quota vector as an array; absent amounts take `absent` (Infinity for limits, 0 for guarantees). */
  vector(v: ResourceVectorInput | undefined, absent: number): number[] {
    const out = new Array<number>(this.size).fill(absent);
    if (v?.cpuMilli !== undefined) out[0] = v.cpuMilli;
    if (v?.memoryMiB !== undefined) out[1] = v.memoryMiB;
    for (const [k, a] of Object.entries(v?.accel ?? {})) {
      for (const f of ACCEL_FIELDS) if (a[f] !== undefined) out[this.index.get(`${k}.${f}`)!] = a[f]!;
    }
    return out;
  }

  /**
   * What a task counts against quotas. Devices count under their kind, and under `kind:model`
   * when the model is known: the bound device's model (`model`), or the task's only allowed
   * model. A whole device counts its full memory when `wholeDeviceMemoryMiB` is given.
   */
  demandOf(task: Pick<Task, 'cpuMilli' | 'memoryMiB' | 'accel'>, model?: string, wholeDeviceMemoryMiB?: number): number[] {
    const out = new Array<number>(this.size).fill(0);
    out[0] = task.cpuMilli;
    out[1] = task.memoryMiB;
    const a = task.accel;
    if (!a) return out;
    const mem = a.milli === 1000 && wholeDeviceMemoryMiB !== undefined ? wholeDeviceMemoryMiB : a.memoryMiB;
    const add = (key: string): void => {
      const c = this.index.get(`${key}.count`);
      if (c === undefined) return;
      out[c] += a.count;
      out[c + 1] += a.count * a.milli;
      out[c + 2] += a.count * mem;
    };
    add(a.kind);
    const m = model ?? (a.models?.length === 1 ? a.models[0] : undefined);
    if (m !== undefined) add(`${a.kind}:${m}`);
    return out;
  }

  /** Render a vector for messages: only the non-zero, finite dimensions. */
  describe(v: readonly number[]): string {
    const parts: string[] = [];
    v.forEach((x, i) => {
      if (x !== 0 && Number.isFinite(x)) parts.push(`${this.dims[i]}=${x}`);
    });
    return parts.length ? parts.join(', ') : 'nothing';
  }
}

/** a + b element-wise (into a new array). */
export const addVec = (a: readonly number[], b: readonly number[], sign = 1): number[] => a.map((x, i) => x + sign * b[i]);
