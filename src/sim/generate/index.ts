/** Cluster and workload generators and JSON Lines I/O for simulation and planning. */
export { generateCluster, type ClusterOptions } from './cluster.js';
export { generateWorkload, workloadStream, offersOf, defaultOffers, DEFAULT_MIX, type WorkloadOptions, type RequestKind, type Offer } from './workload.js';
export { writeJsonLines, writeJsonLinesFd, readLines, readTasks, isJsonLines } from './jsonl.js';
export { DEVICE_MODELS, NODE_SHAPES, type DeviceModel, type NodeShape } from './hardware.js';
