/**
 * Comlink ships `dist/esm/node-adapter.d.ts` beside `node-adapter.mjs`, but TypeScript looks for
 * `node-adapter.d.mts` next to an `.mjs` file; this pairs the two for the engine worker.
 */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
