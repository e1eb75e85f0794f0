// The built-in scheduler, for the controller's manager: startBuiltinScheduler({ kc, log, informers }).
export {
  startBuiltinScheduler,
  BUILTIN_FIELD_MANAGER,
  BuiltinCondition,
  BuiltinConditionReason,
  type BuiltinScheduler,
  type BuiltinSchedulerOptions,
  type Source,
} from './scheduler.ts';
export { decide, progressOf, BuiltinPhase, DeclineReason, type Decision, type Progress } from './decide.ts';
