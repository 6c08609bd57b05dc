/** Registry, auto-detection, live adapters (polling watch / hot-plug) and failing adapters. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { commandAdapter, diffInventories, Discovery, pollingWatch, type Adapter, type AdapterEvent } from '../src/adapters/adapter.js';
import { coreParsers } from '../src/adapters/parsers/index.js';
import { AdapterRegistry, defaultParsers, ParserRegistry } from '../src/adapters/registry.js';
import type { Inventory } from '../src/adapters/types.js';
import { repoRoot } from './helpers/cli.js';

const fx = (tool: string, name: string): string => readFileSync(join(repoRoot, 'fixtures/agents', tool, `${name}.txt`), 'utf8');

describe('parser registry', () => {
  it('rejects duplicates loudly and lists the known names for an unknown one', () => {
    const r = new ParserRegistry(coreParsers);
    expect(() => r.register(coreParsers[0])).toThrow(/already registered/);
    try {
      r.get('nvidia-smi-xlm');
      throw new Error('unreachable');
    } catch (e) {
      expect(e).toBeInstanceOf(HetpoolError);
      expect((e as HetpoolError).code).toBe('not-found');
      expect((e as HetpoolError).message).toMatch(/unknown parser "nvidia-smi-xlm"; known: nvidia-smi-xml, /);
    }
  });

  it('adapters register by name the same way', () => {
    const r = new AdapterRegistry([scripted('dcgm@a', [])]);
    expect(() => r.register(scripted('dcgm@a', []))).toThrow(/an? adapter named "dcgm@a" is already registered/);
    expect(() => r.get('k8s')).toThrow(/unknown adapter "k8s"; known: dcgm@a/);
  });

  it('the default registry holds the core and vendor parsers under unique names', () => {
    const names = defaultParsers().names();
    expect(new Set(names).size).toBe(names.length);
    for (const p of coreParsers) expect(names).toContain(p.name);
  });

  // Each core sample folder → the parser that must recognise it.
  const expected: Record<string, string> = {
    'nvidia-smi-xml': 'nvidia-smi-xml', 'nvidia-smi-q': 'nvidia-smi-q', 'nvidia-smi-csv': 'nvidia-smi-csv',
    'nvidia-smi-list': 'nvidia-smi-list', 'nvidia-smi-topo': 'nvidia-smi-topo', 'nvidia-smi-nvlink': 'nvidia-smi-nvlink',
    'nvidia-smi-table': 'nvidia-smi-table', 'nvidia-smi-dmon': 'nvidia-smi-dmon', 'dcgm-exporter': 'dcgm-exporter',
    'prometheus-nvidia-gpu-exporter': 'nvidia-gpu-exporter', 'k8s-node': 'k8s-node',
  };
  for (const [dir, parser] of Object.entries(expected)) {
    it(`auto-detects ${dir} samples as ${parser}`, () => {
      const reg = defaultParsers();
      for (const f of readdirSync(join(repoRoot, 'fixtures/agents', dir)).filter((x) => x.endsWith('.txt'))) {
        expect(reg.detect(fx(dir, f.slice(0, -4)))?.name, f).toBe(parser);
      }
    });
  }
  it('tells -lgip from -lgi', () => {
    const reg = defaultParsers();
    expect(reg.detect(fx('nvidia-smi-mig', 'a100-40gb-lgip-450'))?.name).toBe('nvidia-smi-mig-lgip');
    expect(reg.detect(fx('nvidia-smi-mig', 'a100-40gb-lgi-2x3g'))?.name).toBe('nvidia-smi-mig-lgi');
    expect(() => reg.detectOrThrow('hello world', 'h.txt')).toThrow(/h\.txt:1: no parser recognises this output/);
  });
});

/** An adapter whose answers are scripted: an Inventory, or an Error to reject with. */
function scripted(name: string, answers: Array<Inventory | Error>): Adapter {
  let i = 0;
  return {
    name,
    discover: async () => {
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    },
  };
}
const inv = (node: string, devices: Array<{ id: string; memoryMiB?: number }>): Inventory => ({
  source: `test:${node}`,
  nodes: [{ id: node, cpuMilli: 1000, memoryMiB: 1024, devices: devices.map((d) => ({ id: d.id, kind: 'gpu', vendor: 'nvidia', model: 'A10', memoryMiB: d.memoryMiB ?? 23028 })) }],
  warnings: [],
});

