// Object edits on a team project (issue 21), on a throwaway PostgreSQL cluster: the corridor
// copied there from a desktop project and edited through the team service. Deletes hold decisions
// as orphaned and undo brings them back; a moved box gets a mask derived from depth again;
// exclusion, attributes, split, referent pick, merge and a reviewer's mask work and undo as on the
// desktop; an edit inside someone else's claim is refused naming the holder; stale edits and an
// undo over someone else's later edit are refused, and so are an undo and a redo inside a claim
// someone else took since; an edit made on the desktop before the copy is undone on the team
// project. (The relabel: team-relabel.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { encodeRle } from '../../spatial/geometry/mask-rle';
import { desktopReview } from '../review/testing/desktop-review';
import { corridorWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { openTeamEdits, type TeamEdits } from '../test/team-edits';
import { layer } from '../test/layer';

const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let t: TeamEdits<number>;
let corridor: number;
const call = (method: string, input?: Record<string, unknown>) => t.call(method, input);
const rpc = (method: string, input?: Record<string, unknown>) => t.rpc(method, input);
const view = (imageId: number) => t.view(imageId);
const objectNamed = (imageId: number, label: string) => t.objectNamed(imageId, label);
const settle = () => t.settle();

describe.skipIf(postgres.skipReason)('object edits on a team project (PostgreSQL)', () => {
  beforeAll(async () => {
    dir = tempDir('sqw-team-edits-');
    t = await openTeamEdits(dir.path, postgres.cluster(), async (store) => {
      const imageId = await corridorWithQa(store);
      // An edit made on the desktop before the project moved to PostgreSQL.
      const cabinet = (await layer(store).browse.objectStates(imageId)).find(
        (o) => o.label === 'cabinet',
      )!;
      await desktopReview(store).objects.update({
        objectId: cabinet.id,
        expectedVersion: cabinet.version,
        label: 'cupboard',
        actor: 'ann',
      });
      return imageId;
    });
    corridor = t.built;
  }, 60_000);
  afterAll(async () => {
    await t?.team.close();
    dir?.remove();
  });

  it('undoes an object edit made on the desktop before the copy', async () => {
    const cupboard = await objectNamed(corridor, 'cupboard');
    expect((await call('reviews.history', { reviewer: 'ann' })).nextUndo).toMatchObject({
      command: 'object.relabel',
      target: `object:${cupboard.id}`,
    });
    const undo = await call('reviews.undo', { reviewer: 'ann' });
    expect(undo.entry).toMatchObject({ command: 'object.relabel', op: 'undo', actor: 'ann' });
    await settle();
    expect((await objectNamed(corridor, 'cabinet'))?.id).toBe(cupboard.id);
    const about = ((await view(corridor)).qa as any[]).filter(
      (q) => q.subjects.includes(cupboard.id) && q.naming === 'expression',
    );
    expect(about.length).toBeGreaterThan(0);
    for (const q of about) expect(`${q.question} ${q.answer}`).not.toMatch(/cupboard/);
  });

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

  it('splits an object, picks which one a shared name means, merges them back, sets a mask', async () => {
    const partition = await objectNamed(corridor, 'partition');
    const [x0, y0, x1, y1] = partition.box;
    const mid = Math.round((x0 + x1) / 2);
    const split = await call('objects.split', {
      objectId: partition.id,
      expectedVersion: partition.version,
      boxes: [
        [x0, y0, mid, y1],
        [mid, y0, x1, y1],
      ],
      reviewer: 'ann',
    });
    expect(split.object).toMatchObject({ id: partition.id, box: [x0, y0, mid, y1] });
    await settle();
    const halves = ((await view(corridor)).objects as any[]).filter((o) => o.label === 'partition');
    expect(halves).toHaveLength(2);
    const [kept, made] = halves as [any, any];
    expect(made.maskProvenance).toBe('depth-cluster');

    // Two partitions: say which one "the partition" means.
    const picked = await call('objects.pickReferent', {
      objectId: kept.id,
      expectedVersion: kept.version,
      others: [{ objectId: made.id, expectedVersion: made.version, exclude: 'unsure' }],
      reviewer: 'ann',
    });
    expect(picked.object.id).toBe(kept.id);
    expect((await objectNamed(corridor, 'partition')).id).toBe(kept.id);
    await call('reviews.undo', { reviewer: 'ann' });
    await settle();

    const now = ((await view(corridor)).objects as any[]).filter((o) => o.label === 'partition');
    const merged = await call('objects.merge', {
      kept: { objectId: now[0].id, expectedVersion: now[0].version },
      merged: { objectId: now[1].id, expectedVersion: now[1].version },
      reviewer: 'ann',
    });
    expect(merged.object.box).toEqual([x0, y0, x1, y1]);
    await settle();
    expect(((await view(corridor)).objects as any[]).map((o) => o.id)).not.toContain(made.id);

    // A reviewer's mask: a rectangle inside the box; re-derivation keeps it.
    const { width, height } = await call('images.get', { imageId: corridor });
    const bitmap = new Uint8Array(width * height);
    for (let y = y0 + 20; y < y0 + 120; y++)
      for (let x = x0 + 10; x < x0 + 60; x++) bitmap[y * width + x] = 1;
    const whole = await objectNamed(corridor, 'partition');
    const masked = await call('objects.setMask', {
      objectId: whole.id,
      expectedVersion: whole.version,
      mask: encodeRle(bitmap, width, height),
      tool: 'brush',
      reviewer: 'ann',
    });
    expect(masked.object).toMatchObject({
      maskProvenance: 'human',
      box: [x0 + 10, y0 + 20, x0 + 60, y0 + 120],
    });
    await settle();
    expect((await objectNamed(corridor, 'partition')).maskProvenance).toBe('human');

    // Undo the mask, the merge and the split: one partition with its first box again.
    for (const command of ['object.mask-brush', 'object.merge', 'object.split'])
      expect((await call('reviews.undo', { reviewer: 'ann' })).entry.command).toBe(command);
    await settle();
    const back = ((await view(corridor)).objects as any[]).filter((o) => o.label === 'partition');
    expect(back.map((o) => [o.id, o.box])).toEqual([[partition.id, partition.box]]);
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

  it('refuses an undo or redo inside a claim someone else took since, until it is released', async () => {
    const door = await objectNamed(corridor, 'door');
    await call('objects.setAttributes', {
      objectId: door.id,
      expectedVersion: door.version,
      attributes: ['grey'],
      reviewer: 'bob',
    });
    await settle();
    const byLabel = await call('claims.take', { label: 'door', reviewer: 'alice' });
    const undo = await rpc('reviews.undo', { reviewer: 'bob' });
    expect(undo.error.code).toBe('conflict');
    expect(undo.error.message).toContain(`object #${door.id} (door) is held by alice until`);
    expect((await objectNamed(corridor, 'door')).attributes).toEqual(['grey']);
    await call('claims.release', { claimId: byLabel.claim.id, reviewer: 'alice' });
    expect((await call('reviews.undo', { reviewer: 'bob' })).entry.op).toBe('undo');
    await settle();
    expect((await objectNamed(corridor, 'door')).attributes).not.toContain('grey');

    // A decision's undo and redo, inside a family claim.
    const q = ((await view(corridor)).qa as any[]).find((x) => x.status === 'proposed');
    await call('reviews.decide', { qaId: q.id, decision: 'approve', reviewer: 'bob' });
    const fam = await call('claims.take', { family: q.family, reviewer: 'alice' });
    const undoDecision = await rpc('reviews.undo', { reviewer: 'bob' });
    expect(undoDecision.error.code).toBe('conflict');
    expect(undoDecision.error.message).toMatch(/^This undo \(review\.\w+\) is held by alice until/);
    expect((await t.statuses(corridor)).get(q.id)).toBe('approved');
    await call('claims.release', { claimId: fam.claim.id, reviewer: 'alice' });
    await call('reviews.undo', { reviewer: 'bob' });
    expect((await t.statuses(corridor)).get(q.id)).toBe('proposed');
    const again = await call('claims.take', { family: q.family, reviewer: 'alice' });
    const redo = await rpc('reviews.redo', { reviewer: 'bob' });
    expect(redo.error.code).toBe('conflict');
    expect(redo.error.message).toContain('This redo');
    expect((await t.statuses(corridor)).get(q.id)).toBe('proposed');
    await call('claims.release', { claimId: again.claim.id, reviewer: 'alice' });
    await call('reviews.redo', { reviewer: 'bob' });
    expect((await t.statuses(corridor)).get(q.id)).toBe('approved');
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
