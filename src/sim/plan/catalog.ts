/**
 * The price catalogue of the capacity planner: node types one can buy or rent — form, arch,
 * price per hour, CPU, memory and devices — and how to turn a count of each into a cluster.
 */
import { z } from 'zod';
import { ArchSchema, DeviceKindSchema, FormSchema, HetpoolError, Labels, PrecisionSchema, SharingSchema, parseWith, type NodeInput, type Sharing } from '../../model/index.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, 'must be a DNS label (a-z, 0-9, "-", ".")');

/** Devices of one node type: `count` identical devices. */
export const CatalogDevicesSchema = z.strictObject({
  count: z.number().int().min(1).max(64),
  kind: DeviceKindSchema,
  vendor: z.string().min(1).max(64),
  model: z.string().min(1).max(128),
  memoryMiB: z.number().int().min(0),
  throughput: z.partialRecord(PrecisionSchema, z.number().min(0)).optional(),
  sharing: SharingSchema.default({ mode: 'exclusive' }),
});

/** One node type on offer. */
export const NodeTypeSchema = z.strictObject({
  name,
  form: FormSchema.default('cloud'),
  arch: ArchSchema.default('x86_64'),
  site: z.string().max(128).optional(),
  pricePerHour: z.number().min(0),
  cpuMilli: z.number().int().min(0),
  memoryMiB: z.number().int().min(0),
  devices: CatalogDevicesSchema.optional(),
  /** At most this many nodes of the type can be had (default unlimited). */
  max: z.number().int().min(0).optional(),
  /** Already owned: at least this many are in the answer, and they cost nothing extra. */
  owned: z.number().int().min(0).optional(),
});

/** A price catalogue: the node types on offer (names unique). */
export const PriceCatalogSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  currency: z.string().max(16).default('USD'),
  nodeTypes: z.array(NodeTypeSchema).min(1),
}).superRefine((c, ctx) => {
  const seen = new Map<string, number>();
  c.nodeTypes.forEach((t, i) => {
    if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['nodeTypes', i, 'name'], message: `duplicate node type "${t.name}" (also nodeTypes[${seen.get(t.name)}])` });
    seen.set(t.name, i);
    if (t.max !== undefined && t.owned !== undefined && t.owned > t.max) ctx.addIssue({ code: 'custom', path: ['nodeTypes', i, 'owned'], message: `must be ≤ max (${t.max})` });
  });
});

/** A node type after validation. */
export type NodeType = z.infer<typeof NodeTypeSchema>;
/** A price catalogue after validation (defaults filled). */
export type PriceCatalog = z.infer<typeof PriceCatalogSchema>;
/** A price catalogue as written in a file. */
export type PriceCatalogInput = z.input<typeof PriceCatalogSchema>;

/** Validate a price catalogue; errors name the field (`nodeTypes[2].pricePerHour`). */
export const parsePriceCatalog = (v: unknown, root = ''): PriceCatalog => parseWith(PriceCatalogSchema, v, root);

/** Device milli one device offers: 1000, or 1000 × oversubscription / 1000 for time-slice. */
export function milliPerDevice(s: Sharing): number {
  return s.mode === 'time-slice' ? s.oversubscription : 1000;
}

/** The nodes of a plan: `counts[i]` nodes of `catalog.nodeTypes[i]`, ids `<type>-<k>`. */
export function clusterOf(catalog: PriceCatalog, counts: readonly number[]): NodeInput[] {
  if (counts.length !== catalog.nodeTypes.length) throw new HetpoolError('internal', 'counts', `expected ${catalog.nodeTypes.length} counts, got ${counts.length}`);
  const nodes: NodeInput[] = [];
  catalog.nodeTypes.forEach((t, i) => {
    for (let k = 0; k < counts[i]; k++) {
      const d = t.devices;
      const labels: Record<string, string> = { [Labels.arch]: t.arch, [Labels.form]: t.form, [Labels.kind]: d ? d.kind : 'cpu', 'hetpool.io/node-type': t.name };
      if (t.site) labels[Labels.site] = t.site;
      nodes.push({
        id: `${t.name}-${k + 1}`, arch: t.arch, form: t.form, site: t.site, cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB, pricePerHour: t.pricePerHour, labels,
        devices: d ? Array.from({ length: d.count }, (_, j) => ({ id: `${d.kind}${j}`, index: j, kind: d.kind, vendor: d.vendor, model: d.model, memoryMiB: d.memoryMiB, throughput: d.throughput, sharing: d.sharing })) : [],
      });
    }
  });
  return nodes;
}
