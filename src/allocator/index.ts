// The allocator's public interface. Pure: see allocator.ts.
export { Allocator, DEFAULT_MIN_ALLOCATABLE, DEFAULT_SCARCE_RESOURCES, DEFAULT_TASK_SLOT_RESOURCES } from './allocator.ts';
export { DEFAULT_REFUSE_SECONDS } from '../api/group.ts';
export { selectorMismatch } from '../api/selector.ts';
export { DrfSorter } from './sorter.ts';
export type { SorterEntry } from './sorter.ts';
export { GPU_RESOURCES, REVOCABLE_RESOURCES } from './types.ts';
export type * from './types.ts';
export { simulate, parseScenario, ScenarioError } from './simulation.ts';
export type { Scenario, SimulationResult } from './simulation.ts';
export { allocate } from './snapshot.ts';
export type { Snapshot } from './snapshot.ts';
export { fairShares } from './fair-share.ts';
export type { FairShare, RevocationFramework, RevocationNode, RevocationRole, RevocationSnapshot, RunningTask } from './fair-share.ts';
export { planRevocations } from './victims.ts';
export type { RevocationDecision, RevocationOptions, RevocationPlan, RevocationReason } from './victims.ts';
export { whyNoOffers } from './explain-words.ts';
export type { WhyDetail, WhyNoOffers } from './explain-words.ts';
