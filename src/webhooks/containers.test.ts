import { describe, expect, it } from 'vitest';
import { namespaceAllowsPrivileged } from './containers.ts';

describe('namespaceAllowsPrivileged', () => {
  it.each<{ name: string; labels: Record<string, string>; want: boolean }>([
    { name: 'no labels', labels: {}, want: false },
    { name: "Agora's label", labels: { 'agora.dev/allow-privileged': 'true' }, want: true },
    { name: "Agora's label, not true", labels: { 'agora.dev/allow-privileged': 'yes' }, want: false },
    { name: 'Pod Security enforcing privileged', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' }, want: true },
    { name: 'Pod Security enforcing baseline', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' }, want: false },
    { name: 'Pod Security only warning about privileged', labels: { 'pod-security.kubernetes.io/warn': 'privileged' }, want: false },
  ])('$name', ({ labels, want }) => {
    expect(namespaceAllowsPrivileged(labels)).toBe(want);
  });
});
