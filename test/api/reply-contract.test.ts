/**
 * The replies against the contract the CLI parses them with (shared/http/api-contract.ts), for
 * jobs that carry every optional field: a plan, a current hop, transitions, a wait, an end.
 * Every `api.call` checks its reply (support/reply-contract.ts); these make sure those checks
 * see full jobs, and that they do fail on a reply or a status the contract does not describe.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '#domain/job-transitions.ts';
import { jobListSchema, jobViewSchema } from '#shared/http/api-replies.ts';
import { jobAt } from '#test/fakes/jobs.ts';
import { startApi } from './support/api-server.ts';
import { expectReplyContract } from './support/reply-contract.ts';

const at = new Date('2026-03-01T12:00:00Z');

describe('upgrade replies and the contract', () => {
  it('a job mid-hop and an ended one show every field, each within the contract', async () => {
    // Prepare: region1 patching hop 2 of 2 with a wait; region2 failed on its first hop
    const api = await startApi();
    const base = { catalog: api.catalog, from: '3.16.2', to: '4.1.2', at };
    const patching = jobAt('patching', { ...base, cluster: 'region1', hop: 1, id: 'job-mid' });
    await api.jobs.create({
      ...patching,
      platformVersion: '3.18.2',
      callbackUrl: 'https://hooks.example.com/upgrades',
      cancelRequested: true,
      attempts: [{ stage: 'patch-subscription', hop: 1, count: 2 }],
      step: { waitingFor: 'the catalog to list redis-operator.v4.1.2' },
    });
    const verifying = jobAt('verifying', { ...base, cluster: 'region2', id: 'job-ended' });
    await api.jobs.create(transition(verifying, 'failed', { at, reason: 'operator did not come up' }));

    // Act: every call checks its reply against the contract
    const read = async (method: string, path: string) => (await api.call(method, path)).json();
    const mid = jobViewSchema.parse(await read('GET', '/upgrades/job-mid'));
    const ended = await read('GET', '/upgrades/job-ended');
    const list = jobListSchema.parse(await read('GET', '/upgrades'));
    const cancelled = await read('POST', '/upgrades/job-mid/cancel');

    // Assess: the optional fields were really there to be checked
    expect(mid).toMatchObject({
      plan: [
        { to: '4.0.3', kind: 'major' },
        { to: '4.1.2', kind: 'minor' },
      ],
      currentHop: { from: '4.0.3', to: '4.1.2', kind: 'minor', csv: 'redis-operator.v4.1.2' },
      waitingFor: 'the catalog to list redis-operator.v4.1.2',
      callbackUrl: 'https://hooks.example.com/upgrades',
      attempts: { 'patch-subscription:1': 2 },
    });
    expect(mid.transitions.length).toBeGreaterThan(4);
    expect(ended).toMatchObject({
      state: 'failed',
      reason: 'operator did not come up',
      finishedAt: at.toISOString(),
    });
    expect(list.items).toHaveLength(2);
    expect(cancelled).toMatchObject({ id: 'job-mid', cancelRequested: true });
  });

  it.each([
    ['a field the contract does not know', { surprise: true }, /a field the contract does not know/],
    ['a field of the wrong type', { hop: 'two' }, /hop/],
    ['a state the domain does not have', { state: 'paused' }, /state/],
  ])('fails a reply with %s', async (_name, change, says) => {
    // Prepare: a reply that is right but for `change`
    const api = await startApi();
    const created = await api.call('POST', '/upgrades', {
      body: { cluster: 'region1', targetVersion: '4.2.1' },
    });
    const good = jobViewSchema.parse(await created.json());
    const reply = new Response(JSON.stringify({ ...good, ...change }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });

    // Act
    const checking = expectReplyContract('GET', `/upgrades/${good.id}`, reply);

    // Assess
    await expect(checking).rejects.toThrow(says);
  });
});

describe('every route and the contract', () => {
  const ok = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const refusal = (status: number) => ok({ error: { code: 'X', message: 'no' } }, status);

  it.each([
    [
      'a cluster with a field the contract does not know',
      'GET',
      '/clusters/region1',
      ok({ name: 'region1', labels: {}, owner: 'x' }),
      /a field the contract does not know/,
    ],
    ['a cluster list of names', 'GET', '/clusters', ok({ items: ['region1'] }), /items/],
    [
      'a plan without hops',
      'GET',
      '/plan?from=4.0.3&to=4.2.1',
      ok({ from: '4.0.3', to: '4.2.1' }),
      /: hops: /,
    ],
    [
      'events without an id',
      'GET',
      '/upgrades/j1/events',
      ok({ items: [{ type: 'upgrade.queued', occurredAt: '2026-03-01T12:00:00Z', data: {} }] }),
      /: items\.0\.id: /,
    ],
    ['a health status other than ok', 'GET', '/healthz', ok({ status: 'degraded' }), /: status: /],
    [
      'a reply status the operation does not declare',
      'POST',
      '/upgrades',
      ok({}, 200),
      /a reply the contract does not declare/,
    ],
    [
      'a refusal the operation does not declare',
      'GET',
      '/plan?from=1.0.0&to=2.0.0',
      refusal(409),
      /a refusal the contract does not declare/,
    ],
    [
      'a public route refusing for want of a token',
      'GET',
      '/healthz',
      refusal(401),
      /a refusal the contract does not declare/,
    ],
  ])('fails %s', async (_name, method, path, response, says) => {
    // Act
    const checking = expectReplyContract(method, path, response);

    // Assess
    await expect(checking).rejects.toThrow(says);
  });

  it('passes a cluster and a plan as the server sends them (the control case)', async () => {
    // Prepare
    const api = await startApi();

    // Act
    const replies = await Promise.all([
      api.call('GET', '/clusters/region1'),
      api.call('GET', '/clusters'),
      api.call('GET', '/plan?from=3.16.2&to=4.2.1'),
      api.call('PUT', '/clusters/edge-1', { body: { labels: { env: 'dev' } } }),
    ]);

    // Assess
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 201]);
  });
});
