/**
 * Edge site inventories (form `edge`, §6d/§10.1d): a site with its nodes and its uplink to the
 * centre. Nodes become form `edge` with `site` set; the topology gets a `site:<name>` vertex, an
 * ethernet link from each node to it, and a `wan` link (latency, bandwidth, loss) to the uplink
 * target. Format: zod schema below, example in fixtures/catalog/edge-site.json.
 */
import { z } from 'zod';
import { ArchSchema, DeviceSchema } from '../../model/schema.js';
import { gibToMib } from '../../model/units.js';
import { parseWith } from '../../model/validate.js';
import type { Inventory } from '../types.js';

const EdgeNodeSchema = z.strictObject({
  id: z.string().min(1).max(253),
  arch: ArchSchema.default('aarch64'),
  cores: z.number().positive().max(4096),
  memoryGiB: z.number().positive().max(65536),
  devices: z.array(DeviceSchema).max(64).default([]),
  labels: z.record(z.string().min(1).max(317), z.string().max(253)).optional(),
});

/** One edge site. */
export const EdgeSiteSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  site: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, . _ -'),
  region: z.string().min(1).max(128).optional(),
  zone: z.string().min(1).max(128).optional(),
  uplink: z.strictObject({
    to: z.string().min(1).max(253),
    latencyMs: z.number().min(0),
    bandwidthGbps: z.number().min(0),
    loss: z.number().min(0).max(1).default(0),
  }).optional(),
  nodes: z.array(EdgeNodeSchema).min(1),
});
export type EdgeSite = z.infer<typeof EdgeSiteSchema>;

/** Validate an edge site inventory (HetpoolError names the field, prefixed with `source`). */
export const parseEdgeSite = (v: unknown, source = 'edge'): EdgeSite => parseWith(EdgeSiteSchema, v, source);

/** The nodes and topology of an edge site. */
export function edgeToInventory(site: EdgeSite, source = 'edge'): Inventory {
  const siteId = `site:${site.site}`;
  const inv: Inventory = { source: `edge-site:${source}`, nodes: [], vertices: [{ id: siteId, kind: 'site' }], links: [], warnings: [] };
  for (const n of site.nodes) {
    inv.nodes.push({
      id: n.id, arch: n.arch, form: 'edge', site: site.site,
      ...(site.region ? { region: site.region } : {}),
      ...(site.zone ? { zone: site.zone } : {}),
      cpuMilli: Math.round(n.cores * 1000), memoryMiB: gibToMib(n.memoryGiB),
      devices: n.devices, ...(n.labels ? { labels: n.labels } : {}),
    });
    inv.vertices!.push({ id: n.id, kind: 'node' });
    inv.links!.push({ a: n.id, b: siteId, type: 'ethernet' });
  }
  if (site.uplink) {
    inv.links!.push({ a: siteId, b: site.uplink.to, type: 'wan', latencyUs: site.uplink.latencyMs * 1000, bandwidthGbps: site.uplink.bandwidthGbps, loss: site.uplink.loss });
  }
  return inv;
}
