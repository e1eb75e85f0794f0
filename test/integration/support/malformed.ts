// Malformed tasks a hostile or careless framework might put in an accept (issue #13): fields of
// the wrong JSON type, deep nesting, huge strings, bad metadata — generated from a seed, so that a
// failure replays. Used against the controller with admission bypassed and against the webhooks.

/** A small deterministic generator (mulberry32), so a failure replays. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nested(depth: number, key: string): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) v = { [key]: v };
  return v;
}

/** Container mutations a hostile or careless framework might send. */
const MUTATIONS: ((r: () => number) => Record<string, unknown>)[] = [
  () => ({ resizePolicy: { resourceName: 'cpu', restartPolicy: 'NotRequired' } }),
  () => ({ securityContext: nested(2000, 'seLinuxOptions') }),
  () => ({ securityContext: { capabilities: { add: 'SYS_ADMIN' } } }),
  () => ({ ports: 'http' }),
  () => ({ ports: [{ containerPort: 'eighty' }] }),
  () => ({ env: { A: 'b' } }),
  () => ({ env: [{ name: 'A', value: 42 }] }),
  () => ({ command: 'sleep 10' }),
  () => ({ args: [1, 2, 3] }),
  () => ({ livenessProbe: { httpGet: { port: { nested: true } } } }),
  () => ({ lifecycle: { postStart: ['exec'] } }),
  () => ({ image: 'x'.repeat(200_000) }),
  () => ({ imagePullPolicy: 7 }),
  () => ({ securityContext: { runAsUser: 'root' } }),
  () => ({ stdin: 'yes' }),
  (r) => ({ [`weird-${Math.floor(r() * 1000)}`]: { a: [null, {}, []] } }),
  () => ({ volumeMounts: [{ name: 'none', mountPath: '/x' }] }),
];

export function malformedTask(name: string, r: () => number) {
  const mutations = 1 + Math.floor(r() * 2);
  let container: Record<string, unknown> = { name: 'main', image: 'busybox' };
  for (let i = 0; i < mutations; i++) container = { ...container, ...MUTATIONS[Math.floor(r() * MUTATIONS.length)]!(r) };
  const t: Record<string, unknown> = { name, resources: { cpu: '500m', memory: '256Mi' }, containers: [container] };
  if (r() < 0.2) t.labels = { 'bad key!': 'v' };
  // Those that do run finish at once, so the node frees up for the next round.
  const annotations: Record<string, string> = { 'agora.dev/sim-exit-code': '0', 'agora.dev/sim-run-duration': '1s' };
  if (r() < 0.2) annotations['container.apparmor.security.beta.kubernetes.io/main'] = 'unconfined';
  t.annotations = annotations;
  return t;
}
