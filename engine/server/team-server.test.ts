// Team mode over real HTTP on loopback: reviewer accounts with roles, decisions attributed to the
// signed-in account, claims on slices of the queue, the event stream naming who did what, and the
// shared token kept to this machine.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ProjectStore } from '../../db/project-store';
import { AccountStore } from '../../db/store/access-store';
import { sqliteHandle } from '../../db/store/connect';
import { addAccount } from '../access/account-tokens';
import { createEngine, type Engine } from '../engine';
import { tempDir } from '../test/helpers';
import { startHttpServer, type RunningServer } from './http-server';
import { corridorWithQa } from '../test/corridor-project';

let dir: ReturnType<typeof tempDir>;
let engine: Engine;
let server: RunningServer;
let projectId: string;
const tokens: Record<'alice' | 'bob' | 'vera' | 'ada', string> = {
  alice: '',
  bob: '',
  vera: '',
  ada: '',
};
/** Open facts by family, one QA id per fact. */
let byFamily: Map<string, number[]>;
let batchId: number;

async function rpc(token: string | null, method: string, input: Record<string, unknown> = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ method, input: { projectId, ...input } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}
async function ok(token: string, method: string, input: Record<string, unknown> = {}) {
  const res = await rpc(token, method, input);
  if (!res.body.ok) throw new Error(`${method}: ${res.body.error.code}: ${res.body.error.message}`);
  return res.body.result;
}
const reject = (token: string, qaId: number, reviewer = 'someone-else') =>
  rpc(token, 'reviews.decide', { qaId, decision: 'reject', reason: 'wrong', reviewer });

beforeAll(async () => {
  dir = tempDir();
  const folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await corridorWithQa(store);
  const accounts = new AccountStore(sqliteHandle(store.db));
  tokens.alice = (await addAccount(accounts, 'alice', 'reviewer')).token;
  tokens.bob = (await addAccount(accounts, 'bob', 'reviewer')).token;
  tokens.vera = (await addAccount(accounts, 'vera', 'viewer')).token;
  tokens.ada = (await addAccount(accounts, 'ada', 'admin')).token;
  store.close();
  engine = await createEngine({ transport: 'http', projectFolders: [folder] });
  const project = engine.projects.list()[0]!;
  projectId = project.id;
  server = await startHttpServer({
    engine,
    staticRoot: join(tmpdir(), 'sqw-no-ui'),
    accounts: new AccountStore(sqliteHandle(project.db)),
  });
  const queue = await ok(tokens.vera, 'qa.queue', { statuses: ['proposed'], limit: 1000 });
  byFamily = new Map();
  for (const q of queue.items) byFamily.set(q.family, [...(byFamily.get(q.family) ?? []), q.id]);
  batchId = queue.items[0].batchId;
}, 60_000);
afterAll(async () => {
  await server.close();
  await engine.close();
  dir.remove();
});

/** Two families with at least `n` open facts each, each used by one test only. */
const usedFamilies = new Set<string>();
function families(count: number, n: number): Array<[string, number[]]> {
  const out = [...byFamily].filter(([f, ids]) => !usedFamilies.has(f) && ids.length >= n);
  expect(out.length).toBeGreaterThanOrEqual(count);
  const chosen = out.slice(0, count);
  for (const [f] of chosen) usedFamilies.add(f);
  return chosen;
}

