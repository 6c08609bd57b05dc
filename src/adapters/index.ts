/**
 * Southbound adapters (§6, §10.1, §11.1c): agent output → model objects. Parsers (pure, one module
 * each, by name in a registry), live adapters with hot-plug watch, merge into valid nodes with the
 * unified labels, normalised metrics and health rules, and remote sources (DCGM-exporter,
 * Kubernetes API, cloud catalogues, edge sites).
 */
export type { AgentParser, Inventory, MetricSample, ParseOptions, ParseWarning } from './types.js';
export { Registry, ParserRegistry, AdapterRegistry, defaultParsers } from './registry.js';
export { Discovery, commandAdapter, fileAdapter, pollingWatch, diffInventories, runCommand } from './adapter.js';
export type { Adapter, AdapterEvent, WatchOptions, CommandRunner, DiscoveryRound } from './adapter.js';
export { mergeInventories, toClusterJson } from './merge.js';
export type { MergeOptions, MergeResult } from './merge.js';
export { Metric, MetricUnit, metricSample, pushMetric } from './metrics.js';
export type { MetricName } from './metrics.js';
export { HEALTH_RULES, evaluateHealth, ruleFires, withHealth } from './health.js';
export type { HealthRule, HealthMark } from './health.js';
export { CANONICAL_VENDORS, VENDOR_KIND, canonicalVendor, deviceVendor } from './lib/vendors.js';
export type { CanonicalVendor } from './lib/vendors.js';
export { DEFAULT_NODE_ID, ParseContext, resolveNodeId } from './lib/context.js';
export { coreParsers } from './parsers/index.js';
export { vendorParsers } from './parsers/vendor-index.js';
export { parsePrometheusText } from './lib/prometheus.js';
export { httpGet } from './remote/http.js';
export type { HttpGetOptions } from './remote/http.js';
export { scrapeDcgm, dcgmAdapter } from './remote/dcgm.js';
export { parseKubeconfig, listKubernetesNodes, kubernetesAdapter } from './remote/kubernetes.js';
export type { KubeAccess } from './remote/kubernetes.js';
export { CloudCatalogSchema, CloudInstanceTypeSchema, parseCloudCatalog, catalogToInventory } from './remote/catalog.js';
export type { CloudCatalog } from './remote/catalog.js';
export { EdgeSiteSchema, parseEdgeSite, edgeToInventory } from './remote/edge.js';
export type { EdgeSite } from './remote/edge.js';
export { hostInventory } from './host.js';
