/**
 * Topology-aware and cloud–edge scheduling (§9.2a, §9.2e, §9.1c, §6e, §6h, §11.1k):
 * the topology graph and its queries, device sets inside a node, gang placement across nodes,
 * link state events, cloud–edge rules, the engine plugin, and a fabric generator.
 * See docs/topology.md.
 */
export { createTopology, TopologyGraph } from './graph.js';
export type { LinkInfo, PathOptions, PathResult, PlacementRef } from './graph.js';
export { Affinity, AFFINITY_NAMES, BW_UNLIMITED, DEGRADED_BW_DEN, DEGRADED_BW_NUM, DEGRADED_LATENCY_FACTOR, LINK_DEFAULTS, LOSS_WARN, Tier, TIER_NAMES } from './constants.js';
export type { TierValue } from './constants.js';
export { fabricOf, tierBetween } from './fabric.js';
export type { FabricView } from './fabric.js';
export { chooseDeviceSet, deviceMatrix } from './devices.js';
export type { DeviceMatrix, DeviceSetChoice } from './devices.js';
export { GangCandidateSchema, GangMemberSchema, GangRequestSchema, checkCandidates, layoutGangCandidates, placeGangOnTopology, tierOfNodes } from './gang.js';
export type { GangCandidate, GangCandidateInput, GangPlacement, GangRequest, GangRequestInput, MemberPlacement } from './gang.js';
export { LinkPatchSchema, affectedBy, locate, onLinkEvent, replaceAffected, suggestRepair, updateLink } from './links.js';
export type { AffectedGang, LinkEvent, LinkListener, LinkPatch, Replan } from './links.js';
export {
  PlacementRuleSchema, PlacementRulesSchema, RuleLabels, UrgencySchema, decidePlacement, networkLatencyMs, parsePlacementRules,
  placementRulesJsonSchema, ruleMatches, ruleTaskOf,
} from './rules.js';
export type { CandidateVerdict, PlacementRule, PlacementRules, PlacementRulesInput, RuleDecision, RuleTask, SiteCandidate, Urgency } from './rules.js';
export { createTopologyPlugin, placeGang } from './plugin.js';
export type { EngineGang, EngineGangResult, TopologyPlugin, TopologyPluginOptions } from './plugin.js';
export { fabricNodeId, generateFabric, generateFabricTopology } from './generate.js';
export { topologyFromNodes } from './from-nodes.js';
export type { FabricOptions, GeneratedFabric } from './generate.js';
