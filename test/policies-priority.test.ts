import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';
import fc from 'fast-check';
import { PriorityRules } from '../src/policies/priority.js';
import { HetpoolError } from '../src/model/errors.js';
import type { Task } from '../src/model/types.js';

const rules = new PriorityRules({
  classes: [
    { name: 'urgent', priority: 1000, emergency: true },
    { name: 'prod', priority: 100 },
    { name: 'batch', priority: 10, window: { fromHour: 22, toHour: 6 } },
  ],
  aging: { stepSeconds: 600, boost: 5, maxBoost: 50 },
  emergencyPriority: 900,
});

const task = (id: string, p: Partial<Task> = {}): Task => ({ id, tenant: 'default', priority: 0, cpuMilli: 0, memoryMiB: 0, ...p });

describe('priority classes and aging', () => {
  it.each([
    // [class, priority, arrival, now, expected, arithmetic]
    ['prod', 0, 0, 0, 100, 'class 100 + ⌊0/600⌋·5 = 100'],
    ['batch', 0, 0, 3000, 35, 'class 10 + ⌊3000/600⌋·5 = 10 + 25 = 35'],
    ['batch', 0, 0, 100_000, 60, 'class 10 + min(50, ⌊100000/600⌋·5 = 830) = 60'],
    [undefined, 7, 100, 700, 12, 'own 7 + ⌊600/600⌋·5 = 12'],
  ] as Array<[string | undefined, number, number, number, number, string]>)('class %s prio %i arrived %i at %i → %i (%s)', (cls, priority, arrival, now, expected) => {
    expect(rules.effective(task('t', { class: cls, priority, arrival }), now)).toBe(expected);
  });

  it('ages a starving low-priority task past a newer higher one, and no further than maxBoost', () => {
    // batch arrived at 0, prod at 6000. At 6000: batch = 10 + min(50, 10·5) = 60 < prod 100.
    // Aging is capped, so batch never passes prod (60 < 100), but passes a new own-priority-55 task.
    const batch = task('b', { class: 'batch', arrival: 0 });
    const prod = task('p', { class: 'prod', arrival: 6000 });
    const mid = task('m', { priority: 55, arrival: 6000 });
    expect(rules.compare(batch, prod, 6000)).toBeGreaterThan(0);
    expect(rules.compare(batch, mid, 6000)).toBeLessThan(0);
  });

  it('is earliest-deadline-first within equal effective priority, no deadline last', () => {
    const a = task('a', { class: 'prod', deadline: 500, arrival: 0 });
    const b = task('b', { class: 'prod', deadline: 300, arrival: 0 });
    const c = task('c', { class: 'prod', arrival: 0 });
    expect([a, c, b].sort((x, y) => rules.compare(x, y, 0)).map((t) => t.id)).toEqual(['b', 'a', 'c']);
  });

  it('flags a task that can no longer meet its deadline', () => {
    // now 100 + duration 30 = 130 > 120 → miss; deadline 130 is still met (130 ≤ 130).
    expect(rules.deadlineMiss(task('t', { deadline: 120, duration: 30 }), 100)).toBe('deadline 120 cannot be met: now 100 + duration 30 = 130 > 120');
    expect(rules.deadlineMiss(task('t', { deadline: 130, duration: 30 }), 100)).toBeNull();
  });

  it.each([
    [23 * 3600, 0, null],
    [5 * 3600 + 3599, 0, null],
    [6 * 3600, 0, 'class batch starts only 22:00–06:00 (now 06:00)'],
    [14 * 3600, 0, 'class batch starts only 22:00–06:00 (now 14:00)'],
    // UTC+8: 14:00 UTC is 22:00 local → inside the window
    [14 * 3600, 480, null],
  ])('window 22→6 at %i s (offset %i min) → %s', (now, offset, expected) => {
    const r = new PriorityRules({ ...rules.policy, utcOffsetMinutes: offset });
    expect(r.windowHold(task('t', { class: 'batch' }), now)).toBe(expected);
  });

  it('decides urgency by class or threshold', () => {
    expect(rules.isUrgent(task('t', { class: 'urgent' }), 0)).toBe(true);
    expect(rules.isUrgent(task('t', { priority: 900 }), 0)).toBe(true); // 900 ≥ threshold 900
    expect(rules.isUrgent(task('t', { priority: 899 }), 0)).toBe(false);
  });

  it('rejects an unknown class and a bad policy naming the field', () => {
    expect(() => rules.checkTask(task('t', { class: 'gold' }), 'tasks[2]')).toThrow(/tasks\[2\]\.class: unknown priority class "gold"/);
    const bad = () => new PriorityRules({ classes: [{ name: 'a', priority: 1 }, { name: 'a', priority: 2 }] });
    expect(bad).toThrow(HetpoolError);
    expect(bad).toThrow(/priority\.classes\[1\]\.name/);
    expect(() => new PriorityRules({ classes: [{ name: 'w', priority: 1, window: { fromHour: 3, toHour: 3 } }] })).toThrow(/classes\[0\]\.window\.toHour/);
  });

  it('orders as a total preorder: antisymmetric and transitive on random tasks', () => {
    // Invariant: compare(a,b) = -compare(b,a), and sorting is consistent (a≤b≤c ⇒ a≤c).
    const t = fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }), priority: fc.integer({ min: -5, max: 5 }),
      class: fc.constantFrom(undefined, 'prod', 'batch'), deadline: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
      arrival: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    });
    fc.assert(fc.property(t, t, t, fc.integer({ min: 0, max: 10_000 }), (a, b, c, now) => {
      const [x, y, z] = [a, b, c].map((v) => task(v.id, v));
      expect(Math.sign(rules.compare(x, y, now))).toBe(-Math.sign(rules.compare(y, x, now)));
      if (rules.compare(x, y, now) <= 0 && rules.compare(y, z, now) <= 0) expect(rules.compare(x, z, now)).toBeLessThanOrEqual(0);
    }));
  });

  it('loads the example policy file', () => {
    const r = new PriorityRules(JSON.parse(readFileSync(join(repoRoot, 'fixtures/policies/priority.json'), 'utf8')));
    expect(r.policy.classes.map((c) => c.name)).toEqual(['urgent', 'prod', 'batch', 'system']);
    expect(r.isPreemptible(task('s', { class: 'system' }))).toBe(false); // preemptible: false
    expect(r.isPreemptible(task('b', { class: 'batch' }))).toBe(true); // default true
  });
});
