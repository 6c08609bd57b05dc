/**
 * The engine facade: `createEngine()` and everything a caller or a plugin author needs.
 * See docs/engine.md.
 */
export { createEngine } from './engine.js';
export type {
  Binding, BoundDevice, Catalog, CatalogEntry, Displaced, Engine, EngineEvent, EngineEventName, EngineEventOf,
  EngineOptions, EngineStats, EngineView, ResizePatch, ResizeResult, ResizeSizes, ScheduleResult, TaskState, Tentative, Unschedulable,
} from './types.js';
export type { DeviceCandidate, EnginePlugin, ReleaseWhy } from './plugins.js';
export { binpack, spread, registerScorer, unregisterScorer, getScorer, scorerNames, deviceDemand } from './scorers.js';
export type { Scorer, NodeResources } from './scorers.js';
export { constraintReason, tolerates, effectiveLabels } from './constraints.js';
