/** Capacity planning: price catalogue, workload demand, the sizing MILP and the plan loop checked by simulation. */
export { parsePriceCatalog, clusterOf, milliPerDevice, PriceCatalogSchema, NodeTypeSchema, type PriceCatalog, type PriceCatalogInput, type NodeType } from './catalog.js';
export { demandOf, requestKeyOf, DIMS, type Demand, type DemandGroup, type Dims } from './demand.js';
export { sizeCluster, loadGlpk, type SizeOptions, type Sizing } from './milp.js';
export { plan, fmtSeconds, type PlanOptions, type PlanResult, type PlanRound, type PlanCheck } from './plan.js';
