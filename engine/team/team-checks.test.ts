// A team project on PostgreSQL answers the review calls the geometry checks and scene graphs
// shape exactly as the desktop does on SQLite: the corridor with two "cabinet"s nothing tells
// apart is copied to a throwaway cluster, and the same calls go to a desktop engine on the SQLite
// folder and to the team engine; every answer is compared whole (cards with evidence and blocks,
// ambiguous objects and names, warnings, blocked approvals, bulk decisions that leave blocked
// facts open), and a refused team decision is shown to have written nothing.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { SceneStore } from '../../db/store/scene-store';
import { createEngine, type Engine } from '../engine';
import { importCorridor } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { createTeamEngine, type TeamEngine } from './team-engine';
import { deriveGraphAndQa, desktopScene } from '../test/desktop-results';
import { insertHumanObject } from '../test/layer';

const postgres = usePostgresCluster();

/**
 * The corridor with a second box over its cabinet, then graph and QA: two "cabinet"s nothing
 * tells apart, so QA about them cannot be approved until a reviewer resolves the name.
 */
async function corridorWithAmbiguousCabinet(store: ProjectStore) {
  const imageId = await importCorridor(store);
  const twin = await insertHumanObject(store, {
    imageId,
    label: 'cabinet',
    box: [370, 90, 500, 410],
  });
  await deriveGraphAndQa(store, imageId);
  return { imageId, twinId: twin.id };
}

let dir: ReturnType<typeof tempDir>;
let desktop: Engine;
let team: TeamEngine;
let desktopId: string;
let imageId: number;
let twinId: number;

type Side = 'desktop' | 'team';
async function call(side: Side, method: string, input: Record<string, unknown> = {}) {
  const res =
    side === 'desktop'
      ? await desktop.dispatch(method, { projectId: desktopId, ...input })
      : await team.dispatch(method, { projectId: team.project.id, ...input });
  if (!res.ok) throw new Error(`${side} ${method}: ${res.error.code}: ${res.error.message}`);
  return res.result as any;
}
/** The same call on both; the answers must be equal, and the desktop's is returned. */
async function both(method: string, input: Record<string, unknown> = {}) {
  const d = await call('desktop', method, input);
  const t = await call('team', method, input);
  expect(t).toEqual(d);
  return d;
}
/** Undo on both: the same command is undone (entries differ in time and phrasing order). */
async function undoBoth(reviewer: string) {
  const d = await call('desktop', 'reviews.undo', { reviewer });
  const t = await call('team', 'reviews.undo', { reviewer });
  expect(t.entry).toMatchObject({ command: d.entry.command, target: d.entry.target, op: 'undo' });
  expect(t.history).toEqual(d.history);
}
async function refusedOnBoth(method: string, input: Record<string, unknown>) {
  const d = await desktop.dispatch(method, { projectId: desktopId, ...input });
  const t = await team.dispatch(method, { projectId: team.project.id, ...input });
  expect(d.ok).toBe(false);
  expect(t).toEqual(d);
  return d.ok ? null : d.error;
}

