// A relabel on a team project reaches every QA text and every export, and keeps every decision
// (issue 21), as on the desktop (engine/services/decisions-survive.test.ts): the corridor and a
// living-room frame copied to a throwaway PostgreSQL cluster, relabelled through the team service,
// re-derived by the workers' computation, then the project copied back to a folder (`sqw project
// copy`) and exported. A project-wide rename and a label merge are one command each, undone as one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { exportProject } from '../export/export';
import { corridorAndLivingRoomWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { openTeamEdits, type TeamEdits } from '../test/team-edits';

const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let t: TeamEdits<{ corridor: number; living: number }>;
let corridor: number;
let living: number;
const call = (method: string, input?: Record<string, unknown>) => t.call(method, input);
const view = (imageId: number) => t.view(imageId);
const statuses = (imageId: number) => t.statuses(imageId);
const objectNamed = (imageId: number, label: string) => t.objectNamed(imageId, label);
const settle = () => t.settle();
const textOf = (r: any) =>
  [r.question, r.answer, ...(r.steps ?? []).map((x: any) => x.text)].join(' ');

/** The team project copied back to a folder (`sqw project copy --to ./folder`), exported as qa-jsonl. */
async function exportFromTeam(): Promise<any[]> {
  const folder = join(dir.path, 'copy');
  await copyProject(t.url, folder, { blobs: t.blobs });
  const store = ProjectStore.open(folder);
  try {
    const outDir = join(dir.path, 'qa');
    await exportProject(store, { format: 'qa-jsonl', outDir, phrasingsPerFact: 'all' });
    return readFileSync(join(outDir, 'qa.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } finally {
    store.close();
  }
}

describe.skipIf(postgres.skipReason)('a relabel on a team project (PostgreSQL)', () => {
  beforeAll(async () => {
    dir = tempDir('sqw-team-relabel-');
    t = await openTeamEdits(dir.path, postgres.cluster(), corridorAndLivingRoomWithQa);
    ({ corridor, living } = t.built);
  }, 60_000);
  afterAll(async () => {
    await t?.team.close();
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
    expect(t.events).toContainEqual(
      expect.objectContaining({
        type: 'review',
        actor: 'ann',
        command: 'object.relabel',
        op: 'do',
      }),
    );
    expect(t.events).toContainEqual(
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
});
