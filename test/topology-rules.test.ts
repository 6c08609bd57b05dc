import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { parseTask } from '../src/model/validate.js';
import { createTopology } from '../src/topology/graph.js';
import { decidePlacement, parsePlacementRules, placementRulesJsonSchema, ruleTaskOf } from '../src/topology/rules.js';

// Sites: factory (edge, 2 ms from the camera source), metro (cloud, 8 ms), far (cloud, 40 ms).
const topo = createTopology({
  vertices: ['site:camera', 'site:factory', 'site:metro', 'site:far'].map((id) => ({ id, kind: 'site' })),
  links: [
    { a: 'site:camera', b: 'site:factory', type: 'ethernet', latencyUs: 2000 },
    { a: 'site:camera', b: 'site:metro', type: 'wan', latencyUs: 8000 },
    { a: 'site:metro', b: 'site:far', type: 'wan', latencyUs: 32000 },
  ],
});
const candidates = [
  { id: 'edge-1', site: 'factory', form: 'edge' as const, pricePerHour: 3 },
  { id: 'cloud-metro', site: 'metro', form: 'cloud' as const, pricePerHour: 2 },
  { id: 'cloud-far', site: 'far', form: 'cloud' as const, pricePerHour: 1 },
];
const rules = {
  rules: [
    { name: 'low-latency-to-edge', when: { latencyBudgetMs: { lt: 20 } }, prefer: { form: 'edge' } },
    { name: 'batch-to-cheap-cloud', when: { urgency: 'low' }, prefer: { form: 'cloud', cheapest: true } },
  ],
};

describe('cloud–edge rules', () => {
  it('sends a low-latency task to the edge, within its budget', () => {
    const d = decidePlacement(rules, { id: 't1', dataSource: 'camera', latencyBudgetMs: 10 }, candidates, topo);
    expect(d.fired).toEqual(['low-latency-to-edge']);
    expect(d.chosen).toBe('edge-1');
    const byId = Object.fromEntries(d.candidates.map((c) => [c.id, c]));
    // Network latency from the camera: factory 2 ms; metro 8 ms; far 8 + 32 = 40 ms > 10 ms budget.
    expect([byId['edge-1'].networkLatencyMs, byId['cloud-metro'].networkLatencyMs, byId['cloud-far'].networkLatencyMs]).toEqual([2, 8, 40]);
    expect(byId['cloud-far'].eligible).toBe(false);
    expect(byId['cloud-far'].reason).toContain('exceeds the budget of 10 ms');
    // Edge: +50 (rule weight); metro: 0.
    expect([byId['edge-1'].score, byId['cloud-metro'].score]).toEqual([50, 0]);
  });
  it('sends a non-urgent task to the cheapest cloud and explains every point', () => {
    const d = decidePlacement(rules, { id: 't2', urgency: 'low', dataSource: 'camera' }, candidates, topo);
    expect(d.fired).toEqual(['batch-to-cheap-cloud']);
    const byId = Object.fromEntries(d.candidates.map((c) => [c.id, c]));
    // cheapest: round(50 · 1 / price): far 50, metro 25, edge round(16.7) = 17; form cloud: +50.
    expect(byId['cloud-far'].score).toBe(50 + 50);
    expect(byId['cloud-metro'].score).toBe(50 + 25);
    expect(byId['edge-1'].score).toBe(17);
    expect(d.chosen).toBe('cloud-far');
    expect(byId['cloud-metro'].parts.map((p) => p.points)).toEqual([50, 25]);
  });
  it('require filters, nearest preference, and ties broken by latency', () => {
    const r = {
      rules: [
        { name: 'only-cloud', when: { class: 'analytics' }, require: { form: 'cloud' } },
        { name: 'near-data', when: { dataSource: { exists: true } }, prefer: { nearest: true }, weight: 90 },
      ],
    };
    const d = decidePlacement(r, { id: 't3', class: 'analytics', dataSource: 'camera' }, candidates, topo);
    expect(d.fired).toEqual(['only-cloud', 'near-data']);
    const byId = Object.fromEntries(d.candidates.map((c) => [c.id, c]));
    expect(byId['edge-1'].reason).toBe('rule "only-cloud" requires form cloud');
    // nearest among eligible (min 8 ms): metro round(90 · 9/9) = 90; far round(90 · 9/41) = round(19.76) = 20.
    expect([byId['cloud-metro'].score, byId['cloud-far'].score]).toEqual([90, 20]);
    expect(d.chosen).toBe('cloud-metro');
    // No rule fires: all score 0 → the lowest latency wins (edge 2 ms).
    expect(decidePlacement({ rules: [] }, { id: 't4', dataSource: 'camera' }, candidates, topo).chosen).toBe('edge-1');
  });
  it('reads rule inputs from task labels', () => {
    const t = parseTask({ id: 'cam-infer', accel: { kind: 'npu' }, labels: { 'hetpool.io/data-source': 'camera', 'hetpool.io/latency-budget-ms': '15', 'hetpool.io/urgency': 'high' } });
    expect(ruleTaskOf(t)).toEqual({ id: 'cam-infer', kind: 'npu', dataSource: 'camera', latencyBudgetMs: 15, urgency: 'high' });
    expect(() => ruleTaskOf(parseTask({ id: 'x', labels: { 'hetpool.io/urgency': 'asap' } }))).toThrow(/task\.labels\.hetpool\.io\/urgency/);
  });
  it('validates the rules file by field and publishes a JSON Schema', () => {
    const bad = (v: unknown): string => {
      try {
        parsePlacementRules(v);
      } catch (e) {
        if (e instanceof HetpoolError) return e.path;
      }
      return 'no error';
    };
    expect(bad({ rules: [{ when: {}, prefer: { form: 'edge' } }, { when: { urgency: 'asap' }, prefer: {} }] })).toBe('rules[1].when.urgency');
    expect(bad({ rules: [{ when: {} }] })).toBe('rules[0].prefer');
    expect(bad({ rules: [{ prefer: { form: 'edge' }, weight: 5000 }] })).toBe('rules[0].weight');
    const s = placementRulesJsonSchema() as { properties: { rules: { type: string } } };
    expect(s.properties.rules.type).toBe('array');
    // docs/placement-rules.schema.json is this schema, kept in sync.
    expect(JSON.parse(readFileSync(new URL('../docs/placement-rules.schema.json', import.meta.url), 'utf8'))).toEqual(s);
  });
});
