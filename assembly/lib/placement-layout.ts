/**
 * Memory layout of the placement kernel, shared verbatim by the AssemblyScript kernel
 * (`assembly/placement.ts`), its TypeScript twin (`src/reference/placement.ts`) and the binding
 * (`src/core/placement.ts`). Written in the common subset of TypeScript and AssemblyScript:
 * integer constants only (AssemblyScript infers `i32`).
 *
 * ```
 * linear memory (all values Int32, little endian, byte offsets 16-aligned)
 * ┌──────────────┐ hdr = heapBase()        HEADER_WORDS words: H_* below
 * │ header       │   H_NODE_HWM, H_POLICY, H_SEED, one byte offset per column, H_SAMPLE, H_START,
 * │              │   H_IDX_* / H_DIRTY_* (the free-capacity index)
 * ├──────────────┤
 * │ node columns │ N_* : one Int32 per node slot   (nodeCap slots)
 * │ dev columns  │ D_* : one Int32 per device slot (devCap slots; a node's devices are contiguous)
 * │ prof columns │ P_* : one Int32 per partition-profile slot (a device's profiles are contiguous)
 * │ node masks   │ MASK_SLOTS bitsets of maskWords words (bit n = node slot n allowed)
 * │ id sets      │ SET_SLOTS bitsets of SET_WORDS words (bit i = interned vendor/model id i)
 * │ tasks        │ TASK_STRIDE words per task (scratch for place, batch table for placeBatch)
 * │ results      │ RES_STRIDE words per task
 * │ index        │ 2·H_IDX_LEAVES records of IX_STRIDE words (1 = root, 2v/2v+1 children, 0 = scratch)
 * │ dirty leaves │ H_IDX_LEAVES words (list) + ceil(H_IDX_LEAVES/32) words (bitset)
 * │ leaf order   │ IDX_BLOCK·H_IDX_LEAVES words each: position → node slot, node slot → position,
 * │              │ then 3 such arrays and 256 words of scratch for the sort that fills them
 * │ fit summary  │ 4 · IDX_BLOCK·H_IDX_LEAVES words by node slot (H_IDX_FIT)
 * │ node groups  │ IDX_BLOCK·H_IDX_LEAVES words by node slot (H_IDX_GROUP)
 * │ mask groups  │ MASK_SLOTS · GROUP_WORDS words (H_MASK_GROUPS)
 * │ tie hashes   │ IDX_BLOCK·H_IDX_LEAVES words by node slot (H_TIE)
 * └──────────────┘
 * ```
 */

// ── header word indices ─────────────────────────────────────────────────────────────────────
/** Node slots in use are 0 .. H_NODE_HWM-1 (high-water mark; free slots inside have no PRESENT flag). */
export const H_NODE_HWM = 0;
/** Built-in scorer id: POLICY_BINPACK or POLICY_SPREAD. */
export const H_POLICY = 1;
/** Seed of the tie-break hash. */
export const H_SEED = 2;
export const H_N_CPU_FREE = 3;
export const H_N_CPU_CAP = 4;
export const H_N_MEM_FREE = 5;
export const H_N_MEM_CAP = 6;
export const H_N_FLAGS = 7;
export const H_N_DEV_FIRST = 8;
export const H_N_DEV_COUNT = 9;
export const H_N_DMILLI_FREE = 10;
export const H_N_DMILLI_CAP = 11;
export const H_D_KIND = 12;
export const H_D_VENDOR = 13;
export const H_D_MODEL = 14;
export const H_D_PREC = 15;
export const H_D_MODE = 16;
export const H_D_MILLI_FREE = 17;
export const H_D_MILLI_CAP = 18;
export const H_D_MEM_FREE = 19;
export const H_D_MEM_CAP = 20;
export const H_D_SLICES_USED = 21;
export const H_D_SLICES_MAX = 22;
export const H_D_FLAGS = 23;
export const H_D_PROF_FIRST = 24;
export const H_D_PROF_COUNT = 25;
export const H_D_NODE = 26;
export const H_P_NAME = 27;
export const H_P_MILLI = 28;
export const H_P_MEM = 29;
export const H_P_MAX = 30;
export const H_P_USED = 31;
/**
 * Score at most this many fitting nodes per decision, scanning round-robin from H_START
 * (Kubernetes' percentageOfNodesToScore / nextStartNodeIndex); 0 = score every fitting node.
 */
