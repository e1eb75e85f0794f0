// Agora's kinds as the API returns them (to informers, the SDK and the CLI alike): the generated
// models' spec and status with client-node's ObjectMeta, name and namespace always set. Timestamps may arrive as
// strings (watch) or Dates (typed lists): always read them with `new Date(x)`.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { IFramework, IInverseOffer, IMaintenance, IOffer, IReservation, IResourceRole, ITask } from './index.ts';

type Meta = V1ObjectMeta & { name: string; namespace: string };

export type FrameworkObject = Omit<IFramework, 'metadata'> & { metadata: Meta };
export type OfferObject = Omit<IOffer, 'metadata'> & { metadata: Meta };
export type TaskObject = Omit<ITask, 'metadata'> & { metadata: Meta };
export type InverseOfferObject = Omit<IInverseOffer, 'metadata'> & { metadata: Meta };

export type FrameworkStatus = NonNullable<IFramework['status']>;
export type OfferStatus = NonNullable<IOffer['status']>;
export type TaskStatus = NonNullable<ITask['status']>;
export type AcceptedTask = NonNullable<IOffer['spec']['accept']>['tasks'][number];

export function ms(t: Date | string | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  const v = new Date(t).getTime();
  return Number.isNaN(v) ? undefined : v;
}

export type RoleObject = Omit<IResourceRole, 'metadata'> & { metadata: V1ObjectMeta & { name: string } };

export type MaintenanceObject = Omit<IMaintenance, 'metadata'> & { metadata: V1ObjectMeta & { name: string } };

export type ReservationObject = Omit<IReservation, 'metadata'> & { metadata: V1ObjectMeta & { name: string } };
