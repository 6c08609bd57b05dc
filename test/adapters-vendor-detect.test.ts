/**
 * Confusion matrix of `detect` over every captured sample in fixtures/agents (the vendor
 * samples and the NVIDIA/DCGM/Kubernetes ones of the core parsers): each vendor parser accepts
 * exactly the samples in the folder named after it and rejects all others, so `--agent auto`
 * never hands one tool's output to another tool's parser.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vendorParsers } from '../src/adapters/parsers/vendor-index.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const samples = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(ROOT, d.name)).filter((f) => f.endsWith('.txt')).map((f) => ({ tool: d.name, file: f, text: readFileSync(join(ROOT, d.name, f), 'utf8') })));

describe('vendor parser detect: confusion matrix over fixtures/agents', () => {
  it('has every vendor parser\'s samples (one folder per parser name, at least one sample each)', () => {
    for (const p of vendorParsers) expect(samples.filter((s) => s.tool === p.name).length, p.name).toBeGreaterThan(0);
    expect(new Set(vendorParsers.map((p) => p.name)).size).toBe(vendorParsers.length);
  });

  it.each(samples.map((s) => [`${s.tool}/${s.file}`, s] as const))('%s is claimed by exactly its own parser (or none, if not a vendor format)', (_n, s) => {
    const claimed = vendorParsers.filter((p) => p.detect(s.text)).map((p) => p.name);
    const own = vendorParsers.some((p) => p.name === s.tool);
    expect(claimed).toEqual(own ? [s.tool] : []);
  });

  it('no parser claims empty or whitespace input', () => {
    for (const p of vendorParsers) {
      expect(p.detect(''), p.name).toBe(false);
      expect(p.detect('\n \n'), p.name).toBe(false);
    }
  });
});
