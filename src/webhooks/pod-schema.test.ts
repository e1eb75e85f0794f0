// Every field of every model a Pod reaches, given a value of the wrong JSON type: the schema check
// must name it. The fields come from the generated Pod model itself, not from a list here, so a
// field a tenant could use to break the API client's serialiser cannot be missed.
import * as k8s from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, it } from 'vitest';
import { child } from './field-errors.ts';
import { podSchemaErrors } from './pod-schema.ts';

interface Attribute {
  baseName: string;
  type: string;
}
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;
const LIST = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** Values of the wrong JSON type for a field of `type` (none for the untyped `any`/`object`). */
function wrongValues(type: string): unknown[] {
  if (LIST.test(type)) return [{ a: 1 }, 'x'];
  if (MAP.test(type)) return [['x'], 'x'];
  switch (type) {
    case 'string':
    case 'Date':
      return [{}, 1, ['x']];
    case 'number':
      return ['1', {}, true];
    case 'boolean':
      return ['true', 1];
    case 'IntOrString':
      return [{}, true, 1.5];
    case 'any':
    case 'object':
      return [];
    default:
      return ['x', ['x'], 7];
  }
}

interface Case {
  /** The field's path from the Pod's root, e.g. spec.containers[0].securityContext.capabilities.add. */
  path: string;
  /** Builds a Pod with `value` at that path. */
  place: (value: unknown) => unknown;
  type: string;
}

/** One case per (model, field) reachable from V1Pod, at the first path that reaches it. */
function fieldCases(): Case[] {
  const cases: Case[] = [];
  const seen = new Set<string>();
  const queue: { type: string; path: string; place: (v: unknown) => unknown }[] = [{ type: 'V1Pod', path: '', place: (v) => v }];
  while (queue.length > 0) {
    const { type, path, place } = queue.shift()!;
    for (const attr of models[type]!.getAttributeTypeMap!()) {
      const key = `${type}.${attr.baseName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = child(path, attr.baseName);
      const placeField = (v: unknown) => place({ [attr.baseName]: v });
      cases.push({ path: at, place: placeField, type: attr.type });
      // Into lists and maps (one entry), down to the model inside.
      let inner = attr.type;
      let innerPath = at;
      let innerPlace = placeField;
      for (let m = LIST.exec(inner) ?? MAP.exec(inner); m; m = LIST.exec(inner) ?? MAP.exec(inner)) {
        const list = LIST.test(inner);
        const outer = innerPlace;
        innerPlace = (v) => outer(list ? [v] : { k: v });
        innerPath = child(innerPath, list ? 0 : 'k');
        inner = m[1]!;
      }
      if (models[inner]?.getAttributeTypeMap !== undefined) queue.push({ type: inner, path: innerPath, place: innerPlace });
    }
  }
  return cases;
}

const cases = fieldCases();

describe('podSchemaErrors: every field of the Pod model', () => {
  it('reaches every model and field of a Pod', () => {
    // Containers, their security contexts, probes, volumes: hundreds of fields, none listed by hand.
    expect(cases.length).toBeGreaterThan(500);
    expect(cases.map((c) => c.path)).toEqual(
      expect.arrayContaining([
        'spec.containers[0].resizePolicy',
        'spec.containers[0].securityContext.capabilities.add',
        'spec.containers[0].livenessProbe.httpGet.port',
        'spec.volumes[0].hostPath.path',
        'metadata.annotations',
      ]),
    );
  });

  it('names each field given a value of the wrong JSON type', () => {
    const missed: string[] = [];
    for (const c of cases) {
      for (const value of wrongValues(c.type)) {
        const errors = podSchemaErrors(c.place(value));
        if (!errors.some((e) => e.path === c.path))
          missed.push(`${c.path} (${c.type}) = ${JSON.stringify(value)}: ${JSON.stringify(errors)}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('passes nothing that the API client then fails to serialise', () => {
    // What passes the check, the controller can send: the serialiser is what threw in issue #13.
    for (const c of cases) {
      for (const value of [...wrongValues(c.type), null]) {
        const pod = c.place(value);
        if (podSchemaErrors(pod).length > 0) continue;
        expect(() => JSON.stringify(ObjectSerializer.serialize(pod, 'V1Pod')), c.path).not.toThrow();
      }
    }
  });
});
