import { describe, expect, it } from 'vitest';
import { validateResourceRole } from './resource-role.ts';

const role = (spec: Record<string, unknown>) => ({ apiVersion: 'agora.dev/v1alpha1', kind: 'ResourceRole', metadata: { name: 'r' }, spec });

describe('validateResourceRole', () => {
  it.each([
    {
      name: 'a weighted role with quota',
      spec: { weight: 2.5, guarantee: { cpu: '4', memory: '8Gi' }, limit: { cpu: '4000m', memory: '16Gi' } },
      wantPaths: [],
      wantMessage: undefined,
    },
    { name: 'a reservation', spec: { reservations: [{ nodeName: 'n1', resources: { cpu: '1' } }] }, wantPaths: [], wantMessage: undefined },
    { name: 'a zero weight', spec: { weight: 0 }, wantPaths: ['spec.weight'], wantMessage: /greater than 0 and at most 1000000, got 0/ },
    {
      name: 'a guarantee above the limit (exactly compared)',
      spec: { guarantee: { memory: '1Gi' }, limit: { memory: '1000Mi' } },
      wantPaths: ['spec.guarantee.memory'],
      wantMessage: /1Gi exceeds the limit of 1000Mi/,
    },
    {
      name: 'a node reserved twice',
      spec: {
        reservations: [
          { nodeName: 'n1', resources: { cpu: '1' } },
          { nodeName: 'n1', resources: { cpu: '1' } },
        ],
      },
      wantPaths: ['spec.reservations[1].nodeName'],
      wantMessage: /already reserved in spec\.reservations\[0\]/,
    },
    {
      name: 'an empty reservation amount',
      spec: { reservations: [{ nodeName: 'n1', resources: { cpu: '0' } }] },
      wantPaths: ['spec.reservations[0].resources.cpu'],
      wantMessage: /must be positive/,
    },
  ])('$name', ({ spec, wantPaths, wantMessage }) => {
    const { errors } = validateResourceRole(role(spec));
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    if (wantMessage) expect(errors[0]!.message).toMatch(wantMessage);
  });
});
