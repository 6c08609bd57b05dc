/**
 * Confusion matrix of `detect` over every captured sample in fixtures/agents, for every parser
 * in the registry (core and vendor): each parser accepts exactly its own samples and rejects all
 * others, so `--agent auto` never hands one tool's output to another tool's parser, whatever the
 * registration order.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultParsers } from '../src/adapters/registry.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const parsers = defaultParsers().list();

/**
 * The parser a sample belongs to: its folder's name, except the two folders that do not carry a
 * parser name (one folder holds both MIG listings; the exporter's folder names the project).
 */
function owner(folder: string, file: string): string {
  if (folder === 'nvidia-smi-mig') return /-lgip-/.test(file) ? 'nvidia-smi-mig-lgip' : 'nvidia-smi-mig-lgi';
  if (folder === 'prometheus-nvidia-gpu-exporter') return 'nvidia-gpu-exporter';
  return folder;
}

const samples = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(ROOT, d.name)).filter((f) => f.endsWith('.txt')).map((f) => ({ tool: owner(d.name, f), file: `${d.name}/${f}`, text: readFileSync(join(ROOT, d.name, f), 'utf8') })));

describe('parser detect: confusion matrix over fixtures/agents', () => {
  it('has samples of every registered parser, and every sample belongs to one', () => {
    const names = parsers.map((p) => p.name);
    for (const n of names) expect(samples.filter((s) => s.tool === n).length, n).toBeGreaterThan(0);
    for (const s of samples) expect(names, s.file).toContain(s.tool);
    expect(new Set(names).size).toBe(names.length);
    // `ls fixtures/agents/*/*.txt | wc -l` = 40 samples today; the matrix is samples × 29 parsers
    expect(samples.length).toBeGreaterThanOrEqual(40);
  });

  it.each(samples.map((s) => [s.file, s] as const))('%s is claimed by exactly its own parser', (_n, s) => {
    const claimed = parsers.filter((p) => p.detect(s.text)).map((p) => p.name);
    expect(claimed).toEqual([s.tool]);
  });

  it('no parser claims empty or whitespace input', () => {
    for (const p of parsers) {
      expect(p.detect(''), p.name).toBe(false);
      expect(p.detect('\n \n'), p.name).toBe(false);
    }
  });

  it('nvidia-smi -L is told from nvlink --status, which starts with the same GPU lines', () => {
    const list = parsers.find((p) => p.name === 'nvidia-smi-list')!;
    const gpuLine = 'GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1)';
    expect(list.detect(`${gpuLine}\n`)).toBe(true);
    expect(list.detect(`${gpuLine}\n  MIG 3g.40gb     Device  0: (UUID: MIG-2)\n`)).toBe(true);
    expect(list.detect(`${gpuLine}\n\t Link 0: 25 GB/s\n`)).toBe(false);
  });
});