export const H_SAMPLE = 32;
/** Node slot where the next sampled scan starts (advanced by place when H_SAMPLE > 0). */
export const H_START = 33;
/** 1 = exact decisions (H_SAMPLE = 0) search the free-capacity index instead of scanning every node. */
export const H_IDX_ON = 34;
/** 1 = the index must be rebuilt from the columns before its next use (layout, seed or bulk change). */
export const H_IDX_STALE = 35;
/** Byte offset of the index tree: 2 * H_IDX_LEAVES records of IX_STRIDE words (record 1 = root); 0 = no index. */
export const H_IDX_TREE = 36;
/**
 * Leaves of the index tree (a power of two); leaf L covers positions L*IDX_BLOCK .. L*IDX_BLOCK+IDX_BLOCK-1
 * of the leaf order (H_IDX_ORDER), which holds node slots grouped by shape.
 */
export const H_IDX_LEAVES = 37;
/** Byte offset of the dirty-leaf list (H_IDX_LEAVES words): leaves whose nodes changed since the last use. */
export const H_DIRTY_LIST = 38;
/** Entries in the dirty-leaf list. */
export const H_DIRTY_N = 39;
/** Byte offset of the dirty-leaf bitset (one bit per leaf: already listed). */
export const H_DIRTY_BITS = 40;
/** Diagnostics: index records visited by the last indexed decision (0 after a scan). */
export const H_IDX_VISITS = 41;
/** Byte offset of node mask 0; masks follow each other every H_MASK_WORDS words. */
export const H_MASK_BASE = 42;
/** Words per node mask (ceil(node capacity / 32)). */
export const H_MASK_WORDS = 43;
/** Byte offset of MASK_SLOTS words: the number of bits set in each node mask (written with the mask). */
export const H_MASK_POP = 44;
/**
 * Byte offset of the leaf order: IDX_BLOCK·H_IDX_LEAVES words, position p → node slot (a
 * permutation of the slots 0 .. IDX_BLOCK·H_IDX_LEAVES − 1). A full rebuild of the index sorts the
 * present slots by shape (device kind and model, CPU and memory capacity, then group: shapeKey), so one leaf
 * and one subtree hold nodes of one shape and their bounds are tight; absent slots follow in slot
 * order. Between rebuilds a slot keeps its position (a node added later lands where its slot was).
 */
export const H_IDX_ORDER = 45;
/** Byte offset of the inverse: node slot → position (same length as H_IDX_ORDER). */
export const H_IDX_POS = 46;
/** Byte offset of the sort's scratch: 3 · IDX_BLOCK·H_IDX_LEAVES + 256 words. */
export const H_IDX_SCRATCH = 47;
/** Node high-water mark at the last sort: a rebuild (and re-sort) follows once it grew by a quarter. */
export const H_IDX_SORTED = 48;
/**
 * Byte offset of the per-node fit summary, 4 arrays of IDX_BLOCK·H_IDX_LEAVES words by node slot,
 * written when the node's leaf is recomputed: the most milli free on one healthy, unheld
 * time-sliced device with a free slice (IX_NONE: none), the most memory free on such a device,
 * the number of fully free healthy unheld devices, and the bit set of profile name classes (name
 * mod 32) with a free instance its device can hold. A search checks a node in detail only when
 * these can serve the task (necessary conditions: they never reject a node that fits).
 */
export const H_IDX_FIT = 49;
/**
 * Byte offset of the node groups: one word per node slot (IDX_BLOCK·H_IDX_LEAVES words), 0 ..
 * IDX_GROUPS − 1, set by the binding (the engine groups nodes by architecture, form and site). The
 * leaf order sorts each shape's nodes by group, so the nodes a site, architecture or form
 * constraint allows lie in few subtrees of each shape; records keep their range of groups
 * (IX_GNEG, IX_GMAX). (Group first would cost unconstrained tasks more than it saves: measured.)
 */
export const H_IDX_GROUP = 50;
/**
 * Byte offset of MASK_SLOTS · GROUP_WORDS words: per node mask, the set of groups with at least one
 * allowed node (written with the mask). A search prunes a record none of whose groups is in it.
 */
