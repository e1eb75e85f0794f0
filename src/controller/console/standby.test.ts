// A replica without caches (a standby) answers the console's API with 503, naming the leader from
// the Lease and, where the chart's Service follows the leader label, saying to go through it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleHandler, standbyBody, type StandbyInfo } from './server.ts';

describe('standbyBody', () => {
  it.each<{ name: string; info: StandbyInfo | undefined; wantLeader: string | null; want: RegExp[]; wantNot?: RegExp }>([
    {
      name: 'a standby whose Service routes to the leader names it and says to use the Service',
      info: { identity: 'replica-b', leader: 'replica-a', serviceRoutesToLeader: true },
      wantLeader: 'replica-a',
      want: [
        /^this replica \(replica-b\) is not leading/,
        /The leader is replica-a\./,
        /Service routes to the leader \(it selects the Pod labelled agora\.dev\/leader=true\)/,
      ],
    },
    {
      name: 'without the leader label (no pod name) it names the leader only',
      info: { identity: 'replica-b', leader: 'replica-a', serviceRoutesToLeader: false },
      wantLeader: 'replica-a',
      want: [/The leader is replica-a\.$/],
      wantNot: /Service/,
    },
    {
      name: 'a free Lease: no leader known',
      info: { identity: 'replica-b', serviceRoutesToLeader: true },
      wantLeader: null,
      want: [/No leader is known yet/],
    },
    {
      name: 'the leader itself, before its caches synced',
      info: { identity: 'replica-a', leader: 'replica-a', serviceRoutesToLeader: true },
      wantLeader: 'replica-a',
      want: [/^this replica \(replica-a\) has just become the leader and its caches are still syncing/],
      wantNot: /not leading/,
    },
  ])('$name', ({ info, wantLeader, want, wantNot }) => {
    const body = standbyBody(info);
    expect(body.leader).toBe(wantLeader);
    for (const w of want) expect(body.error).toMatch(w);
    if (wantNot !== undefined) expect(body.error).not.toMatch(wantNot);
  });
});

describe('the console handler without a model', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('answers every API route with 503 and the standby body, and still serves the page', async () => {
    const handler = consoleHandler({
      model: () => undefined,
      standby: () => ({ identity: 'replica-b', leader: 'replica-a', serviceRoutesToLeader: true }),
    });
    server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ['/api/v1/overview', '/api/v1/frameworks/ns/fw']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ leader: 'replica-a', serviceRoutesToLeader: true });
    }
    expect((await fetch(`${base}/`)).status).toBe(200);
    handler.close();
  });
});
