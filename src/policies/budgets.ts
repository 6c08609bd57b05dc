/**
 * Per-tenant time budgets in device-hours per window (§12c metering, used as an admission rule).
 *
 * Windows are fixed and aligned on the clock: window w covers [w·W, (w+1)·W) seconds for
 * W = windowHours·3600. Consumption is integer milli-device-seconds: a task holding `count`
 * devices at `milli` each for `s` seconds consumes count·milli·s (1 device-hour = 3 600 000).
 * Running tasks count as they run (only the part inside the current window). A tenant's budget
 * covers its subtree. Admission stops when spent ≥ budget for the queue or any ancestor; tasks
 * already running are not stopped (they finish; the overshoot is what they consume after).
 * A budget set while tasks run counts them from their next start (the ledger tracks starts).
 */
import type { TenantTree } from './tenants.js';

/** milli-device-seconds in one device-hour. */
export const MILLI_DEVICE_SECONDS_PER_HOUR = 3_600_000;

interface Running {
  tenant: string;
  /** count × milli of the devices held. */
  milli: number;
  start: number;
}

/** Per budgeted tenant: consumption settled in the current window and aggregates of running tasks. */
interface Account {
  window: number;
  settled: number;
  /** Running tasks of the subtree, with their start clipped to the window start. */
  running: Map<string, { milli: number; start: number }>;
  sumMilli: number;
  /** Σ milli × clipped start. */
  sumMilliStart: number;
}

/**
 * Tracks consumption per tenant and window; reads budgets from the tenant tree. Each budgeted
 * tenant keeps aggregates of its subtree's running tasks, so `spent` is O(1) and a window
 * rollover touches each running task once per window.
 */
export class BudgetLedger {
  private readonly running = new Map<string, Running>();
  private readonly accounts = new Map<string, Account>();

  constructor(private readonly tree: TenantTree) {}

  private windowOf(id: string, now: number): { index: number; start: number; seconds: number } | null {
    const b = this.tree.get(id).budget;
    if (!b) return null;
    const seconds = b.windowHours * 3600;
    const index = Math.floor(now / seconds);
    return { index, start: index * seconds, seconds };
  }

  /** The tenant's account, rolled over to the window of `now` (null when it has no budget). */
  private account(id: string, now: number): Account | null {
    const w = this.windowOf(id, now);
    if (!w) return null;
    let a = this.accounts.get(id);
    if (!a) this.accounts.set(id, (a = { window: w.index, settled: 0, running: new Map(), sumMilli: 0, sumMilliStart: 0 }));
    if (a.window !== w.index) {
      a.window = w.index;
      a.settled = 0;
      a.sumMilliStart = 0;
      for (const r of a.running.values()) {
        r.start = Math.max(r.start, w.start);
        a.sumMilliStart += r.milli * r.start;
      }
    }
    return a;
  }

  /** A task started holding `deviceMilli` (count × milli) at `now`. */
  start(taskId: string, tenant: string, deviceMilli: number, now: number): void {
    if (deviceMilli <= 0 || !this.tree.has(tenant)) return;
    this.running.set(taskId, { tenant, milli: deviceMilli, start: now });
    for (const t of this.tree.path(tenant)) {
      const a = this.account(t.id, now);
      if (!a) continue;
      a.running.set(taskId, { milli: deviceMilli, start: now });
      a.sumMilli += deviceMilli;
      a.sumMilliStart += deviceMilli * now;
    }
  }

  /** A task stopped at `now`: its consumption is settled into every budgeted tenant on its path. */
  stop(taskId: string, now: number): void {
    const r = this.running.get(taskId);
    if (!r) return;
    this.running.delete(taskId);
    if (!this.tree.has(r.tenant)) return;
    for (const t of this.tree.path(r.tenant)) {
      const a = this.account(t.id, now);
      const x = a?.running.get(taskId);
      if (!a || !x) continue;
      a.running.delete(taskId);
      a.sumMilli -= x.milli;
      a.sumMilliStart -= x.milli * x.start;
      a.settled += Math.max(0, Math.floor(x.milli * (now - x.start)));
    }
  }

  /** milli-device-seconds tenant `id` (subtree) consumed in the current window, running tasks included. */
  spent(id: string, now: number): number {
    const a = this.account(id, now);
    if (!a) return 0;
    return a.settled + Math.max(0, Math.floor(a.sumMilli * now - a.sumMilliStart));
  }

  /** A hold reason when the queue or an ancestor has spent its budget, else null. */
  hold(tenant: string, now: number): string | null {
    if (!this.tree.has(tenant)) return null;
    for (const t of this.tree.path(tenant)) {
      if (!t.budget) continue;
      const cap = Math.round(t.budget.deviceHours * MILLI_DEVICE_SECONDS_PER_HOUR);
      const used = this.spent(t.id, now);
      if (used >= cap) {
        const w = this.windowOf(t.id, now)!;
        return `budget: ${t.id} spent ${(used / MILLI_DEVICE_SECONDS_PER_HOUR).toFixed(3)} of ${t.budget.deviceHours} device-hours in this ${t.budget.windowHours} h window (resets at ${w.start + w.seconds})`;
      }
    }
    return null;
  }
}