export const H_MASK_GROUPS = 51;
/**
 * Byte offset of the tie hashes by node slot (IDX_BLOCK·H_IDX_LEAVES words): tieHash(H_TIE_SEED,
 * slot) for slots below H_TIE_FILLED, filled by the full scan when it needs more or the seed
 * changed (a scan over a run of tied nodes compares hashes eight at a time: loads, not hashing).
 */
export const H_TIE = 52;
export const H_TIE_SEED = 53;
export const H_TIE_FILLED = 54;
/** Number of header words (the header occupies HEADER_WORDS * 4 bytes). */
export const HEADER_WORDS = 56;
/** Node constraint masks kept at once (a cache of distinct constraint signatures). */
export const MASK_SLOTS = 256;
/** Node groups (H_IDX_GROUP) and the words of a group set (H_MASK_GROUPS). */
export const IDX_GROUPS = 256;
export const GROUP_WORDS = 8;
/** First and last header index that holds a column offset. */
export const H_FIRST_COLUMN = 3;
export const H_LAST_COLUMN = 31;

// ── flags ───────────────────────────────────────────────────────────────────────────────────
export const NF_HEALTHY = 1;
export const NF_SCHEDULABLE = 2;
export const NF_PRESENT = 4;
export const DF_HEALTHY = 1;
/** A whole-device or exclusive task holds the device: nothing else may share it. */
export const DF_HELD = 2;

// ── device sharing modes (D_MODE) ───────────────────────────────────────────────────────────
export const MODE_EXCLUSIVE = 0;
export const MODE_TIME_SLICE = 1;
export const MODE_PARTITION = 2;

// ── policies (H_POLICY) ─────────────────────────────────────────────────────────────────────
export const POLICY_BINPACK = 0;
export const POLICY_SPREAD = 1;

// ── bitsets ─────────────────────────────────────────────────────────────────────────────────
/** Words of one vendor/model id set: ids 0 .. SET_WORDS*32-1 can be named in an allow-list. */
export const SET_WORDS = 128;
export const SET_BITS = 4096;

// ── task record (TASK_STRIDE words) ─────────────────────────────────────────────────────────
export const T_CPU = 0;
export const T_MEM = 1;
/** Interned device kind, or -1 for a task without accelerators. */
export const T_KIND = 2;
export const T_COUNT = 3;
export const T_MILLI = 4;
export const T_DMEM = 5;
/** Bit mask of one required precision (0 = none). */
export const T_PREC = 6;
export const T_FLAGS = 7;
/** Interned partition profile name, or -1. */
export const T_PROFILE = 8;
/** Byte offset of the vendor allow-set bitset, 0 = any vendor. */
export const T_VENDORS = 9;
/** Byte offset of the model allow-set bitset, 0 = any model. */
export const T_MODELS = 10;
/** Byte offset of the node constraint bitset, 0 = every node. */
export const T_NODEMASK = 11;
export const TASK_STRIDE = 12;
/** T_FLAGS: takes whole devices (milli 1000 or exclusive) that must be fully free. */
export const TF_WHOLE = 1;

// ── result record (RES_STRIDE words) ────────────────────────────────────────────────────────
export const R_STATUS = 0;
export const R_NODE = 1;
export const R_NDEV = 2;
/** Profile slot used (profile tasks) or -1. */
export const R_PROF = 3;
/** Number of present nodes considered (written by explain). */
export const R_TOTAL = 4;
/** R_DEVS .. R_DEVS+MAX_DEVICES-1: chosen device slots. */
export const R_DEVS = 5;
export const MAX_DEVICES = 64;
/** R_REASONS .. R_REASONS+NUM_REASONS-1: nodes per first failing reason (written on failure). */
export const R_REASONS = 69;
export const RES_STRIDE = 88;

/** place/placeBatch status codes (R_STATUS). */
export const ST_UNSCHEDULABLE = 0;
export const ST_BOUND = 1;

// ── reasons: the first check a node fails (index into R_REASONS) ─────────────────────────────
export const RS_NODE_UNHEALTHY = 0;
export const RS_NODE_DRAINED = 1;
export const RS_NODE_CONSTRAINT = 2;
export const RS_CPU = 3;
export const RS_MEMORY = 4;
/** RS_DEVICE + device stage (DS_*) for the stage the node's best device reached. */
export const RS_DEVICE = 5;
/** Some devices fit, but fewer than the task's count. */
export const RS_DEVICE_COUNT = 15;
export const NUM_REASONS = 16;

