// Generates docs/cluster.schema.json and docs/tasks.schema.json from the zod schemas in
// src/model/schema.ts (the single source of the types). Run: `npx tsx scripts/schema.mjs`
// (`--check` exits 1 when the committed files differ). test/model-schema.test.ts holds the
// committed files equal to this output.
import { writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ClusterSchema, TaskListSchema } from '../src/model/schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The JSON Schema documents, keyed by file name under docs/, as the exact text to commit. */
export function generateSchemas() {
  const doc = (schema, id, title, description) => {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
    return `${JSON.stringify({ $id: id, title, description, ...json }, null, 2)}\n`;
  };
  return {
    'cluster.schema.json': doc(ClusterSchema, 'https://hetpool.dev/schema/cluster.schema.json', 'hetpool cluster', 'Nodes and their devices (docs/file-format.md). Units: CPU milli-cores, memory MiB, device share milli, device memory MiB.'),
    'tasks.schema.json': doc(TaskListSchema, 'https://hetpool.dev/schema/tasks.schema.json', 'hetpool tasks', 'Tasks to place (docs/file-format.md). Units: CPU milli-cores, memory MiB, device share milli, device memory MiB.'),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [name, text] of Object.entries(generateSchemas())) {
    const file = join(root, 'docs', name);
    if (check) {
      let have = '';
      try { have = readFileSync(file, 'utf8'); } catch { /* missing counts as stale */ }
      if (have !== text) { stale = true; console.error(`schema: docs/${name} is stale: run npx tsx scripts/schema.mjs`); }
    } else {
      writeFileSync(file, text);
      console.log(`schema: wrote docs/${name}`);
    }
  }
  if (stale) process.exit(1);
}
