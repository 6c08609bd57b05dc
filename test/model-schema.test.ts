/**
 * The committed JSON Schemas (docs/*.schema.json) equal what scripts/schema.mjs generates from
 * the zod schemas, and they accept the example files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { generateSchemas } from '../scripts/schema.mjs';

describe('JSON Schemas in docs/', () => {
  it('are up to date (run `npx tsx scripts/schema.mjs` after changing src/model/schema.ts)', () => {
    const generated = generateSchemas() as Record<string, string>;
    expect(Object.keys(generated).sort()).toEqual(['cluster.schema.json', 'tasks.schema.json']);
    for (const [name, text] of Object.entries(generated)) expect(readFileSync(`docs/${name}`, 'utf8')).toBe(text);
  });

  it('describe the units and required fields users write', () => {
    const cluster = JSON.parse(readFileSync('docs/cluster.schema.json', 'utf8'));
    const nodeSchema = cluster.properties.nodes.items;
    expect(nodeSchema.required).toEqual(['id', 'cpuMilli', 'memoryMiB']);
    const tasks = JSON.parse(readFileSync('docs/tasks.schema.json', 'utf8'));
    const milli = tasks.properties.tasks.items.properties.accel.properties.milli;
    expect([milli.minimum, milli.maximum, milli.default]).toEqual([1, 1000, 1000]);
  });
});
