/**
 * The hardware table behind the cluster generator: device models with their sharing modes,
 * partition profiles and approximate public throughput figures, and node shapes (which devices,
 * how many, which CPU/memory, which forms and architectures) with the weights that give a
 * generated cluster its proportions. docs/planning.md explains where the proportions come from.
 *
 * Throughput: dense TFLOPS (float) / TOPS (int8) from vendor data sheets, rounded; they are used
 * only for precision matching, never for timing, so rounding does not matter.
 */
import type { Arch, DeviceKind, Form, PartitionProfile, Precision } from '../../model/index.js';

/** A device model the generator can put on a node. */
export interface DeviceModel {
  kind: DeviceKind;
  vendor: string;
  model: string;
  memoryMiB: number;
  throughput: Partial<Record<Precision, number>>;
  /** How the generator shares it: a weight per mode (picked once per node, so a node is uniform). */
  sharing: { exclusive?: number; timeSlice?: number; partition?: number };
  /** Partition profiles when the model supports hardware partitioning (MIG, vNPU templates). */
  profiles?: PartitionProfile[];
  /** Price of one device per hour (cloud on-demand scale, USD-like units). */
  pricePerHour: number;
}

/**
 * MIG profiles of an 80 GB A100/H100 (NVIDIA MIG user guide, "Supported MIG profiles"): compute
 * share = slices of 7 (142 ≈ 1000/7, rounded down so seven 1g instances fit in 1000), memory in
 * nominal GiB, and the number of instances a GPU can hold of that profile alone.
 */
const MIG_80GB: PartitionProfile[] = [
  { name: '1g.10gb', milli: 142, memoryMiB: 10 * 1024, maxCount: 7 },
  { name: '1g.20gb', milli: 142, memoryMiB: 20 * 1024, maxCount: 4 },
  { name: '2g.20gb', milli: 285, memoryMiB: 20 * 1024, maxCount: 3 },
  { name: '3g.40gb', milli: 428, memoryMiB: 40 * 1024, maxCount: 2 },
  { name: '4g.40gb', milli: 571, memoryMiB: 40 * 1024, maxCount: 1 },
  { name: '7g.80gb', milli: 1000, memoryMiB: 80 * 1024, maxCount: 1 },
];

/**
 * Ascend 910B vNPU templates (Huawei "Ascend virtual instance" docs, 20 AI cores, 64 GB): the
 * share is AI cores / 20.
 */
const VNPU_910B: PartitionProfile[] = [
  { name: 'vir05_1c_16g', milli: 250, memoryMiB: 16 * 1024, maxCount: 4 },
  { name: 'vir10_3c_32g', milli: 500, memoryMiB: 32 * 1024, maxCount: 2 },
];
/** Ascend 310P templates (8 AI cores, 24 GB): vir01 = 1 core, vir02 = 2, vir04 = 4. */
const VNPU_310P: PartitionProfile[] = [
  { name: 'vir01', milli: 125, memoryMiB: 3 * 1024, maxCount: 8 },
  { name: 'vir02', milli: 250, memoryMiB: 6 * 1024, maxCount: 4 },
  { name: 'vir04', milli: 500, memoryMiB: 12 * 1024, maxCount: 2 },
];