describe('hot-plug: diff and polling watch', () => {
  it('diffInventories reports added, removed and changed devices', () => {
    const ev = diffInventories(inv('n1', [{ id: 'gpu0' }, { id: 'gpu1' }]), inv('n1', [{ id: 'gpu0', memoryMiB: 1 }, { id: 'gpu2' }]));
    expect(ev.map((e) => [e.type, 'device' in e && e.device ? (typeof e.device === 'string' ? e.device : e.device.id) : undefined])).toEqual([
      ['update', 'gpu0'], ['add', 'gpu2'], ['remove', 'gpu1'],
    ]);
    expect((ev[0] as { fields: string[] }).fields).toEqual(['memoryMiB']);
  });

  it('a watch reports the first inventory as added, then only changes, and ends by itself', async () => {
    const a = scripted('s', [inv('n1', [{ id: 'gpu0' }]), inv('n1', [{ id: 'gpu0' }]), inv('n1', [{ id: 'gpu0' }, { id: 'gpu1' }])]);
    const events: AdapterEvent[] = [];
    for await (const e of pollingWatch(a, { intervalMs: 1, maxPolls: 3 })) events.push(e);
    // poll 1: node + gpu0 added; poll 2: nothing; poll 3: gpu1 hot-plugged
    expect(events.map((e) => `${e.type}:${'device' in e && e.device && typeof e.device !== 'string' ? e.device.id : ''}`)).toEqual(['add:', 'add:gpu0', 'add:gpu1']);
  });

  it('a failing poll yields an error and unknown health for what the adapter knew, then recovers', async () => {
    const a = scripted('s', [inv('n1', [{ id: 'gpu0' }]), new Error('agent timed out'), inv('n1', [{ id: 'gpu0' }])]);
    const events: AdapterEvent[] = [];
    for await (const e of pollingWatch(a, { intervalMs: 1, maxPolls: 3 })) events.push(e);
    const h = events.filter((e) => e.type === 'health') as Array<Extract<AdapterEvent, { type: 'health' }>>;
    expect(events.some((e) => e.type === 'error' && /agent timed out/.test(e.message))).toBe(true);
    expect(h.filter((e) => e.health === 'unknown').map((e) => e.target)).toEqual(['n1', 'n1/gpu0']);
    expect(h.filter((e) => e.health === 'healthy').map((e) => e.target)).toEqual(['n1', 'n1/gpu0']);
  });
});

describe('Discovery: a failing adapter does not stop the others', () => {
  it('marks the failed adapter’s nodes and devices unknown and keeps the rest', async () => {
    const good = scripted('good', [inv('n2', [{ id: 'gpu0' }])]);
    const flaky = scripted('flaky', [inv('n1', [{ id: 'gpu0' }]), new HetpoolError('parse-error', 'nvidia-smi', 'command failed')]);
    const d = new Discovery([flaky, good]);
    const r1 = await d.round();
    expect(r1.failures).toEqual([]);
    const r2 = await d.round();
    expect(r2.failures).toEqual([{ adapter: 'flaky', error: 'nvidia-smi: command failed' }]);
    const n1 = r2.inventories.find((i) => i.nodes[0].id === 'n1')!;
    expect(n1.nodes[0].health).toBe('unknown');
    expect(n1.nodes[0].devices![0].health).toBe('unknown');
    const n2 = r2.inventories.find((i) => i.nodes[0].id === 'n2')!;
    expect(n2.nodes[0].health).toBeUndefined();
  });

  it('commandAdapter runs the parser’s command through an injectable runner', async () => {
    const parser = defaultParsers().get('nvidia-smi-list');
    const seen: string[][] = [];
    const a = commandAdapter(parser, { nodeId: 'n9', run: async (c) => { seen.push([...c]); return fx('nvidia-smi-list', 'h100-mig-590'); } });
    const r = await a.discover();
    expect(seen).toEqual([['nvidia-smi', '-L']]);
    expect(r.nodes[0].id).toBe('n9');
    const failing = commandAdapter(parser, { run: async () => { throw new HetpoolError('not-found', 'nvidia-smi', 'command not found'); } });
    const round = await new Discovery([failing, a]).round();
    expect(round.failures.map((f) => f.error)).toEqual(['nvidia-smi: command not found']);
    expect(round.inventories).toHaveLength(1);
  });
});
