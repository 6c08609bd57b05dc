/**
 * hetpool — pool, slice and schedule heterogeneous compute with a WebAssembly core.
 * Public entry point: the model (types, schemas, validation, errors) and, per layer, its facade.
 */
export * from './model/index.js';
export * as adapters from './adapters/index.js';
export * from './engine/index.js';
export * as policies from './policies/index.js';
export * as topology from './topology/index.js';
export * from './hierarchy/index.js';
export * as openb from './sim/openb/index.js';
export * as planning from './sim/plan/public.js';
