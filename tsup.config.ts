import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Library (ESM + CJS with types), the CLI, and the worker entries that Piscina and Comlink load by path.
const workers = Object.fromEntries(
  [['cli', 'src/cli/main.ts'], ['sim-worker', 'src/pool/sim-worker.ts'], ['engine-worker', 'src/pool/engine-worker.ts']].filter(([, f]) => existsSync(f)),
);
export default defineConfig([
  { entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true, shims: true, clean: true, target: 'node20', sourcemap: true },
  { entry: workers, format: ['esm'], shims: true, target: 'node20', sourcemap: true },
]);
