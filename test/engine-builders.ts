/**
 * Fluent builders for engine tests: `node('n1').cpu(4000).mem(8192).gpu('g0', { sharing: timeSlice() })`,
 * `task('t1').cpu(1000).gpu({ milli: 500 })`. They build plain NodeInput / TaskInput objects.
 */
import type { DeviceInput, NodeInput, TaskInput } from '../src/model/types.js';

export const timeSlice = (maxSlices = 16, oversubscription = 1000) => ({ mode: 'time-slice' as const, maxSlices, oversubscription });
export const partition = (...profiles: { name: string; milli: number; memoryMiB: number; maxCount: number }[]) => ({ mode: 'partition' as const, profiles });
export const MIG_1G = { name: '1g.10gb', milli: 142, memoryMiB: 10240, maxCount: 7 };

class NodeBuilder {
  private n: NodeInput;
  constructor(id: string) {
    this.n = { id, cpuMilli: 0, memoryMiB: 0, devices: [] };
  }
  cpu(milli: number): this { this.n.cpuMilli = milli; return this; }
  mem(mib: number): this { this.n.memoryMiB = mib; return this; }
  with(fields: Partial<NodeInput>): this { this.n = { ...this.n, ...fields }; return this; }
  device(id: string, kind: DeviceInput['kind'], d: Partial<DeviceInput> = {}): this {
    this.n.devices = [...(this.n.devices ?? []), { id, kind, vendor: 'nvidia', model: 'A100', memoryMiB: 40960, ...d }];
    return this;
  }
  gpu(id: string, d: Partial<DeviceInput> = {}): this { return this.device(id, 'gpu', d); }
  build(): NodeInput { return structuredClone(this.n); }
}

class TaskBuilder {
  private t: TaskInput;
  constructor(id: string) {
    this.t = { id };
  }
  cpu(milli: number): this { this.t.cpuMilli = milli; return this; }
  mem(mib: number): this { this.t.memoryMiB = mib; return this; }
  priority(p: number): this { this.t.priority = p; return this; }
  tenant(t: string): this { this.t.tenant = t; return this; }
  with(fields: Partial<TaskInput>): this { this.t = { ...this.t, ...fields }; return this; }
  gpu(a: Partial<NonNullable<TaskInput['accel']>> = {}): this { this.t.accel = { kind: 'gpu', ...a }; return this; }
  accel(a: NonNullable<TaskInput['accel']>): this { this.t.accel = a; return this; }
  build(): TaskInput { return structuredClone(this.t); }
}

export const node = (id: string) => new NodeBuilder(id);
export const task = (id: string) => new TaskBuilder(id);
