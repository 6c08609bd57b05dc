/** Types of the unified resource model, inferred from the schemas so the two never drift. */
import type { z } from 'zod';
import type * as S from './schema.js';

export type Arch = z.infer<typeof S.ArchSchema>;
export type Form = z.infer<typeof S.FormSchema>;
export type DeviceKind = z.infer<typeof S.DeviceKindSchema>;
export type Health = z.infer<typeof S.HealthSchema>;
export type Precision = z.infer<typeof S.PrecisionSchema>;
export type Interconnect = z.infer<typeof S.InterconnectSchema>;
export type PartitionProfile = z.infer<typeof S.PartitionProfileSchema>;
export type Sharing = z.infer<typeof S.SharingSchema>;
export type Taint = z.infer<typeof S.TaintSchema>;
export type Toleration = z.infer<typeof S.TolerationSchema>;

/** A device after validation (defaults filled). */
export type Device = z.infer<typeof S.DeviceSchema>;
/** A device as a caller may write it (defaults optional). */
export type DeviceInput = z.input<typeof S.DeviceSchema>;
export type Node = z.infer<typeof S.NodeSchema>;
export type NodeInput = z.input<typeof S.NodeSchema>;
export type AccelRequest = z.infer<typeof S.AccelRequestSchema>;
export type Task = z.infer<typeof S.TaskSchema>;
export type TaskInput = z.input<typeof S.TaskSchema>;
export type Cluster = z.infer<typeof S.ClusterSchema>;
export type ClusterInput = z.input<typeof S.ClusterSchema>;
export type TaskList = z.infer<typeof S.TaskListSchema>;
export type TaskListInput = z.input<typeof S.TaskListSchema>;
