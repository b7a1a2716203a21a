// Object and label edits on a team project, on a throwaway PostgreSQL cluster: the corridor and a
// living-room frame copied there from a desktop project (`sqw project copy`), edited through the
// team service. As on the desktop (engine/services/decisions-survive.test.ts), a relabel reaches
// every QA text — stored and exported (the project copied back to a folder and exported) — and
// keeps every decision; deletes hold decisions as orphaned and undo brings them back; edits are
// attributed, announced to the others, refused inside someone else's claim, and stale edits and
// undos over someone else's later edit are refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../contract/api';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { exportProject } from '../export/export';
import { corridorAndLivingRoomWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { createTeamEngine, type TeamEngine } from './team-engine';

const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let team: TeamEngine;
let url: string;
let blobs: string;
let corridor: number;
let living: number;
const events: EngineEvent[] = [];

async function rpc(method: string, input: Record<string, unknown> = {}) {
  return team.dispatch(method, { projectId: team.project.id, ...input }) as Promise<any>;
}
async function call(method: string, input: Record<string, unknown> = {}) {
  const res = await rpc(method, input);
  if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
  return res.result;
}
const view = (imageId: number) => call('reviews.image', { imageId });
const settle = () => team.project.rederive.idle();
const objectNamed = async (imageId: number, label: string) =>
  ((await view(imageId)).objects as any[]).find((o) => o.label === label);
const statuses = async (imageId: number) =>
  new Map(((await view(imageId)).qa as any[]).map((q) => [q.id, q.status]));
const textOf = (r: any) =>
  [r.question, r.answer, ...(r.steps ?? []).map((x: any) => x.text)].join(' ');

let exports = 0;
/** The team project copied back to a folder (`sqw project copy --to ./folder`), exported as qa-jsonl. */
async function exportFromTeam(): Promise<any[]> {
  const folder = join(dir.path, `copy-${++exports}`);
  await copyProject(url, folder, { blobs });
  const store = ProjectStore.open(folder);
  try {
    const outDir = join(dir.path, `qa-${exports}`);
    await exportProject(store, { format: 'qa-jsonl', outDir, phrasingsPerFact: 'all' });
    return readFileSync(join(outDir, 'qa.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } finally {
    store.close();
  }
}

describe.skipIf(postgres.skipReason)('object edits on a team project (PostgreSQL)', () => {
  beforeAll(async () => {
    dir = tempDir('sqw-team-edits-');
    const folder = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(folder);
    ({ corridor, living } = await corridorAndLivingRoomWithQa(store));
    store.close();
    url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'shared-blobs');
    await copyProject(folder, url, { blobs });
    team = await createTeamEngine({ database: url, blobs });
    team.events.subscribe((e) => events.push(e));
  }, 60_000);
  afterAll(async () => {
    await team?.close();
    dir?.remove();
  });

  it('relabels an object of approved facts: every QA text and export says the new label, every decision stays', async () => {
    for (const q of (await view(living)).qa as any[])
      if (q.status === 'proposed')
        await call('reviews.decide', { qaId: q.id, decision: 'approve', reviewer: 'ann' });
    const before = await statuses(living);
    expect([...before.values()].every((s) => s === 'approved')).toBe(true);
    const chair = await objectNamed(living, 'chair');
    const about = ((await view(living)).qa as any[]).filter(
      (q) => q.subjects.includes(chair.id) && q.naming === 'expression',
    );
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((q) => /chair/.test(`${q.question} ${q.answer}`))).toBe(true);

    const edit = await call('objects.update', {
      objectId: chair.id,
      expectedVersion: chair.version,
      label: 'cabinet',
      reviewer: 'ann',
    });
    expect(edit.object).toMatchObject({ id: chair.id, label: 'cabinet' });
    expect(edit.history.nextUndo).toMatchObject({ command: 'object.relabel' });
    await settle();

    // Stored QA (what the queue and the cards show): new label, same statuses, decisions kept.
    expect(await statuses(living)).toEqual(before);
    const stored = ((await view(living)).qa as any[]).filter((q) => q.subjects.includes(chair.id));
    expect(stored.length).toBeGreaterThanOrEqual(about.length);
    for (const q of stored) {
      expect(`${q.question} ${q.answer} ${q.measurement?.steps.join(' ')}`).not.toMatch(/chair/);
      if (q.naming === 'expression') expect(`${q.question} ${q.answer}`).toMatch(/cabinet/);
    }
    for (const q of about)
      expect((await call('reviews.list', { qaId: q.id })).at(-1)).toMatchObject({
        decision: 'approve',
        reviewer: 'ann',
      });
    // The export, from the team project copied back to a folder.
    const lines = (await exportFromTeam()).filter(
      (r) => r.image_id === living && r.subjects.includes(chair.id) && r.naming === 'expression',
    );
    expect(lines.length).toBeGreaterThanOrEqual(about.length);
    for (const r of lines) {
      expect(textOf(r)).not.toMatch(/chair/);
      expect(textOf(r)).toMatch(/cabinet/);
    }
    // Audited under the reviewer's name, announced to the others, and the image reloads.
    const [last] = await call('audit.list', { limit: 1 });
    expect(last).toMatchObject({
      actor: 'ann',
      command: 'object.relabel',
      target: `object:${chair.id}`,
    });
    expect(last.before.objects[0].label).toBe('chair');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'review',
        actor: 'ann',
        command: 'object.relabel',
        op: 'do',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'images-changed', imageId: living }),
    );
  }, 30_000);

  it('renames a label project-wide as one command; undo puts the old name back in the texts', async () => {
    const before = [await statuses(living), await statuses(corridor)];
    const renamed = await call('labels.rename', {
      from: 'cabinet',
      to: 'cupboard',
      reviewer: 'ann',
    });
    expect(renamed).toMatchObject({ changed: 2, merged: false });
    await settle();
    expect([await statuses(living), await statuses(corridor)]).toEqual(before);
    const texts = async (imageId: number) =>
      ((await view(imageId)).qa as any[]).map((q) => `${q.question} ${q.answer}`).join('\n');
    for (const id of [living, corridor]) {
      expect(await texts(id)).toMatch(/cupboard/);
      expect(await texts(id)).not.toMatch(/cabinet/);
    }
    const undo = await call('reviews.undo', { reviewer: 'ann' });
    expect(undo.entry).toMatchObject({ command: 'label.rename', op: 'undo', actor: 'ann' });
    await settle();
    expect([await statuses(living), await statuses(corridor)]).toEqual(before);
    for (const id of [living, corridor]) expect(await texts(id)).not.toMatch(/cupboard/);
    // Merging two labels in use is reported as a merge, and undone as one.
    const merged = await call('labels.merge', {
      from: ['cabinet', 'door'],
      into: 'furniture',
      reviewer: 'ann',
    });
    expect(merged).toMatchObject({ merged: true });
    expect(merged.changed).toBeGreaterThanOrEqual(3);
    await call('reviews.undo', { reviewer: 'ann' });
    await settle();
    expect(await objectNamed(corridor, 'door')).toBeDefined();
  }, 30_000);

  it('deletes an object: its approved QA are held as orphaned, undo brings them back approved', async () => {
    const door = await objectNamed(corridor, 'door');
    const q = ((await view(corridor)).qa as any[]).find(
      (x) => x.subjects.includes(door.id) && x.status === 'proposed',
    );
    await call('reviews.decide', { qaId: q.id, decision: 'approve', reviewer: 'ann' });
    const gone = await call('objects.delete', {
      objectId: door.id,
      expectedVersion: door.version,
      reviewer: 'ann',
    });
    expect(gone.object).toBeNull();
    await settle();
    const now = (await view(corridor)) as any;
    expect(now.objects.map((o: any) => o.id)).not.toContain(door.id);
    expect(now.qa.find((x: any) => x.id === q.id)?.status).toBe('orphaned');
    expect(await call('reviews.list', { qaId: q.id })).toHaveLength(1);
    expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe('object.delete');
    await settle();
    expect(((await view(corridor)).qa as any[]).find((x) => x.id === q.id)?.status).toBe(
      'approved',
    );
    // Redo deletes it again; undo again restores it.
    expect((await call('reviews.redo', { reviewer: 'ann' })).entry.command).toBe('object.delete');
    await settle();
    expect(await objectNamed(corridor, 'door')).toBeUndefined();
    await call('reviews.undo', { reviewer: 'ann' });
    await settle();
    expect(await objectNamed(corridor, 'door')).toBeDefined();
  }, 30_000);

  it('moves a box (its mask derived again from depth), excludes an object and sets attributes', async () => {
    const partition = await objectNamed(corridor, 'partition');
    const [x0, y0, x1, y1] = partition.box;
    const moved = await call('objects.update', {
      objectId: partition.id,
      expectedVersion: partition.version,
      box: [x0 - 10, y0, x1 - 10, y1],
      reviewer: 'ann',
    });
    expect(moved.object).toMatchObject({ box: [x0 - 10, y0, x1 - 10, y1], mask: null });
    await settle();
    const after = await objectNamed(corridor, 'partition');
    expect(after.box).toEqual([x0 - 10, y0, x1 - 10, y1]);
    expect(after.maskProvenance).toBe('depth-cluster');

    const excluded = await call('objects.exclude', {
      objectId: after.id,
      expectedVersion: after.version,
      reason: 'background',
      reviewer: 'ann',
    });
    expect(excluded.object.excluded).toBe('background');
    await settle();
    const qa = ((await view(corridor)).qa as any[]).filter((q) => q.subjects.includes(after.id));
    expect(qa.every((q) => q.status === 'orphaned')).toBe(true);
    await call('objects.exclude', {
      objectId: after.id,
      expectedVersion: excluded.object.version,
      reason: null,
      reviewer: 'ann',
    });
    await settle();

    const door = await objectNamed(corridor, 'door');
    await call('objects.setAttributes', {
      objectId: door.id,
      expectedVersion: door.version,
      attributes: ['wooden'],
      reviewer: 'ann',
    });
    await settle();
    const named = ((await view(corridor)).qa as any[]).filter(
      (q) => q.subjects.includes(door.id) && q.naming === 'expression',
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.some((q) => /wooden door/.test(q.question))).toBe(true);
  }, 30_000);

  it("refuses an edit inside someone else's claim, naming the holder", async () => {
    const door = await objectNamed(corridor, 'door');
    const partition = await objectNamed(corridor, 'partition');
    const taken = await call('claims.take', { label: 'door', reviewer: 'alice' });
    const refused = await rpc('objects.update', {
      objectId: door.id,
      expectedVersion: door.version,
      label: 'gate',
      reviewer: 'bob',
    });
    expect(refused.error.code).toBe('conflict');
    expect(refused.error.message).toContain(`object #${door.id} (door) is held by alice until`);
    // Relabelling another object into the claimed label is inside it too.
    const into = await rpc('objects.update', {
      objectId: partition.id,
      expectedVersion: partition.version,
      label: 'door',
      reviewer: 'bob',
    });
    expect(into.error.code).toBe('conflict');
    const rename = await rpc('labels.rename', { from: 'door', to: 'gate', reviewer: 'bob' });
    expect(rename.error.code).toBe('conflict');
    // The holder edits; nothing of bob's was written.
    await call('objects.setAttributes', {
      objectId: door.id,
      expectedVersion: door.version,
      attributes: ['tall'],
      reviewer: 'alice',
    });
    await call('claims.release', { claimId: taken.claim.id, reviewer: 'alice' });
    expect((await objectNamed(corridor, 'partition')).version).toBe(partition.version);
    // A family claim holds the objects its QA name.
    const family = ((await view(corridor)).qa as any[]).find((q) =>
      q.subjects.includes(partition.id),
    ).family;
    const fam = await call('claims.take', { family, reviewer: 'alice' });
    const inFamily = await rpc('objects.delete', {
      objectId: partition.id,
      expectedVersion: partition.version,
      reviewer: 'bob',
    });
    expect(inFamily.error.code).toBe('conflict');
    expect(inFamily.error.message).toContain(`family ${family}`);
    await call('claims.release', { claimId: fam.claim.id, reviewer: 'alice' });
  });

  it('refuses a stale edit, and an undo over a later edit of someone else', async () => {
    const partition = await objectNamed(corridor, 'partition');
    await call('objects.update', {
      objectId: partition.id,
      expectedVersion: partition.version,
      label: 'wall panel',
      reviewer: 'ann',
    });
    const stale = await rpc('objects.update', {
      objectId: partition.id,
      expectedVersion: partition.version,
      label: 'screen',
      reviewer: 'bob',
    });
    expect(stale.error.code).toBe('invalid-input');
    expect(stale.error.message).toMatch(/you edited version \d+, it is now at version \d+/);
    const now = await objectNamed(corridor, 'wall panel');
    await call('objects.update', {
      objectId: now.id,
      expectedVersion: now.version,
      label: 'screen',
      reviewer: 'bob',
    });
    const undo = await rpc('reviews.undo', { reviewer: 'ann' });
    expect(undo.error.code).toBe('invalid-input');
    expect(undo.error.message).toContain('by bob (object.relabel); it stays as they left it');
    // bob undoes his own; then ann's undo goes through.
    await call('reviews.undo', { reviewer: 'bob' });
    expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe('object.relabel');
    await settle();
    expect(await objectNamed(corridor, 'partition')).toBeDefined();
  });
});
