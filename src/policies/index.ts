/**
 * Scheduling policies (issue 4): priority classes and queue order, tenants with RBAC quotas,
 * budgets, hierarchical DRF fair share, heterogeneity-aware targets, preemption, gang, time-slice
 * oversubscription semantics, live resize, and their engine plugins. See docs/policies.md.
 */
export * from './resources.js';
export * from './rbac.js';
export * from './tenants.js';
export * from './priority.js';
export * from './budgets.js';
export * from './oversubscription.js';
export * from './snapshot.js';
export * from './preemption.js';
export * from './fairshare.js';
export * from './gavel.js';
export * from './heterogeneity.js';
export * from './gang.js';
export * from './gang-reservation.js';
export * from './resize.js';
export * from './guard.js';
export * from './plugins.js';
