// Fake nodes of the chart tests' own: the chart's controller Pods are placed there (nodeSelector +
// toleration of a NoSchedule taint), so they never take resources from the shared fake nodes that
// other tests measure, and nothing else lands on them.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { deleteNode, ensureFakeNode, isReady } from '../../../scripts/cluster/index.ts';
import { eventually, kubeConfig } from './kube.ts';

export const CHART_NODE_LABEL = 'agora.dev/test-chart-node';

export interface ChartNodes {
  readonly names: string[];
  /** Chart values that put the controller's Pods on these nodes. */
  readonly placement: { nodeSelector: Record<string, string>; tolerations: object[] };
}

export function useChartNodes(count: number, cpu = '2', memory = '4Gi'): ChartNodes {
  const id = randomBytes(3).toString('hex');
  const names = Array.from({ length: count }, (_, i) => `chart-${id}-${i + 1}`);
  const taint = { key: CHART_NODE_LABEL, value: id, effect: 'NoSchedule' };
  beforeAll(async () => {
    const kc = kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of names) {
      await ensureFakeNode(kc, { name, cpu, memory, labels: { [CHART_NODE_LABEL]: id } });
      await core.patchNode({ name, body: { spec: { taints: [taint] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }
    await eventually('the chart nodes Ready', async () => {
      const nodes = await Promise.all(names.map((name) => core.readNode({ name })));
      return nodes.every(isReady);
    });
  });
  afterAll(async () => {
    const kc = kubeConfig();
    for (const name of names) await deleteNode(kc, name);
  });
  return {
    names,
    placement: {
      nodeSelector: { [CHART_NODE_LABEL]: id },
      tolerations: [{ key: taint.key, operator: 'Equal', value: id, effect: 'NoSchedule' }],
    },
  };
}
