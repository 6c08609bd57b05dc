/**
 * Device choice on one node (the `chooseDevices` plugin hook): which devices of the node the
 * kernel chose a task may take, and whether a plugin's answer is acceptable. Both read only the
 * columns of that one node, so the cost is O(devices on the node), never O(cluster).
 *
 * `feasibleDevices` repeats the kernel's per-device checks (src/reference/placement.ts
 * `deviceStage`) in the task's own terms: kind, vendor and model allow-lists, precision, health,
 * then the sharing rule (a partition instance free; a whole device with nothing on it; a
 * time-sliced share with a slice, milli and memory free). Call it with the task NOT charged.
 */
import { PlacementLayout as L, type PlacementState } from '../core/placement.js';
import type { Node, Task } from '../model/types.js';
import { PRECISION_BIT, precisionBits, takesWholeDevices } from './encoding.js';
import type { DeviceCandidate } from './plugins.js';

/** Where one node's devices and profiles sit in the columns. */
export interface NodeColumns {
  node: Node;
  devFirst: number;
  /** First profile slot of each device (by index in node.devices). */
  profFirst: readonly number[];
}

/** Every device of `rec` that `task` fits on now, in device order. */
export function feasibleDevices(st: PlacementState, rec: NodeColumns, task: Task): DeviceCandidate[] {
  const a = task.accel;
  const out: DeviceCandidate[] = [];
  if (!a) return out;
  const whole = takesWholeDevices(task);
  const devices = rec.node.devices;
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i];
    if (d.kind !== a.kind) continue;
    if (a.vendors && !a.vendors.includes(d.vendor)) continue;
    if (a.models && !a.models.includes(d.model)) continue;
    if (a.precision && (precisionBits(d) & PRECISION_BIT[a.precision]) === 0) continue;
    const ds = rec.devFirst + i;
    const flags = st.get(L.H_D_FLAGS, ds);
    if ((flags & L.DF_HEALTHY) === 0 || (flags & L.DF_HELD) !== 0) continue;
    const milliFree = st.get(L.H_D_MILLI_FREE, ds);
    const memFree = st.get(L.H_D_MEM_FREE, ds);
    const slicesUsed = st.get(L.H_D_SLICES_USED, ds);
    if (a.profile) {
      if (d.sharing.mode !== 'partition') continue;
      const j = d.sharing.profiles.findIndex((p) => p.name === a.profile);
      if (j < 0) continue;
      const p = rec.profFirst[i] + j;
      const pMem = st.get(L.H_P_MEM, p);
      if (st.get(L.H_P_USED, p) >= st.get(L.H_P_MAX, p) || st.get(L.H_P_MILLI, p) > milliFree || pMem > memFree || a.memoryMiB > pMem) continue;
    } else if (whole) {
      if (slicesUsed !== 0 || milliFree !== st.get(L.H_D_MILLI_CAP, ds) || memFree !== st.get(L.H_D_MEM_CAP, ds) || a.memoryMiB > memFree) continue;
    } else {
      if (d.sharing.mode !== 'time-slice' || slicesUsed >= st.get(L.H_D_SLICES_MAX, ds) || a.milli > milliFree || a.memoryMiB > memFree) continue;
    }
    out.push({ deviceId: d.id, index: i, milliFree, memoryMiBFree: memFree });
  }
  return out;
}

/**
 * Null when `answer` is an acceptable choice — exactly `count` distinct ids, each among
 * `candidates` (each candidate fits on its own, and the devices of one task never share a
 * device, so a set of candidates fits together) — else why not.
 */
export function choiceProblem(answer: unknown, candidates: readonly DeviceCandidate[], count: number): string | null {
  if (!Array.isArray(answer)) return 'must return an array of device ids or null';
  if (answer.length !== count) return `returned ${answer.length} devices; the task takes ${count}`;
  const seen = new Set<string>();
  for (const id of answer) {
    if (typeof id !== 'string') return 'device ids must be strings';
    if (seen.has(id)) return `device "${id}" named twice`;
    seen.add(id);
    if (!candidates.some((c) => c.deviceId === id)) return `device "${id}" is not a candidate (absent, busy or not matching the request)`;
  }
  return null;
}
