/**
 * The unified resource model as zod schemas: the single source of the TypeScript types
 * (`types.ts`), of validation at every boundary (`validate.ts`) and of the JSON Schema in
 * docs/ (`npm run schema`). Units: CPU milli-cores, memory MiB, device share milli (1000 = whole
 * device), device memory MiB per device, price per hour in the catalogue's currency.
 */
import { z } from 'zod';

const id = z.string().min(1, 'must be a non-empty string').max(253, 'must be at most 253 characters');
const nonNegInt = z.number().int('must be an integer').min(0, 'must be ≥ 0').max(2 ** 31 - 1, 'must be < 2^31');
const posInt = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(2 ** 31 - 1, 'must be < 2^31');
const labelMap = z.record(z.string().min(1).max(317), z.string().max(253));

export const ArchSchema = z.enum(['x86_64', 'aarch64', 'riscv64']);
export const FormSchema = z.enum(['hardware', 'cloud', 'edge']);
export const DeviceKindSchema = z.enum(['gpu', 'npu', 'fpga', 'asic']);
export const HealthSchema = z.enum(['healthy', 'unhealthy', 'unknown']);
export const PrecisionSchema = z.enum(['fp32', 'fp16', 'bf16', 'int8']);
export const InterconnectSchema = z.enum(['pcie', 'nvlink', 'hccs', 'infiniband', 'roce', 'ethernet', 'xgmi', 'other']);

/** A fixed hardware partition a device can be cut into (MIG `1g.10gb`, Ascend vNPU `vir04`). */
export const PartitionProfileSchema = z.strictObject({
  name: id,
  /** Compute share of one instance of this profile, milli of the whole device (1g of 7 ≈ 142). */
  milli: z.number().int().min(1).max(1000),
  memoryMiB: nonNegInt,
  /** How many instances of this profile the device can hold at most. */
  maxCount: posInt.max(64),
});

export const SharingSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('exclusive') }),
  z.strictObject({
    mode: z.literal('time-slice'),
    /** At most this many tasks share the device (vGPU count). */
    maxSlices: posInt.max(1024).default(16),
    /** Compute oversubscription: Σ milli ≤ oversubscription × 1000 / 1000. 1000 = none. */
    oversubscription: z.number().int().min(1000).max(16000).default(1000),
  }),
  z.strictObject({ mode: z.literal('partition'), profiles: z.array(PartitionProfileSchema).min(1).max(32) }),
]);

export const DeviceSchema = z.strictObject({
  id,
  kind: DeviceKindSchema,
  vendor: z.string().min(1).max(64),
  model: z.string().min(1).max(128),
  memoryMiB: nonNegInt,
  /** Throughput per precision: TFLOPS for float, TOPS for int8. */
  throughput: z.partialRecord(PrecisionSchema, z.number().min(0)).optional(),
  health: HealthSchema.default('healthy'),
  sharing: SharingSchema.default({ mode: 'exclusive' }),
  /** Physical index on the node (e.g. the CUDA/NPU index), used by topology and adapters. */
  index: nonNegInt.optional(),
  /** PCI bus id or other stable hardware address, when known. */
  busId: z.string().max(64).optional(),
  labels: labelMap.optional(),
});

export const TaintSchema = z.strictObject({
  key: z.string().min(1).max(317),
  value: z.string().max(253).optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

export const TolerationSchema = z.strictObject({
  key: z.string().max(317).optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().max(253).optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

export const NodeSchema = z.strictObject({
  id,
  arch: ArchSchema.default('x86_64'),
  form: FormSchema.default('hardware'),
  site: z.string().max(128).optional(),
  zone: z.string().max(128).optional(),
  region: z.string().max(128).optional(),
  rack: z.string().max(128).optional(),
  cpuMilli: nonNegInt,
  memoryMiB: nonNegInt,
  labels: labelMap.optional(),
  taints: z.array(TaintSchema).max(64).optional(),
  health: HealthSchema.default('healthy'),
  /** A drained node keeps its tasks but takes no new ones. */
  schedulable: z.boolean().default(true),
  pricePerHour: z.number().min(0).optional(),
  devices: z.array(DeviceSchema).max(64).default([]),
});

export const AccelRequestSchema = z.strictObject({
  kind: DeviceKindSchema,
  /** Number of devices. Fractional tasks (milli < 1000) take exactly one device. */
  count: posInt.max(64).default(1),
  /** Share of each device in milli, 1..1000 (1000 = the whole device). */
  milli: z.number().int('must be an integer in 1..1000').min(1, 'must be an integer in 1..1000').max(1000, 'must be an integer in 1..1000').default(1000),
  /** Device memory per device, MiB (0 = no memory requirement; whole devices take all). */
  memoryMiB: nonNegInt.default(0),
  vendors: z.array(z.string().min(1)).max(64).optional(),
  models: z.array(z.string().min(1)).max(256).optional(),
  precision: PrecisionSchema.optional(),
  /** Whole devices that no other task may share, even with milli < 1000 requested. */
  exclusive: z.boolean().default(false),
  /** A partition profile name (MIG `1g.10gb`) — only partition-mode devices offering it qualify. */
  profile: z.string().min(1).max(64).optional(),
}).superRefine((a, ctx) => {
  if (a.milli < 1000 && a.count > 1) ctx.addIssue({ code: 'custom', path: ['count'], message: 'must be 1 when milli < 1000 (a fractional task takes one device)' });
  if (a.profile && a.count > 1) ctx.addIssue({ code: 'custom', path: ['count'], message: 'must be 1 when a partition profile is requested' });
});

export const TaskSchema = z.strictObject({
  id,
  tenant: z.string().min(1).max(128).default('default'),
  /** Higher runs first. */
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  cpuMilli: nonNegInt.default(0),
  memoryMiB: nonNegInt.default(0),
  accel: AccelRequestSchema.optional(),
  arch: z.array(ArchSchema).min(1).optional(),
  form: z.array(FormSchema).min(1).optional(),
  site: z.array(z.string().min(1)).min(1).optional(),
  /** Node labels that must match exactly. */
  selector: labelMap.optional(),
  tolerations: z.array(TolerationSchema).max(64).optional(),
  /** Optional scheduling metadata used by policies and the simulator. */
  class: z.string().max(64).optional(),
  deadline: z.number().min(0).optional(),
  arrival: z.number().min(0).optional(),
  duration: z.number().min(0).optional(),
  labels: labelMap.optional(),
});

export const ClusterSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  nodes: z.array(NodeSchema),
}).superRefine((c, ctx) => {
  const seen = new Map<string, number>();
  c.nodes.forEach((n, i) => {
    const prev = seen.get(n.id);
    if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}" (also nodes[${prev}])` });
    seen.set(n.id, i);
    const dev = new Set<string>();
    n.devices.forEach((d, j) => {
      if (dev.has(d.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'devices', j, 'id'], message: `duplicate device id "${d.id}" on node "${n.id}"` });
      dev.add(d.id);
    });
  });
});

export const TaskListSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  tasks: z.array(TaskSchema),
}).superRefine((t, ctx) => {
  const seen = new Map<string, number>();
  t.tasks.forEach((task, i) => {
    const prev = seen.get(task.id);
    if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${task.id}" (also tasks[${prev}])` });
    seen.set(task.id, i);
  });
});