/** Every device model the generator knows, by short key. */
export const DEVICE_MODELS = {
  H100: { kind: 'gpu', vendor: 'nvidia', model: 'H100-SXM5-80GB', memoryMiB: 80 * 1024, throughput: { fp32: 67, fp16: 989, bf16: 989, int8: 1979 }, sharing: { exclusive: 6, partition: 4 }, profiles: MIG_80GB, pricePerHour: 4.0 },
  A100: { kind: 'gpu', vendor: 'nvidia', model: 'A100-SXM4-80GB', memoryMiB: 80 * 1024, throughput: { fp32: 19.5, fp16: 312, bf16: 312, int8: 624 }, sharing: { exclusive: 4, partition: 4, timeSlice: 2 }, profiles: MIG_80GB, pricePerHour: 2.5 },
  L40S: { kind: 'gpu', vendor: 'nvidia', model: 'L40S', memoryMiB: 48 * 1024, throughput: { fp32: 91.6, fp16: 362, bf16: 362, int8: 733 }, sharing: { exclusive: 4, timeSlice: 6 }, pricePerHour: 1.5 },
  T4: { kind: 'gpu', vendor: 'nvidia', model: 'T4', memoryMiB: 16 * 1024, throughput: { fp32: 8.1, fp16: 65, int8: 130 }, sharing: { exclusive: 2, timeSlice: 8 }, pricePerHour: 0.35 },
  DCU: { kind: 'gpu', vendor: 'hygon', model: 'DCU-K100', memoryMiB: 64 * 1024, throughput: { fp32: 24.5, fp16: 196, bf16: 196, int8: 392 }, sharing: { exclusive: 5, timeSlice: 5 }, pricePerHour: 1.2 },
  MLU370: { kind: 'gpu', vendor: 'cambricon', model: 'MLU370-X8', memoryMiB: 48 * 1024, throughput: { fp32: 24, fp16: 96, bf16: 96, int8: 256 }, sharing: { exclusive: 5, timeSlice: 5 }, pricePerHour: 0.9 },
  BIV150: { kind: 'gpu', vendor: 'iluvatar', model: 'BI-V150', memoryMiB: 64 * 1024, throughput: { fp32: 24, fp16: 192, bf16: 192, int8: 384 }, sharing: { exclusive: 5, timeSlice: 5 }, pricePerHour: 0.8 },
  C500: { kind: 'gpu', vendor: 'metax', model: 'C500', memoryMiB: 64 * 1024, throughput: { fp32: 36, fp16: 280, bf16: 280, int8: 560 }, sharing: { exclusive: 5, timeSlice: 5 }, pricePerHour: 1.8 },
  A910B: { kind: 'npu', vendor: 'huawei', model: 'Ascend910B', memoryMiB: 64 * 1024, throughput: { fp16: 313, bf16: 313, int8: 626 }, sharing: { exclusive: 6, partition: 4 }, profiles: VNPU_910B, pricePerHour: 2.0 },
  A310P: { kind: 'npu', vendor: 'huawei', model: 'Ascend310P', memoryMiB: 24 * 1024, throughput: { fp16: 70, int8: 140 }, sharing: { exclusive: 4, partition: 6 }, profiles: VNPU_310P, pricePerHour: 0.3 },
  U250: { kind: 'fpga', vendor: 'xilinx', model: 'Alveo-U250', memoryMiB: 64 * 1024, throughput: { int8: 33 }, sharing: { exclusive: 1 }, pricePerHour: 1.65 },
  AGILEX: { kind: 'fpga', vendor: 'intel', model: 'Agilex-7', memoryMiB: 32 * 1024, throughput: { int8: 38 }, sharing: { exclusive: 1 }, pricePerHour: 1.4 },
  BM1684X: { kind: 'asic', vendor: 'sophgo', model: 'BM1684X', memoryMiB: 16 * 1024, throughput: { fp16: 16, int8: 32 }, sharing: { exclusive: 1 }, pricePerHour: 0.4 },
  R200: { kind: 'asic', vendor: 'kunlunxin', model: 'R200', memoryMiB: 32 * 1024, throughput: { fp16: 128, int8: 256 }, sharing: { exclusive: 1 }, pricePerHour: 0.9 },
} satisfies Record<string, DeviceModel>;

/** Short key of a device model in DEVICE_MODELS. */
export type DeviceModelKey = keyof typeof DEVICE_MODELS;

/** A node shape: what one generated node of this kind carries. */
export interface NodeShape {
  name: string;
  /** Share of all nodes (weights, renormalised over the shapes in use). */
  weight: number;
  cpuCores: readonly number[];
  memoryGiB: readonly number[];
  arch: Partial<Record<Arch, number>>;
  form: Partial<Record<Form, number>>;
  device?: DeviceModelKey;
  deviceCount?: readonly number[];
}

/**
 * Default node shapes and weights. CPU-only nodes dominate by count (≈ 48%), as in the Alibaba
 * GPU cluster behind openb where 1,213 of 1,523 nodes carry GPUs only because the trace keeps GPU
 * nodes; whole-fleet inventories (e.g. the Alibaba 2020 PAI fleet and public cloud offerings)
 * run around half CPU-only. Among accelerator nodes NVIDIA holds about 60%, domestic GPUs and
 * Ascend NPUs about 30% (the share of Chinese intelligent-computing centres), FPGA/ASIC the rest.
 */
