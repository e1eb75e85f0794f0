export * from './group.ts';
export { Framework, Offer, Task, ResourceRole, Maintenance, InverseOffer } from './generated/agora.dev/v1alpha1/index.ts';
export type {
  IFramework,
  IOffer,
  ITask,
  IResourceRole,
  IMaintenance,
  IInverseOffer,
  IReservation,
} from './generated/agora.dev/v1alpha1/index.ts';
export * from './maintenance.ts';
