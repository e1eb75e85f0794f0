export { up, down, status, adminKubeConfig, buildBinaries, type UpOptions, type UpResult } from './control-plane.ts';
export { clusterPaths, repoRoot, cacheRoot } from '../../src/api/local-paths.ts';
export { ensureFakeNode, deleteNode, fakeNode, isReady, setFakeNodeReady, SIM_NODE_READY_ANNOTATION, type FakeNodeSpec } from './nodes.ts';
export { toolPath } from './tools.ts';
export { ensureCa, ensureCert } from '../../src/api/pki.ts';
export { deleteScratchNamespace } from './namespaces.ts';
export { startExtraScheduler, type ExtraScheduler } from './extra-scheduler.ts';
export { isAlive } from './processes.ts';