export const NODE_SHAPES: readonly NodeShape[] = [
  { name: 'cpu-x86', weight: 34, cpuCores: [32, 64, 96, 128], memoryGiB: [128, 256, 512], arch: { x86_64: 1 }, form: { hardware: 6, cloud: 4 } },
  { name: 'cpu-arm', weight: 9, cpuCores: [64, 96, 128], memoryGiB: [128, 256], arch: { aarch64: 1 }, form: { hardware: 5, cloud: 5 } },
  { name: 'cpu-riscv', weight: 1, cpuCores: [16, 64], memoryGiB: [32, 128], arch: { riscv64: 1 }, form: { hardware: 3, edge: 7 } },
  { name: 'edge-arm', weight: 4, cpuCores: [8, 12], memoryGiB: [16, 32], arch: { aarch64: 1 }, form: { edge: 1 } },
  { name: 'gpu-h100', weight: 5, cpuCores: [192], memoryGiB: [2048], arch: { x86_64: 1 }, form: { hardware: 5, cloud: 5 }, device: 'H100', deviceCount: [8] },
  { name: 'gpu-a100', weight: 9, cpuCores: [96, 128], memoryGiB: [1024, 2048], arch: { x86_64: 1 }, form: { hardware: 6, cloud: 4 }, device: 'A100', deviceCount: [8, 4] },
  { name: 'gpu-l40s', weight: 6, cpuCores: [64, 96], memoryGiB: [512, 768], arch: { x86_64: 1 }, form: { hardware: 4, cloud: 6 }, device: 'L40S', deviceCount: [4, 8] },
  { name: 'gpu-t4', weight: 8, cpuCores: [32, 64], memoryGiB: [128, 256], arch: { x86_64: 1 }, form: { hardware: 3, cloud: 5, edge: 2 }, device: 'T4', deviceCount: [1, 2, 4] },
  { name: 'gpu-dcu', weight: 3, cpuCores: [64, 128], memoryGiB: [512, 1024], arch: { x86_64: 1 }, form: { hardware: 8, cloud: 2 }, device: 'DCU', deviceCount: [8] },
  { name: 'gpu-mlu', weight: 2, cpuCores: [64, 96], memoryGiB: [512], arch: { x86_64: 1 }, form: { hardware: 1 }, device: 'MLU370', deviceCount: [4, 8] },
  { name: 'gpu-iluvatar', weight: 1.5, cpuCores: [64], memoryGiB: [512], arch: { x86_64: 1 }, form: { hardware: 1 }, device: 'BIV150', deviceCount: [8] },
  { name: 'gpu-metax', weight: 1.5, cpuCores: [96], memoryGiB: [1024], arch: { x86_64: 1 }, form: { hardware: 1 }, device: 'C500', deviceCount: [8] },
  { name: 'npu-910b', weight: 6, cpuCores: [192], memoryGiB: [1536], arch: { aarch64: 1 }, form: { hardware: 7, cloud: 3 }, device: 'A910B', deviceCount: [8] },
  { name: 'npu-310p', weight: 3, cpuCores: [16, 32], memoryGiB: [64, 128], arch: { aarch64: 1 }, form: { edge: 6, hardware: 4 }, device: 'A310P', deviceCount: [1, 2, 4] },
  { name: 'fpga-u250', weight: 1.5, cpuCores: [32], memoryGiB: [256], arch: { x86_64: 1 }, form: { cloud: 7, hardware: 3 }, device: 'U250', deviceCount: [1, 2, 8] },
  { name: 'fpga-agilex', weight: 0.5, cpuCores: [32], memoryGiB: [128], arch: { x86_64: 1 }, form: { hardware: 1 }, device: 'AGILEX', deviceCount: [1, 2] },
  { name: 'asic-bm1684x', weight: 2, cpuCores: [8, 16], memoryGiB: [16, 32], arch: { aarch64: 1 }, form: { edge: 1 }, device: 'BM1684X', deviceCount: [1, 2] },
  { name: 'asic-r200', weight: 2, cpuCores: [64], memoryGiB: [256], arch: { x86_64: 1 }, form: { hardware: 5, cloud: 5 }, device: 'R200', deviceCount: [4, 8] },
];

/** Price of one node per hour: vCPU and memory at cloud list-price scale plus its devices. */
export const PRICE_PER_CORE_HOUR = 0.04;
/** Price of one GiB of node memory per hour. */
export const PRICE_PER_GIB_HOUR = 0.005;
/**
 * Form multipliers on the price: owned hardware is amortised capex (≈ 0.6 × on-demand over a
 * 3-year life), edge boxes carry site costs (0.8), cloud is on-demand list price.
 */
export const FORM_PRICE_FACTOR: Record<Form, number> = { hardware: 0.6, cloud: 1.0, edge: 0.8 };
