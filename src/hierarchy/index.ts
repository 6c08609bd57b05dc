/**
 * Hierarchical scheduling (§9.2g) and the engine in a worker thread it builds on: domains with
 * their own engines (in-process or in worker threads) under a top level that routes by domain
 * summaries with fallback. See docs/performance.md.
 */
export { createHierarchy } from './hierarchy.js';
export type { DomainKey, Hierarchy, HierarchyOptions, HierarchyScheduleResult, HierarchyUnschedulable } from './hierarchy.js';
export type { DomainSummary, DeviceGroupSummary } from './ledger.js';
export type { DomainPort } from './port.js';
export { createEngineWorker, registerHetpoolErrorTransfer } from '../pool/engine-client.js';
export type { AsyncEngine, AsyncTentative, EngineWorkerOptions } from '../pool/engine-client.js';
