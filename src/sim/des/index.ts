/** Discrete-event simulator over the engine API. */
export { simulate, type SimulationOptions, type SimulationResult, type ScheduledEvent, type FailureRates, type HotplugRates, type UtilSample } from './simulate.js';
export { EventQueue, EventKind } from './event-queue.js';
export { waitStats, percentileSorted, type WaitStats } from './stats.js';
export type { SimEngine, SimBinding, SimDisplaced, SimUnschedulable } from './engine-port.js';
