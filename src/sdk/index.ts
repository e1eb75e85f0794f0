// The Agora SDK: what a framework author imports to write a two-level scheduler.
//
//   const driver = await SchedulerDriver.start({ kubeConfig, namespace, name, spec: { role: 'batch' } });
//   for await (const offer of driver.offers()) {
//     const r = await driver.accept(offer, [{ name: 'task-1', resources: { cpu: '1' }, containers: [...] }]);
//     if (!r.ok) console.log(`offer ${r.offer} lost: ${r.reason}`); // Rescinded, Expired, …
//   }
export { SchedulerDriver, type SchedulerEvents, type SchedulerOptions } from './driver.ts';
export { FrameworkClient, leaseName, revocationOf, taskUpdateOf, type FrameworkRef } from './client.ts';
export { isOpen, isAnswered, offerPhase, classifyAnswerFailure, dynamicReservation, isRevocable, unreservedResources } from './offers.ts';
export { pack, copiesThatFit, shortfalls, type Quantities, type Shortfall } from './packing.ts';
export { AsyncQueue } from './queue.ts';
export * from './types.ts';
export { TERMINAL_TASK_STATES, TASK_STATES, type TaskState } from '../api/group.ts';
export { loadKubeConfig, type KubeConfigOptions } from '../api/kubeconfig.ts';
export { REVOCABLE_RESOURCES } from '../api/group.ts';