describe.skipIf(postgres.skipReason)('geometry checks and evidence on a team project', () => {
  beforeAll(async () => {
    dir = tempDir();
    const folder = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(folder);
    ({ imageId, twinId } = await corridorWithAmbiguousCabinet(store));
    store.close();
    const url = await postgres.cluster().createDatabase();
    const blobs = join(dir.path, 'shared-blobs');
    await copyProject(folder, url, { blobs });
    team = await createTeamEngine({ database: url, blobs });
    desktop = await createEngine({ transport: 'http', projectFolders: [folder] });
    desktopId = desktop.projects.list()[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await team?.close();
    await desktop?.close();
    dir?.remove();
  });

  it('shows the same cards (evidence, blocks), ambiguous objects and names as the desktop', async () => {
    const view = await both('reviews.image', { imageId, reviewer: 'ann' });
    expect(view.ambiguous.length).toBeGreaterThan(0);
    expect(view.ambiguous.some((a: any) => a.group.includes(twinId))).toBe(true);
    expect(view.names.find((n: any) => n.objectId === twinId).expression).toBeNull();
    expect(view.names.some((n: any) => n.expression !== null)).toBe(true);
    expect(view.qa.filter((q: any) => q.evidence !== null).length).toBeGreaterThan(10);
    expect(view.qa.some((q: any) => /has no unique name/.test(q.blocked ?? ''))).toBe(true);
    expect(view.qa.some((q: any) => q.blocked === null)).toBe(true);
    const queue = await both('qa.queue', { limit: 1000 });
    expect(queue.items.length).toBe(view.qa.length);
  });

  it('blocks approving and editing a fact about the ambiguous cabinet, whatever the confirmation, and writes nothing', async () => {
    const { qa } = await call('team', 'reviews.image', { imageId });
    const blocked = qa.find(
      (q: any) => q.status === 'proposed' && q.subjects.includes(twinId) && q.blocked,
    );
    expect(blocked).toBeDefined();
    const auditBefore = await call('team', 'audit.list', { limit: 1000 });
    const approve = await both('reviews.decide', {
      qaId: blocked.id,
      decision: 'approve',
      confirmWarnings: true,
      reviewer: 'ann',
    });
    expect(approve).toMatchObject({ applied: false, blocked: blocked.blocked, entryId: null });
    expect(approve.warnings.map((w: any) => w.code)).toContain('ambiguous-referent');
    const edit = await both('reviews.decide', {
      qaId: blocked.id,
      decision: 'edit',
      editedAnswer: blocked.answer,
      confirmWarnings: true,
      reviewer: 'ann',
    });
    expect(edit).toMatchObject({ applied: false, blocked: expect.stringMatching(/no unique/) });
    const record = await refusedOnBoth('reviews.record', {
      qaId: blocked.id,
      decision: 'approve',
      reviewer: 'ann',
    });
    expect(record).toMatchObject({ code: 'invalid-input', message: blocked.blocked });
    expect(await call('team', 'audit.list', { limit: 1000 })).toEqual(auditBefore);
    expect(await call('team', 'reviews.list', { qaId: blocked.id })).toEqual([]);
    // Rejecting stays open on a blocked fact.
    const rejected = await both('reviews.decide', {
      qaId: blocked.id,
      decision: 'reject',
      reason: 'the name is ambiguous',
      reviewer: 'ann',
    });
    expect(rejected).toMatchObject({ applied: true, qa: { status: 'rejected' } });
    await undoBoth('ann');
  });

  it('warns as the desktop does when the geometry contradicts a QA or an edited length, and applies once confirmed', async () => {
    const { qa } = await call('team', 'reviews.image', { imageId });
    const pick = qa.find(
      (q: any) =>
        q.status === 'proposed' &&
        q.family === 'left_right' &&
        q.subjects.length === 2 &&
        q.blocked === null,
    );
    expect(pick).toBeDefined();
    const [a, b] = pick.subjects as number[];
    // Swap the two objects' places in the stored graph on both databases (QA not re-run).
    const deskScene = desktopScene(desktop.projects.get(desktopId));
    const teamScene = new SceneStore(team.project.db.db);
    const stored = (await deskScene.graph(imageId))!;
    const graph = structuredClone(stored.graph) as any;
    const na = graph.nodes.find((n: any) => n.id === a);
    const nb = graph.nodes.find((n: any) => n.id === b);
    for (const key of ['centroid', 'aabb', 'obb', 'bbox2d'])
      [na[key], nb[key]] = [nb[key], na[key]];
    graph.edges = graph.edges.map((e: any) => ({
      ...e,
      subject: e.subject === a ? b : e.subject === b ? a : e.subject,
      object: e.object === a ? b : e.object === b ? a : e.object,
    }));
    await deskScene.saveGraph(imageId, graph, stored.notes);
    await teamScene.saveGraph(imageId, graph, stored.notes);
    try {
      const warned = await both('reviews.decide', {
        qaId: pick.id,
        decision: 'approve',
        reviewer: 'bo',
      });
      expect(warned).toMatchObject({ applied: false, blocked: null, entryId: null });
      expect(warned.warnings.map((w: any) => w.code)).toContain('contradicts-geometry');
      expect(await call('team', 'reviews.list', { qaId: pick.id })).toEqual([]);
      const forced = await both('reviews.decide', {
        qaId: pick.id,
        decision: 'approve',
        confirmWarnings: true,
        reviewer: 'bo',
      });
      expect(forced).toMatchObject({ applied: true, qa: { status: 'approved' } });
      expect(forced.warnings).toEqual(warned.warnings);
      await undoBoth('bo');
      // In bulk too: the family's warnings per fact, and nothing written without confirmation.
      const decided = await call('team', 'reviews.list', { qaId: pick.id });
      const bulk = await both('reviews.bulk', {
        imageId,
        family: 'left_right',
        decision: 'approve',
        reviewer: 'bo',
      });
      expect(bulk).toMatchObject({ applied: 0, entryId: null });
      expect(bulk.warnings.map((w: any) => w.qaId)).toContain(pick.id);
      expect(await call('team', 'reviews.list', { qaId: pick.id })).toEqual(decided);
    } finally {
      await deskScene.saveGraph(imageId, stored.graph, stored.notes);
      await teamScene.saveGraph(imageId, stored.graph, stored.notes);
    }
    const metric = qa.find(
      (q: any) => q.status === 'proposed' && q.unit === 'm' && q.blocked === null,
    );
    expect(metric).toBeDefined();
    const edited = await both('reviews.decide', {
      qaId: metric.id,
      decision: 'edit',
      editedAnswer: 'about 40 meters',
      reviewer: 'bo',
    });
    expect(edited).toMatchObject({ applied: false, warnings: [{ code: 'answer-disagrees' }] });
  });

  it('bulk-approves a family as the desktop does: the blocked facts stay open, the rest are approved', async () => {
    const { qa } = await call('team', 'reviews.image', { imageId });
    // A family with blocked and approvable open facts.
    const family = [...new Set(qa.map((q: any) => q.family as string))].find(
      (f) =>
        qa.some((q: any) => q.family === f && q.status === 'proposed' && q.blocked) &&
        qa.some((q: any) => q.family === f && q.status === 'proposed' && !q.blocked),
    );
    expect(family).toBeDefined();
    const asked = { imageId, family, decision: 'approve', reviewer: 'cy' };
    const first = await both('reviews.bulk', asked);
    if (first.warnings.length > 0) {
      expect(first).toMatchObject({ applied: 0, entryId: null });
      await both('reviews.bulk', { ...asked, confirmWarnings: true });
    }
    const after = await both('reviews.image', { imageId, reviewer: 'cy' });
    const ofFamily = after.qa.filter((q: any) => q.family === family);
    expect(ofFamily.filter((q: any) => q.status === 'approved').length).toBeGreaterThan(0);
    for (const q of ofFamily) expect(q.status).toBe(q.blocked ? 'proposed' : 'approved');
    await undoBoth('cy');
    await both('qa.queue', { limit: 1000 });
  });
});
