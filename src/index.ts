/**
 * hetpool — pool, slice and schedule heterogeneous compute with a WebAssembly core.
 * Public entry point: the model (types, schemas, validation, errors) and, per layer, its facade.
 */
export * from './model/index.js';