describe('accounts and roles', () => {
  it('lets a viewer read but not decide, a reviewer decide but not run the pipeline, an admin both', async () => {
    const [[, [qa]]] = families(1, 1) as [[string, number[]]];
    expect((await rpc(tokens.vera, 'qa.queue')).body.ok).toBe(true);
    const refused = await reject(tokens.vera, qa!);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({
      code: 'forbidden',
      message: 'reviews.decide needs the reviewer role; vera is a viewer',
    });
    expect((await reject(tokens.alice, qa!)).body.ok).toBe(true);
    const run = await rpc(tokens.alice, 'pipeline.start', { stages: ['qa'] });
    expect(run.status).toBe(403);
    expect(run.body.error.message).toBe('pipeline.start needs the admin role; alice is a reviewer');
    for (const m of ['exports.start', 'projects.open', 'labels.rename'])
      expect((await rpc(tokens.alice, m, {})).body.error.code, m).toBe('forbidden');
    // The admin passes the role check (the job id does not exist: the engine answers, not the gate).
    const cancel = await rpc(tokens.ada, 'jobs.cancel', { jobId: 'nope' });
    expect(cancel.body.error.code).toBe('not-found');
  });

  it('refuses unknown tokens and a revoked account at once', async () => {
    expect((await rpc(null, 'qa.queue')).status).toBe(401);
    expect((await rpc(`sqw_${'1'.repeat(16)}_${'2'.repeat(64)}`, 'qa.queue')).status).toBe(401);
    const accounts = new AccountStore(sqliteHandle(engine.projects.get(projectId).db));
    const { token } = await addAccount(accounts, 'temp', 'viewer');
    expect((await rpc(token, 'qa.queue')).status).toBe(200);
    expect(await accounts.revoke('temp')).toBe(true);
    const after = await rpc(token, 'qa.queue');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('lets any account read blobs and the event socket, and nobody without a token', async () => {
    const imageId = (await ok(tokens.vera, 'qa.queue', { limit: 1 })).items[0].imageId;
    const blob = (t: string) =>
      fetch(`http://127.0.0.1:${server.port}/blob/${projectId}/${imageId}/thumb${t}`).then(
        (r) => r.status,
      );
    expect(await blob(`?token=${tokens.vera}`)).toBe(200);
    expect(await blob('')).toBe(401);
    expect(await blob(`?token=sqw_${'1'.repeat(16)}_${'2'.repeat(64)}`)).toBe(401);
    const opened = await new Promise<string>((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=nope`);
      ws.once('open', () => res('open'));
      ws.once('error', () => res('refused'));
    });
    expect(opened).toBe('refused');
  });

  it('keeps the shared token working from this machine, as the local user', async () => {
    expect(server.accounts).toBe(true);
    const res = await rpc(server.token, 'claims.list');
    expect(res.body).toEqual({ ok: true, result: expect.any(Array) });
  });
});

describe('attribution', () => {
  it('records each decision under the signed-in account, whatever name the client sends', async () => {
    const [[, [qa1, qa2]]] = families(1, 2) as [[string, number[]]];
    expect((await reject(tokens.alice, qa1!, 'bob')).body.ok).toBe(true);
    expect((await reject(tokens.bob, qa2!, 'alice')).body.ok).toBe(true);
    const rows1 = await ok(tokens.vera, 'reviews.list', { qaId: qa1 });
    const rows2 = await ok(tokens.vera, 'reviews.list', { qaId: qa2 });
    expect(rows1.at(-1)).toMatchObject({ reviewer: 'alice', decision: 'reject' });
    expect(rows2.at(-1)).toMatchObject({ reviewer: 'bob', decision: 'reject' });
    const audit = await ok(tokens.vera, 'audit.list', { limit: 10 });
    const actorOf = (qa: number) => audit.find((e: any) => e.target === `qa:${qa}`)?.actor;
    expect(actorOf(qa1!)).toBe('alice');
    expect(actorOf(qa2!)).toBe('bob');
    // Undo is the account's own too: alice's undo reverts alice's decision, not bob's.
    const undo = await ok(tokens.alice, 'reviews.undo', { reviewer: 'bob' });
    expect(undo.entry).toMatchObject({ actor: 'alice', op: 'undo', target: `qa:${qa1}` });
  });
});

describe('claims on slices of the queue', () => {
  it("refuses a decision inside someone else's claim, naming the holder, both ways; release frees it", async () => {
    const [[famA, idsA], [famB, idsB]] = families(2, 2) as [[string, number[]], [string, number[]]];
    const taken = await ok(tokens.alice, 'claims.take', { family: famA, ttlSeconds: 600 });
    expect(taken.claim).toMatchObject({ holder: 'alice', family: famA, batchId: null });
    expect(taken.open).toBeGreaterThanOrEqual(2);
    const until = taken.claim.expiresAt.slice(11, 16);

    const bobsTry = await reject(tokens.bob, idsA[0]!);
    expect(bobsTry.body.error.code).toBe('conflict');
    expect(bobsTry.body.error.message).toContain(
      `QA #${idsA[0]} is held by alice until ${until} UTC`,
    );
    // Taking an overlapping slice (the whole batch holds alice's family) is refused the same way.
    const overlap = await rpc(tokens.bob, 'claims.take', { batchId, reviewer: 'bob' });
    expect(overlap.body.error.code).toBe('conflict');
    expect(overlap.body.error.message).toMatch(/held by alice until \d\d:\d\d UTC/);

    // The other way round: bob holds family B, alice is refused there.
    const bobs = await ok(tokens.bob, 'claims.take', { family: famB });
    const alicesTry = await reject(tokens.alice, idsB[0]!);
    expect(alicesTry.body.error.code).toBe('conflict');
    expect(alicesTry.body.error.message).toContain('is held by bob until');
    // Bulk decisions over a held slice are refused too.
    const bulk = await rpc(tokens.alice, 'reviews.bulk', {
      family: famB,
      batchId,
      decision: 'skip',
      reviewer: 'alice',
    });
    expect(bulk.body.error.message).toContain('held by bob');

    // Holders decide inside their own claims.
    expect((await reject(tokens.alice, idsA[0]!)).body.ok).toBe(true);
    expect((await reject(tokens.bob, idsB[0]!)).body.ok).toBe(true);
    expect((await ok(tokens.vera, 'claims.list')).map((c: any) => c.holder).sort()).toEqual([
      'alice',
      'bob',
    ]);

    // Only the holder releases; then the slice is free.
    expect(
      await ok(tokens.bob, 'claims.release', { claimId: taken.claim.id, reviewer: 'bob' }),
    ).toEqual({ released: false });
    expect(await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id })).toEqual({
      released: true,
    });
    expect((await reject(tokens.bob, idsA[1]!)).body.ok).toBe(true);
    await ok(tokens.bob, 'claims.release', { claimId: bobs.claim.id });
    expect((await reject(tokens.alice, idsB[1]!)).body.ok).toBe(true);
  });

  it('frees the slice when the claim expires', async () => {
    const [[fam, ids]] = families(1, 1) as [[string, number[]]];
    await ok(tokens.alice, 'claims.take', { family: fam, ttlSeconds: 1 });
    expect((await reject(tokens.bob, ids[0]!)).body.error.code).toBe('conflict');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await reject(tokens.bob, ids[0]!)).body.ok).toBe(true);
  });

  it('holds QA by the label of the objects they name', async () => {
    const view = await ok(tokens.vera, 'reviews.image', {
      imageId: (await ok(tokens.vera, 'qa.queue', { limit: 1 })).items[0].imageId,
    });
    const partition = view.objects.find((o: any) => o.label === 'partition');
    const about = view.qa.find((q: any) => q.subjects.includes(partition.id));
    const notAbout = view.qa.find((q: any) => !q.subjects.includes(partition.id));
    const taken = await ok(tokens.alice, 'claims.take', { label: 'partition' });
    expect((await reject(tokens.bob, about.id)).body.error.message).toContain('held by alice');
    expect((await reject(tokens.bob, notAbout.id)).body.ok).toBe(true);
    await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id });
  });

  it("refuses an object edit inside someone else's claim, as a team project does", async () => {
    const imageId = (await ok(tokens.vera, 'qa.queue', { limit: 1 })).items[0].imageId;
    const objects = (await ok(tokens.vera, 'reviews.image', { imageId })).objects;
    const door = objects.find((o: any) => o.label === 'door');
    const cabinet = objects.find((o: any) => o.label === 'cabinet');
    const taken = await ok(tokens.alice, 'claims.take', { label: 'door' });
    const relabel = (token: string, o: any, label: string) =>
      rpc(token, 'objects.update', { objectId: o.id, expectedVersion: o.version, label });
    const refused = await relabel(tokens.bob, door, 'gate');
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toContain(`object #${door.id} (door) is held by alice`);
    expect((await relabel(tokens.bob, cabinet, 'door')).body.error.code).toBe('conflict');
    await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id });
    expect((await relabel(tokens.bob, door, 'gate')).body.ok).toBe(true);
    expect((await ok(tokens.bob, 'reviews.undo', {})).entry.command).toBe('object.relabel');
  });
});

