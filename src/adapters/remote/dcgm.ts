/** Scrape a DCGM-exporter endpoint (`http://<host>:9400/metrics`) into an Inventory, once or as a polling adapter. */
import { pollingWatch, type Adapter, type WatchOptions } from '../adapter.js';
import { parseDcgmExporter } from '../parsers/dcgm-exporter.js';
import type { Inventory } from '../types.js';
import { httpGet, type HttpGetOptions } from './http.js';

/** Fetch and parse one scrape; the node id is the series' `Hostname` unless `nodeId` is given. */
export async function scrapeDcgm(url: string, options: HttpGetOptions & { nodeId?: string } = {}): Promise<Inventory> {
  const text = await httpGet(url, options);
  return parseDcgmExporter(text, { source: url, ...(options.nodeId ? { nodeId: options.nodeId } : {}) });
}

/** A DCGM-exporter endpoint as an adapter (watch = polling scrape). */
export function dcgmAdapter(url: string, options: HttpGetOptions & { nodeId?: string } = {}): Adapter {
  return {
    name: `dcgm-exporter@${url}`,
    discover: (signal) => scrapeDcgm(url, { ...options, signal }),
    watch: function (this: Adapter, w?: WatchOptions) { return pollingWatch(this, w); },
  };
}
