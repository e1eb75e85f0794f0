export * from './group.ts';
export { Framework, Offer, Task, ResourceRole } from './generated/agora.dev/v1alpha1/index.ts';
export type { IFramework, IOffer, ITask, IResourceRole } from './generated/agora.dev/v1alpha1/index.ts';