// ── device stages: how far a device gets through the device checks (higher = closer to fit) ──
export const DS_KIND = 0;
export const DS_VENDOR = 1;
export const DS_MODEL = 2;
export const DS_PRECISION = 3;
export const DS_UNHEALTHY = 4;
export const DS_MODE = 5;
export const DS_HELD = 6;
export const DS_SLICES = 7;
export const DS_MILLI = 8;
export const DS_MEMORY = 9;
export const DS_FIT = 10;

// ── free-capacity index (H_IDX_*) ────────────────────────────────────────────────────────────
/** Node slots per index leaf (a leaf is searched node by node, like the scan). */
export const IDX_BLOCK = 8;
/** log2(IDX_BLOCK). */
export const IDX_BLOCK_SHIFT = 3;
/**
 * Every index field is a maximum over the eligible (present, healthy, schedulable) nodes below a
 * record, so a parent is the element-wise max of its two children. IX_NONE = no such node.
 */
export const IX_NONE = -2147483647;
/** Max free CPU (milli) and memory (MiB) (IX_CPU .. IX_SUMW: over the loaded nodes; IXE_*: the empty ones). */
export const IX_CPU = 0;
export const IX_MEM = 1;
/** Max milli free on one healthy, unheld time-sliced device with a free slice (fractional fit). */
export const IX_FRAC = 2;
/** Max count of fully free healthy devices on one node (whole-device fit). */
export const IX_WHOLE = 3;
/** 0x7fffffff - (tieHash >>> 1), max = the smallest tie hash / 2 below the record. */
export const IX_HASH = 4;
/** 1 when some node has capacity 0 in dimension 0 cpu / 1 memory / 2 device (with devices): no score bound. */
export const IX_ODD = 5;
/** -(smallest capacity > 0) per dimension (cpu, memory, device milli of nodes with devices). */
export const IX_NCAP = 8;
/** Largest capacity per dimension. */
export const IX_XCAP = 11;
/** Spread: max ceil(free * IDX_SCALE / cap) per dimension. */
export const IX_FREE = 14;
/** −(smallest) and largest node group (H_IDX_GROUP) of an eligible node, loaded or empty. */
export const IX_GNEG = 17;
export const IX_GMAX = 18;
/**
 * Binpack, summed ratios: over the loaded nodes with every capacity > 0, sum2 = ceilRatio(cpu used,
 * cpu cap) + ceilRatio(memory used, memory cap) and, for nodes with devices, sum3 = sum2 +
 * ceilRatio(device milli used, device milli cap), where ceilRatio(x, cap) = ceil(x · IDX_SCALE / cap).
 * IX_SUMC + k = max sum2 over nodes with bucketKey(free cpu) ≥ k (tasks without accelerators);
 * IX_SUMF + k = max sum3 over nodes with bucketKey(largest fractional device milli free) ≥ k;
 * IX_SUMW + k = max sum3 over nodes with min(bitlen(fully free devices), 7) ≥ k (whole devices);
 * IX_SUMM + k = max sum2 over nodes with bucketKey(free memory) ≥ k: a task without accelerators
 * is bounded by the smaller of its CPU and its memory bucket (each covers every node that fits),
 * so nodes whose memory ran out stop inflating the bound. Keys are clamped to IDX_BUCKETS − 1.
 * bucketKey(x) = 2 · bitlen(x) − 2 + (second highest bit of x) (half octaves; 0 → 0, 1 → 1) is
 * monotone, so every node that can fit a request r is counted in bucket bucketKey(r). One maximum
 * of the summed ratios bounds the whole score: a sum of per-dimension maxima (which may come from
 * different nodes) is looser.
 */
export const IX_SUMC = 20;
/** Buckets of IX_SUMC, IX_SUMF and IX_SUMM (half octaves: 2^20 milli-cores / MiB and more share the last). */
export const IDX_BUCKETS = 40;
export const IX_SUMF = 60;
export const IX_SUMW = 100;
export const IDX_WHOLE_BUCKETS = 8;
export const IX_SUMM = 108;
/**
 * Empty nodes (all CPU, memory and device milli free) are kept apart from the fields above, which
 * cover only the loaded nodes: an empty node's score depends on its capacities alone, so their
 * bound is exact for one shape, and the many empty nodes tied at it are settled by their own
 * smallest tie hash. IXE_CPU, IXE_MEM, IXE_FRAC, IXE_WHOLE, IXE_HASH mean what IX_* mean, over
 * the empty nodes; IXE_NCAP / IXE_XCAP: -(smallest) / largest capacity per dimension.
 */
