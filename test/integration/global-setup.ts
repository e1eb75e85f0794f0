// Vitest global setup for the integration tier: reuse the running local control plane or start
// one (stopping it again at the end if this run started it), and hand its kubeconfig to tests.
import type { TestProject } from 'vitest/node';
import { down, up } from '../../scripts/cluster/index.ts';
import { ensureChromium } from '../../scripts/browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The console's tests drive a real Chromium: installed here (apt-get) when it is missing.
  ensureChromium((line) => console.error(`[browser] ${line}`));
  const res = await up({ log: (line) => console.error(`[cluster] ${line}`) });
  project.provide('kubeconfig', res.kubeconfig);
  return async () => {
    if (!res.reused && process.env.AGORA_KEEP_CLUSTER !== '1') await down();
  };
}
