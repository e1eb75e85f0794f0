// Is this a Pod the API server will store? Checked against the generated Pod model of
// @kubernetes/client-node (generated from the OpenAPI of the Kubernetes minor the project runs
// and tests against): every field a known one, of its type (a list where a list belongs, whole
// numbers in range), plus size limits and the label/annotation syntax the API server enforces.
// The walk follows the model, which is not recursive, so its depth is bounded by the model's —
// a value nested 10,000 levels deep is rejected where its first unknown or mistyped field is.
import * as k8s from '@kubernetes/client-node';
import { child, DNS_SUBDOMAIN, invalid, isRecord, type FieldError } from './field-errors.ts';

export const POD_LIMITS = {
  /** A task's Pod as JSON; the same bytes are stored three times (Offer, Task, Pod). */
  maxPodBytes: 64 * 1024,
  /** The longest valid image reference is a 255-character name, a 128-character tag and a digest. */
  maxImageLength: 512,
  /** Any other string field. */
  maxStringLength: 16 * 1024,
  /** Any list or map. */
  maxItems: 256,
  /** Errors reported before the walk stops. */
  maxErrors: 10,
} as const;

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
type Fields = ReadonlyMap<string, Attribute>;

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;
const fieldCache = new Map<string, Fields | undefined>();

/** The fields of a generated model class (`V1Container`), by their JSON name; undefined for a non-model type. */
function modelFields(type: string): Fields | undefined {
  if (fieldCache.has(type)) return fieldCache.get(type);
  const attrs = models[type]?.getAttributeTypeMap?.();
  const fields = attrs === undefined ? undefined : new Map(attrs.map((a) => [a.baseName, a]));
  fieldCache.set(type, fields);
  return fields;
}

const LIST = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${preview(v)}`;
const preview = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const article = (type: string): string => {
  if (LIST.test(type)) return 'a list';
  if (MAP.test(type)) return 'a map';
  if (type === 'IntOrString') return 'a whole number or a string';
  if (type === 'number') return 'a number';
  if (type === 'boolean') return 'true or false';
  if (type === 'string' || type === 'Date') return 'a string';
  return `an object (${type.replace(/^V1/, '')})`;
};

interface Visit {
  value: unknown;
  type: string;
  format: string;
  path: string;
  key: string;
}

/** Type, field-name and size errors of `pod` against the Pod model, with paths from the Pod's root. */
export function podSchemaErrors(pod: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Visit[] = [{ value: pod, type: 'V1Pod', format: '', path: '', key: '' }];
  while (stack.length > 0 && errors.length < POD_LIMITS.maxErrors) {
    const { value, type, format, path, key } = stack.pop()!;
    if (value === null || value === undefined) continue; // null is "unset" to the API server
    const wrong = () => errors.push(invalid(path, `must be ${article(type)}, got ${describe(value)}`));
    const list = LIST.exec(type);
    const map = MAP.exec(type);
    if (list || map) {
      const ok = list ? Array.isArray(value) : isRecord(value);
      if (!ok) {
        wrong();
        continue;
      }
      const entries = Object.entries(value as object);
      if (entries.length > POD_LIMITS.maxItems) {
        errors.push(invalid(path, `has ${entries.length} entries; at most ${POD_LIMITS.maxItems}`));
        continue;
      }
      const inner = (list ?? map)![1]!;
      for (const [k, v] of entries.reverse()) {
        stack.push({ value: v, type: inner, format: '', path: child(path, list ? Number(k) : k), key });
      }
      continue;
    }
    switch (type) {
      case 'string':
      case 'Date': {
        if (typeof value !== 'string') wrong();
        else {
          const max = key === 'image' ? POD_LIMITS.maxImageLength : POD_LIMITS.maxStringLength;
          if (value.length > max) errors.push(invalid(path, `is ${value.length} characters long; at most ${max}`));
        }
        continue;
      }
      case 'boolean':
        if (typeof value !== 'boolean') wrong();
        continue;
      case 'number': {
        const range = INT_RANGE[format];
        if (typeof value !== 'number' || !Number.isFinite(value)) wrong();
        else if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
          errors.push(invalid(path, `must be a whole number (${format}), got ${preview(value)}`));
        }
        continue;
      }
      case 'IntOrString':
        if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) wrong();
        else if (typeof value === 'string' && value.length > POD_LIMITS.maxStringLength) {
          errors.push(invalid(path, `is ${value.length} characters long; at most ${POD_LIMITS.maxStringLength}`));
        }
        continue;
      case 'any':
      case 'object':
        continue;
    }
    const fields = modelFields(type);
    if (fields === undefined) throw new Error(`podSchemaErrors: no model for type ${type} at ${path || 'the Pod'}`);
    if (!isRecord(value)) {
      wrong();
      continue;
    }
    const keys = Object.keys(value);
    for (const k of keys.reverse()) {
      const field = fields.get(k);
      const at = child(path, k);
      if (field === undefined) errors.push(invalid(at, `unknown field ${preview(k)} of ${type.replace(/^V1/, '')}`));
      else stack.push({ value: value[k], type: field.type, format: field.format, path: at, key: k });
    }
  }
  return errors.slice(0, POD_LIMITS.maxErrors);
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined when it is one. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'its prefix must be a lowercase DNS subdomain of at most 253 characters';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'its name must be at most 63 characters: letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Label and annotation keys and label values, as the API server checks them. */
export function podMetadataErrors(pod: unknown): FieldError[] {
  const metadata = isRecord(pod) && isRecord(pod.metadata) ? pod.metadata : {};
  const errors: FieldError[] = [];
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (!isRecord(map)) continue;
    for (const [k, v] of Object.entries(map)) {
      const at = child(child('metadata', field), k);
      const problem = qualifiedNameProblem(k);
      if (problem) errors.push(invalid(at, `${preview(k)} is not a valid ${field === 'labels' ? 'label' : 'annotation'} key: ${problem}`));
      else if (field === 'labels' && typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) {
        errors.push(
          invalid(
            at,
            `${preview(v)} is not a valid label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
          ),
        );
      }
    }
  }
  return errors;
}

/** Everything above, and the size of the whole Pod (measured only once its shape is known to be sane). */
export function podErrors(pod: unknown): FieldError[] {
  const errors = [...podSchemaErrors(pod), ...podMetadataErrors(pod)];
  if (errors.length > 0) return errors;
  const bytes = Buffer.byteLength(JSON.stringify(pod));
  if (bytes > POD_LIMITS.maxPodBytes) {
    return [invalid('', `the Pod would be ${bytes} bytes as JSON; at most ${POD_LIMITS.maxPodBytes} (64 KiB)`)];
  }
  return [];
}
