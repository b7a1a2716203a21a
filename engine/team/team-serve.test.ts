// `sqw serve --database` over real HTTP on a throwaway PostgreSQL cluster: a desktop project copied
// there (`sqw project copy`), reviewer accounts with hashed tokens on PostgreSQL, two reviewers
// deciding with attribution, own-decision undo, claims refusing the other reviewer, the event
// stream naming who decided, object edits attributed, blobs from the shared folder, and unported
// methods refused by name.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { unpackPointCloud } from '../../contract/point-cloud';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { addAccount } from '../access/account-tokens';
import type { RunningServer } from '../server/http-server';
import { tempDir } from '../test/helpers';
import type { TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';
import { corridorWithQa } from '../test/corridor-project';

const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let team: TeamEngine;
let server: RunningServer;
let projectId: string;
const tokens = { alice: '', bob: '', vera: '', ada: '' };
/** Open facts by family, one QA id per fact. */
let byFamily: Map<string, number[]>;
let imageId: number;

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

const usedFamilies = new Set<string>();
function families(count: number, n: number): Array<[string, number[]]> {
  const out = [...byFamily].filter(([f, ids]) => !usedFamilies.has(f) && ids.length >= n);
  expect(out.length).toBeGreaterThanOrEqual(count);
  const chosen = out.slice(0, count);
  for (const [f] of chosen) usedFamilies.add(f);
  return chosen;
}

describe.skipIf(postgres.skipReason)('sqw serve --database on PostgreSQL', () => {
  beforeAll(async () => {
    dir = tempDir();
    const folder = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(folder);
    imageId = await corridorWithQa(store);
    store.close();
    const url = await postgres.cluster().createDatabase();
    const blobs = join(dir.path, 'shared-blobs');
    await copyProject(folder, url, { blobs });
    const served = await serveTeam(
      { database: url, blobs },
      { alice: 'reviewer', bob: 'reviewer', vera: 'viewer', ada: 'admin' },
    );
    ({ team, server } = served);
    Object.assign(tokens, served.tokens);
    projectId = team.project.id;
    const queue = await ok(tokens.vera, 'qa.queue', { statuses: ['proposed'], limit: 1000 });
    byFamily = new Map();
    for (const q of queue.items) byFamily.set(q.family, [...(byFamily.get(q.family) ?? []), q.id]);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    dir?.remove();
  });

  it('opens the project: batches, images, thumbnails and depth from the shared folder', async () => {
    const [project] = await ok(tokens.vera, 'projects.list');
    expect(project).toMatchObject({ id: projectId, imageCount: 1, batchCount: 1 });
    expect(project.path).toMatch(/^postgres(ql)?:\/\//);
    const [batch] = await ok(tokens.vera, 'batches.list');
    expect(batch).toMatchObject({ imageCount: 1, withDepth: 1 });
    const images = await ok(tokens.vera, 'images.list', { batchId: batch.id });
    expect(images.items.map((i: any) => i.fileName)).toEqual(['corridor.jpg']);
    const blob = (kind: string, token: string) =>
      fetch(`http://127.0.0.1:${server.port}/blob/${projectId}/${imageId}/${kind}?token=${token}`);
    const thumb = await blob('thumb', tokens.vera);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\//);
    expect((await thumb.arrayBuffer()).byteLength).toBeGreaterThan(100);
    expect((await blob('depth-preview', tokens.vera)).status).toBe(200);
    expect((await blob('thumb', 'nope')).status).toBe(401);
    const view = await ok(tokens.vera, 'reviews.image', { imageId });
    expect(view.objects.map((o: any) => o.label)).toContain('partition');
    expect(view.qa.length).toBeGreaterThan(4);
  });

  it("serves the 3D view: a viewer's scene.pointCloud, then its blob unpacked as the viewer does", async () => {
    const cloud = (token: string) =>
      fetch(
        `http://127.0.0.1:${server.port}/blob/${projectId}/${imageId}/point-cloud?token=${token}`,
      );
    // Nothing cached before the first scene.pointCloud.
    expect((await cloud(tokens.vera)).status).toBe(404);
    const scene = await ok(tokens.vera, 'scene.get', { imageId });
    expect(scene.nodes.length).toBeGreaterThan(0);
    const info = await ok(tokens.vera, 'scene.pointCloud', { imageId, maxPoints: 20_000 });
    expect(info.pointCount).toBeGreaterThan(1000);
    const res = await cloud(tokens.vera);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const arrays = unpackPointCloud(await res.arrayBuffer(), info.stamp);
    expect(arrays.count).toBe(info.pointCount);
    expect((await cloud('nope')).status).toBe(401);
  });

  it('lets a viewer read but not decide; refuses unknown and revoked tokens at once', async () => {
    const [[, [qa]]] = families(1, 1) as [[string, number[]]];
    const refused = await reject(tokens.vera, qa!);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({
      code: 'forbidden',
      message: 'reviews.decide needs the reviewer role; vera is a viewer',
    });
    expect((await rpc(null, 'qa.queue')).status).toBe(401);
    const { token } = await addAccount(team.project.accounts, 'temp', 'viewer');
    expect((await rpc(token, 'claims.list')).status).toBe(200);
    await team.project.accounts.revoke('temp');
    expect((await rpc(token, 'claims.list')).status).toBe(401);
  });

  it('attributes each decision to the signed-in account and undoes only your own', async () => {
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
    const undo = await ok(tokens.alice, 'reviews.undo', { reviewer: 'bob' });
    expect(undo.entry).toMatchObject({ actor: 'alice', op: 'undo', target: `qa:${qa1}` });
    expect(undo.history).toMatchObject({ canRedo: true, nextRedo: { target: `qa:${qa1}` } });
    const queue = await ok(tokens.vera, 'qa.queue', { limit: 1000 });
    const status = (id: number) => queue.items.find((q: any) => q.id === id)?.status;
    expect(status(qa1!)).toBe('proposed');
    expect(status(qa2!)).toBe('rejected');
    const redo = await ok(tokens.alice, 'reviews.redo', {});
    expect(redo.entry).toMatchObject({ actor: 'alice', op: 'redo', target: `qa:${qa1}` });
  });

  it('lets one of two reviewers deciding the same fact at once win; the other is told', async () => {
    const [[, [qa]]] = families(1, 1) as [[string, number[]]];
    const seen = (await ok(tokens.vera, 'qa.queue', { limit: 1000 })).items.find(
      (q: any) => q.id === qa,
    ).revision;
    const both = await Promise.all(
      [tokens.alice, tokens.bob].map((t) =>
        rpc(t, 'reviews.decide', {
          qaId: qa,
          decision: 'approve',
          expectedRevision: seen,
          reviewer: 'x',
        }),
      ),
    );
    expect(both.filter((r) => r.body.ok)).toHaveLength(1);
    const lost = both.find((r) => !r.body.ok)!;
    expect(lost.body.error.code).toBe('invalid-input');
    expect(lost.body.error.message).toMatch(/changed since it was shown/);
  });

  it("refuses a decision inside someone else's claim, naming the holder; release frees it", async () => {
    const [[famA, idsA]] = families(1, 2) as [[string, number[]]];
    const taken = await ok(tokens.alice, 'claims.take', { family: famA, ttlSeconds: 600 });
    expect(taken.claim).toMatchObject({ holder: 'alice', family: famA, batchId: null });
    expect(taken.open).toBeGreaterThanOrEqual(2);
    const until = taken.claim.expiresAt.slice(11, 16);
    const bobsTry = await reject(tokens.bob, idsA[0]!);
    expect(bobsTry.body.error.code).toBe('conflict');
    expect(bobsTry.body.error.message).toContain(
      `QA #${idsA[0]} is held by alice until ${until} UTC`,
    );
    const overlap = await rpc(tokens.bob, 'claims.take', { label: 'partition' });
    expect(overlap.body.error.code).toBe('conflict');
    expect(overlap.body.error.message).toMatch(/held by alice until \d\d:\d\d UTC/);
    expect((await reject(tokens.alice, idsA[0]!)).body.ok).toBe(true);
    expect((await ok(tokens.vera, 'claims.list')).map((c: any) => c.holder)).toEqual(['alice']);
    expect(await ok(tokens.bob, 'claims.release', { claimId: taken.claim.id })).toEqual({
      released: false,
    });
    expect(await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id })).toEqual({
      released: true,
    });
    expect((await reject(tokens.bob, idsA[1]!)).body.ok).toBe(true);
  });

  it('decides a family in bulk as one undoable command, refused inside a claim', async () => {
    const [[fam, ids]] = families(1, 2) as [[string, number[]]];
    const [batch] = await ok(tokens.vera, 'batches.list');
    const taken = await ok(tokens.bob, 'claims.take', { family: fam });
    const refused = await rpc(tokens.alice, 'reviews.bulk', {
      family: fam,
      batchId: batch.id,
      decision: 'approve',
    });
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toContain('Part of this bulk decision is held by bob');
    await ok(tokens.bob, 'claims.release', { claimId: taken.claim.id });
    const bulk = await ok(tokens.alice, 'reviews.bulk', {
      family: fam,
      batchId: batch.id,
      decision: 'approve',
    });
    expect(bulk.applied).toBeGreaterThanOrEqual(ids.length);
    const status = async () =>
      (await ok(tokens.vera, 'qa.queue', { family: fam, limit: 1000 })).items.map(
        (q: any) => q.status,
      );
    expect(new Set(await status())).toEqual(new Set(['approved']));
    const rows = await ok(tokens.vera, 'reviews.list', { qaId: ids[0] });
    expect(rows.at(-1)).toMatchObject({ reviewer: 'alice', decision: 'approve' });
    const undo = await ok(tokens.alice, 'reviews.undo', {});
    expect(undo.entry).toMatchObject({ command: 'review.bulk-approve', op: 'undo' });
    expect(new Set(await status())).toEqual(new Set(['proposed']));
  });

  it('holds QA by the label of the objects they name', async () => {
    const view = await ok(tokens.vera, 'reviews.image', { imageId });
    const partition = view.objects.find((o: any) => o.label === 'partition');
    const open = view.qa.filter((q: any) => q.status === 'proposed');
    const about = open.find((q: any) => q.subjects.includes(partition.id));
    const notAbout = open.find((q: any) => !q.subjects.includes(partition.id));
    const taken = await ok(tokens.alice, 'claims.take', { label: 'partition' });
    expect((await reject(tokens.bob, about.id)).body.error.message).toContain('held by alice');
    expect((await reject(tokens.bob, notAbout.id)).body.ok).toBe(true);
    await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id });
  });

  it('tells the other reviewers who decided, over the event stream', async () => {
    const [[, [qa]]] = families(1, 1) as [[string, number[]]];
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${tokens.bob}`);
    const events: any[] = [];
    ws.on('message', (d) => events.push(JSON.parse(String(d))));
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    expect((await reject(tokens.alice, qa!)).body.ok).toBe(true);
    const heard = () => events.find((e) => e.type === 'review' && e.target === `qa:${qa}`);
    for (let i = 0; i < 50 && !heard(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(heard()).toMatchObject({
      projectId,
      actor: 'alice',
      command: 'review.reject',
      op: 'do',
    });
    // Claims move on the others' screens too, and the UI learns who it is from the server.
    expect(await ok(tokens.bob, 'claims.me', { reviewer: 'mallory' })).toEqual({ name: 'bob' });
    const taken = await ok(tokens.alice, 'claims.take', { label: 'door', ttlSeconds: 60 });
    await ok(tokens.alice, 'claims.release', { claimId: taken.claim.id });
    const moved = () =>
      events.filter((e) => e.type === 'claims-changed' && e.claimId === taken.claim.id);
    for (let i = 0; i < 50 && moved().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(moved().map((e) => [e.holder, e.change])).toEqual([
      ['alice', 'taken'],
      ['alice', 'released'],
    ]);
    ws.close();
  });

  it('attributes an object edit to the signed-in account; a viewer cannot edit', async () => {
    const view = await ok(tokens.vera, 'reviews.image', { imageId });
    const door = view.objects.find((o: any) => o.label === 'door');
    const edit = { objectId: door.id, expectedVersion: door.version, attributes: ['grey'] };
    expect((await rpc(tokens.vera, 'objects.setAttributes', edit)).status).toBe(403);
    const done = await ok(tokens.alice, 'objects.setAttributes', { ...edit, reviewer: 'bob' });
    expect(done.object).toMatchObject({ id: door.id, attributes: ['grey'] });
    const [entry] = await ok(tokens.vera, 'audit.list', { limit: 1 });
    expect(entry).toMatchObject({ actor: 'alice', command: 'object.attributes' });
    expect((await ok(tokens.alice, 'reviews.undo', {})).entry.command).toBe('object.attributes');
  });

  it('answers methods not ported to team projects with not-available, naming the method', async () => {
    const result = await rpc(tokens.alice, 'pipeline.result', { jobId: 'x' });
    expect(result.body.error).toEqual({
      code: 'not-available',
      message: 'pipeline.result is not available on a team project yet (docs/TEAM-SETUP.md)',
    });
    const run = await rpc(tokens.ada, 'pipeline.start', { stages: ['qa'] });
    expect(run.body.error.code).toBe('not-available');
    // The role check still comes first.
    expect((await rpc(tokens.alice, 'pipeline.start', { stages: ['qa'] })).status).toBe(403);
  });
});