describe('live updates', () => {
  it("tells the other reviewers who decided: one client decides, the other hears the person's name", async () => {
    const [[, [qa]]] = families(1, 1) as [[string, number[]]];
    const listen = (token: string) =>
      new Promise<{ ws: WebSocket; events: any[] }>((res, rej) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${token}`);
        const events: any[] = [];
        ws.on('message', (d) => events.push(JSON.parse(String(d))));
        ws.once('open', () => res({ ws, events }));
        ws.once('error', rej);
      });
    const bobs = await listen(tokens.bob);
    const veras = await listen(tokens.vera);
    expect((await reject(tokens.alice, qa!)).body.ok).toBe(true);
    const heard = (events: any[]) =>
      events.find((e) => e.type === 'review' && e.target === `qa:${qa}`);
    for (let i = 0; i < 50 && !(heard(bobs.events) && heard(veras.events)); i++)
      await new Promise((r) => setTimeout(r, 20));
    for (const client of [bobs, veras])
      expect(heard(client.events)).toMatchObject({
        type: 'review',
        projectId,
        actor: 'alice',
        command: 'review.reject',
        op: 'do',
      });
    bobs.ws.close();
    veras.ws.close();
  });

  it("tells everyone when a claim is taken or released, and claims.me answers with the account's name", async () => {
    const [[fam]] = families(1, 1) as [[string, number[]]];
    const events: any[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${tokens.vera}`);
    ws.on('message', (d) => events.push(JSON.parse(String(d))));
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    // The name sent is ignored: the server puts the signed-in account's in.
    expect(await ok(tokens.bob, 'claims.me', { reviewer: 'alice' })).toEqual({ name: 'bob' });
    const taken = await ok(tokens.alice, 'claims.take', { family: fam, reviewer: 'bob' });
    await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id });
    const changes = () => events.filter((e) => e.type === 'claims-changed');
    for (let i = 0; i < 50 && changes().length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(changes()).toEqual([
      {
        type: 'claims-changed',
        projectId,
        holder: 'alice',
        claimId: taken.claim.id,
        change: 'taken',
      },
      {
        type: 'claims-changed',
        projectId,
        holder: 'alice',
        claimId: taken.claim.id,
        change: 'released',
      },
    ]);
    // A release that releases nothing (not the holder's) tells nobody.
    await ok(tokens.bob, 'claims.release', { claimId: taken.claim.id });
    await new Promise((r) => setTimeout(r, 50));
    expect(changes()).toHaveLength(2);
    ws.close();
  });
});
