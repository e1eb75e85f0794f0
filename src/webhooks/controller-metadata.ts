// Metadata of the objects the controller makes (Offers, Tasks, InverseOffers) that only it may change: owner
// references (garbage collection), finalizers (a finalizer nobody removes keeps history forever)
// and Agora's own labels and annotations (how Pod, Task, Offer and Framework find each other).
import { GROUP, LABEL } from '../api/index.ts';
import { child, forbidden, isRecord, jsonEqual, type FieldError } from './field-errors.ts';

const AGORA_PREFIX = `${GROUP}/`;
const isAgoraKey = (key: string): boolean => key.startsWith(AGORA_PREFIX) || key === LABEL.managedBy;

type Obj = Record<string, unknown>;
const metaOf = (o: unknown): Obj => (isRecord(o) && isRecord(o.metadata) ? o.metadata : {});
const mapOf = (v: unknown): Obj => (isRecord(v) ? v : {});

/** What a non-controller update changes among the controller's metadata of an Offer or a Task. */
export function controllerMetadataErrors(
  kind: 'Offer' | 'Task' | 'InverseOffer',
  old: unknown,
  obj: unknown,
  username: string,
): FieldError[] {
  const before = metaOf(old);
  const after = metaOf(obj);
  const errors: FieldError[] = [];
  const deny = (path: string, what: string) =>
    errors.push(
      forbidden(
        path,
        `user "${username}" may not change ${what} of ${kind === 'Task' ? 'a Task' : `an ${kind}`}: only the Agora controller may`,
      ),
    );
  for (const field of ['ownerReferences', 'finalizers'] as const) {
    if (!jsonEqual(before[field] ?? [], after[field] ?? [])) deny(child('metadata', field), `metadata.${field}`);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const b = mapOf(before[field]);
    const a = mapOf(after[field]);
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(isAgoraKey).sort();
    for (const key of keys) if (b[key] !== a[key]) deny(child(child('metadata', field), key), `Agora's ${field.slice(0, -1)} ${key}`);
  }
  return errors;
}
