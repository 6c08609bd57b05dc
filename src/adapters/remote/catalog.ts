/**
 * Cloud instance catalogues (form `cloud`, §6b/§6d/§10.1e): instance types with vCPUs, memory,
 * accelerators and an hourly price, plus how many of each to attach to the pool. The format is
 * ours (a zod schema, example in fixtures/catalog/cloud.json); each attached instance becomes a
 * node `<provider>-<type>-<n>` with `pricePerHour`, region/zone and `hetpool.io/instance-type`.
 */
import { z } from 'zod';
import { ArchSchema, DeviceKindSchema, PrecisionSchema } from '../../model/schema.js';
import { Labels } from '../../model/labels.js';
import { gibToMib } from '../../model/units.js';
import { parseWith } from '../../model/validate.js';
import type { DeviceInput } from '../../model/types.js';
import type { Inventory } from '../types.js';
import { deviceVendor } from '../lib/vendors.js';

const AcceleratorSchema = z.strictObject({
  kind: DeviceKindSchema,
  vendor: z.string().min(1).max(64),
  model: z.string().min(1).max(128),
  count: z.number().int().min(1).max(64),
  memoryMiB: z.number().int().min(0).max(2 ** 31 - 1),
  precisions: z.array(PrecisionSchema).optional(),
});

/** One instance type of a provider. */
export const CloudInstanceTypeSchema = z.strictObject({
  type: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, . _ -'),
  region: z.string().min(1).max(128).optional(),
  zone: z.string().min(1).max(128).optional(),
  arch: ArchSchema.default('x86_64'),
  vcpus: z.number().positive().max(4096),
  memoryGiB: z.number().positive().max(65536),
  pricePerHour: z.number().min(0),
  accelerators: z.array(AcceleratorSchema).max(8).default([]),
  /** Instances of this type to attach to the pool now. */
  attach: z.number().int().min(0).max(10_000).default(0),
  labels: z.record(z.string().min(1).max(317), z.string().max(253)).optional(),
});

/** A provider's catalogue. */
export const CloudCatalogSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  provider: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and -'),
  currency: z.string().min(3).max(8).default('USD'),
  region: z.string().min(1).max(128).optional(),
  instances: z.array(CloudInstanceTypeSchema).min(1),
});
export type CloudCatalog = z.infer<typeof CloudCatalogSchema>;

/** Validate a catalogue (HetpoolError names the field, prefixed with `source`). */
export const parseCloudCatalog = (v: unknown, source = 'catalog'): CloudCatalog => parseWith(CloudCatalogSchema, v, source);

/** The nodes a catalogue attaches (form `cloud`, priced). */
export function catalogToInventory(catalog: CloudCatalog, source = 'catalog'): Inventory {
  const inv: Inventory = { source: `cloud-catalog:${source}`, nodes: [], warnings: [] };
  for (const it of catalog.instances) {
    for (let n = 0; n < it.attach; n++) {
      const devices: DeviceInput[] = [];
      for (const a of it.accelerators) {
        for (let i = 0; i < a.count; i++) {
          const labels: Record<string, string> = {};
          for (const p of a.precisions ?? []) labels[Labels.precision(p)] = 'true';
          devices.push({ id: `${a.kind}${devices.filter((d) => d.kind === a.kind).length}`, kind: a.kind, vendor: deviceVendor(a.vendor), model: a.model, memoryMiB: a.memoryMiB, index: i, ...(Object.keys(labels).length ? { labels } : {}) });
        }
      }
      const region = it.region ?? catalog.region;
      inv.nodes.push({
        id: `${catalog.provider}-${it.type}-${n}`.slice(0, 253),
        arch: it.arch,
        form: 'cloud',
        cpuMilli: Math.round(it.vcpus * 1000),
        memoryMiB: gibToMib(it.memoryGiB),
        pricePerHour: it.pricePerHour,
        ...(region ? { region } : {}),
        ...(it.zone ? { zone: it.zone } : {}),
        labels: { ...(it.labels ?? {}), 'hetpool.io/instance-type': it.type, 'hetpool.io/provider': catalog.provider, 'hetpool.io/currency': catalog.currency },
        devices,
      });
    }
  }
  if (!inv.nodes.length) inv.warnings.push({ at: source, message: 'no instance type has attach > 0: the catalogue adds no nodes' });
  return inv;
}