export const IXE_CPU = 148;
export const IXE_MEM = 149;
export const IXE_FRAC = 150;
export const IXE_WHOLE = 151;
export const IXE_HASH = 152;
export const IXE_NCAP = 153;
export const IXE_XCAP = 156;
/**
 * Per device kind (interned kinds 0 .. IDX_KINDS-1: gpu, npu, fpga, asic), a block of IXK_STRIDE
 * words from IX_KIND + kind · IXK_STRIDE, over the eligible nodes that carry at least one device
 * of that kind. On a heterogeneous cluster the kind-agnostic fields above mix every kind (an NPU
 * task would descend wherever a GPU is free, and be bounded by the most loaded node of any kind);
 * these let a task of kind k prune every record whose kind-k devices cannot fit it, and bound
 * the binpack score by the nodes of its kind alone. Device kinds outside 0 .. IDX_KINDS-1 are not
 * counted here (a task of such a kind uses the kind-agnostic fields). Memory: IDX_CLASS_BLOCKS ·
 * IXK_STRIDE = 624 words per record; with the 160 words above, IX_STRIDE · 4 B · 2 records per
 * 8 node slots = 784 B per node slot of capacity (12.8 MB at 10,000 nodes: 16,384 slots).
 * IXK_FRAC / IXK_WHOLE: as IX_FRAC / IX_WHOLE, counting kind-k devices only (loaded nodes);
 * IXK_ANY: 1 when some loaded node carries kind k. IXK_E*: the same over the empty nodes.
 * IXK_NCAP / IXK_ENCAP: -(smallest capacity > 0) per dimension (cpu, memory, node device milli)
 * over the loaded / empty nodes carrying kind k.
 * IXK_SUMF + b: as IX_SUMF with the key bucketKey(kind-k fractional milli free) clamped to
 * IDX_KIND_BUCKETS − 1 (a clamped key is still monotone); IXK_SUMW + b: as IX_SUMW with the
 * kind-k fully free device count.
 */
export const IX_KIND = 160;
export const IDX_KINDS = 4;
/**
 * Model classes: blocks IDX_KINDS .. IDX_KINDS + IDX_MODEL_CLASSES − 1 have the layout of a kind
 * block, over the devices whose interned model id ≡ c (mod IDX_MODEL_CLASSES) (any kind). A task
 * whose model allow-list falls in one class (a pinned model: ids are interned in order, so the
 * first IDX_MODEL_CLASSES models each have a class of their own) is bounded by that block.
 */
export const IDX_MODEL_CLASSES = 8;
/** Blocks per record: IDX_KINDS kind blocks, then IDX_MODEL_CLASSES model-class blocks. */
export const IDX_CLASS_BLOCKS = 12;
export const IXK_STRIDE = 52;
export const IXK_FRAC = 0;
export const IXK_WHOLE = 1;
export const IXK_ANY = 2;
export const IXK_EFRAC = 3;
export const IXK_EWHOLE = 4;
export const IXK_EANY = 5;
export const IXK_NCAP = 6;
export const IXK_ENCAP = 9;
export const IXK_SUMF = 12;
export const IDX_KIND_BUCKETS = 24;
export const IXK_SUMW = 36;
/**
 * IXK_SUMP + c: partition profiles. Over the loaded nodes with a device of the block offering a
 * profile whose interned name ≡ c (mod IDX_PROF_CLASSES) with a free instance that its milli and
 * memory free can hold (deviceStage's partition checks but the task's own memory), the summed used
 * ratios as IXK_SUMF (0 for a node with a capacity 0: such a record is bounded by IX_ODD first).
 * IX_NONE = no loaded node of the block can take a profile of that class.
 */
export const IXK_SUMP = 44;
export const IDX_PROF_CLASSES = 8;
/** Words per index record (a multiple of 4: records are combined with i32x4.max_s). */
export const IX_STRIDE = 784;
/** Fixed-point scale of the ratios above. */
export const IDX_SCALE = 65536;
/** 100 · IDX_SCALE: a dimension score of 100 in fixed point. */
export const IDX_FULL = 6553600;
