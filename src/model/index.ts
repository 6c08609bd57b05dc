export * from './errors.js';
export * from './units.js';
export * from './labels.js';
export * from './schema.js';
export * from './types.js';
export * from './validate.js';
export * from './topology.js';
