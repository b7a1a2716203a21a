// Click-to-refine on a team project served over HTTP (`sqw serve --database --models-dir`): the
// corridor with its graph and QA is copied to a throwaway PostgreSQL cluster, and the same calls
// go to a desktop engine on the SQLite folder and, through reviewer accounts, to the team server.
// Without a model both say why and refuse; with the tiny SlimSAM the team server's proposal is the
// desktop's mask, applying it is an edit attributed to the signed-in reviewer, re-derived as on
// the desktop (decisions kept), and undo restores the mask the object had.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { decodeRle } from '../../spatial/geometry/mask-rle';
import { createEngine, type Engine } from '../engine';
import { installTinySlimSam } from '../pipeline/testing/tiny-models';
import type { RunningServer } from '../server/http-server';
import { corridorWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { blobKeyOf, sourceBlobKey } from './blob-store';
import type { TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';

const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let models: string;
let blobs: string;
let desktop: Engine;
let team: TeamEngine;
let server: RunningServer;
let desktopId: string;
let imageId: number;
const tokens = { alice: '', vera: '' };
const savedModelsDir = process.env.SQW_MODELS_DIR;

async function desktopCall(method: string, input: Record<string, unknown> = {}) {
  return (await desktop.dispatch(method, { projectId: desktopId, ...input })) as any;
}
/** The team server's answer over HTTP, as `token`'s account: `{ ok, result | error }` and status. */
async function teamCall(token: string, method: string, input: Record<string, unknown> = {}) {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ method, input: { projectId: team.project.id, ...input } }),
  });
  return { status: res.status, ...((await res.json()) as any) };
}
function result(side: string, method: string, res: any) {
  if (!res.ok) throw new Error(`${side} ${method}: ${res.error.code}: ${res.error.message}`);
  return res.result;
}
const onDesktop = async (method: string, input: Record<string, unknown> = {}) =>
  result('desktop', method, await desktopCall(method, input));
const onTeam = async (token: string, method: string, input: Record<string, unknown> = {}) =>
  result('team', method, await teamCall(token, method, input));
/** Both sides' view of the image after their re-derivations, which must be equal. */
async function settledViews() {
  await desktop.rederive.idle();
  await team.project.rederive.idle();
  const d = await onDesktop('reviews.image', { imageId, reviewer: 'alice' });
  const t = await onTeam(tokens.alice, 'reviews.image', { imageId });
  expect(t).toEqual(d);
  return d;
}
const cabinetOf = (view: any) => view.objects.find((o: any) => o.label === 'cabinet');

describe.skipIf(postgres.skipReason)('click-to-refine on a team project', () => {
  beforeAll(async () => {
    dir = tempDir();
    models = join(dir.path, 'models');
    // The desktop's refiner reads $SQW_MODELS_DIR; the team server gets --models-dir.
    process.env.SQW_MODELS_DIR = models;
    const folder = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(folder);
    imageId = await corridorWithQa(store);
    store.close();
    const url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'shared-blobs');
    await copyProject(folder, url, { blobs });
    const served = await serveTeam(
      { database: url, blobs, modelsDir: models, device: 'cpu' },
      { alice: 'reviewer', vera: 'viewer' },
    );
    ({ team, server } = served);
    Object.assign(tokens, served.tokens);
    desktop = await createEngine({ transport: 'http', projectFolders: [folder] });
    desktopId = desktop.projects.list()[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    await desktop?.close();
    dir?.remove();
    if (savedModelsDir === undefined) delete process.env.SQW_MODELS_DIR;
    else process.env.SQW_MODELS_DIR = savedModelsDir;
  });

  it("without a segmentation model says why, naming the server's models folder, and refuses", async () => {
    const status = await onTeam(tokens.vera, 'objects.segmenter');
    expect(status).toEqual({
      available: false,
      model: null,
      points: false,
      reason: `no segmentation model is installed: install SAM or SlimSAM into ${models} on the server (\`sqw models download slimsam-77-uniform --models-dir ${models}\`), the folder \`sqw serve --database\` reads (--models-dir)`,
    });
    expect((await onDesktop('objects.segmenter')).available).toBe(false);
    const cabinet = cabinetOf(await settledViews());
    const refused = await teamCall(tokens.alice, 'objects.refineMask', { objectId: cabinet.id });
    expect(refused.error).toEqual({ code: 'invalid-input', message: status.reason });
    const onTheDesktop = await desktopCall('objects.refineMask', { objectId: cabinet.id });
    expect(onTheDesktop.error.code).toBe(refused.error.code);
  });

  it("gives the desktop's mask; applying it is alice's edit, re-derived as on the desktop; undo restores", async () => {
    installTinySlimSam(models);
    const status = await onTeam(tokens.vera, 'objects.segmenter');
    expect(status).toEqual({
      available: true,
      model: 'slimsam-77-uniform',
      points: true,
      reason: null,
    });
    expect(await onDesktop('objects.segmenter')).toEqual(status);

    const before = await settledViews();
    const cabinet = cabinetOf(before);
    // A decision on a fact about the cabinet, on both sides: kept through the re-derivation.
    const fact = before.qa.find(
      (q: any) => q.status === 'proposed' && q.subjects.includes(cabinet.id) && !q.blocked,
    );
    expect(fact).toBeDefined();
    const approve = { qaId: fact.id, decision: 'approve', confirmWarnings: true };
    await onDesktop('reviews.decide', { ...approve, reviewer: 'alice' });
    await onTeam(tokens.alice, 'reviews.decide', approve);

    // A negative click inside the cabinet's box (368..503 × 88..412 in the 640 × 480 corridor).
    const points = [{ x: 435, y: 250, positive: false }];
    const refine = { objectId: cabinet.id, points };
    expect((await teamCall(tokens.vera, 'objects.refineMask', refine)).status).toBe(403);
    const proposal = await onTeam(tokens.alice, 'objects.refineMask', refine);
    const { tookMs: _d, ...desktopProposal } = await onDesktop('objects.refineMask', refine);
    const { tookMs: _t, ...teamProposal } = proposal;
    expect(teamProposal).toEqual(desktopProposal);
    const { mask } = decodeRle(proposal.mask);
    expect(mask[250 * 640 + 435]).toBe(0); // cut out by the click
    expect(mask[100 * 640 + 435]).toBe(1); // the rest of the box
    expect(mask[250 * 640 + 300]).toBe(0); // outside the box
    // Nothing is stored by a refinement.
    expect(cabinetOf(await settledViews())).toEqual(cabinet);

    const apply = {
      objectId: cabinet.id,
      expectedVersion: cabinet.version,
      mask: proposal.mask,
      tool: 'refine',
    };
    await onDesktop('objects.setMask', { ...apply, reviewer: 'alice' });
    // The name sent is not the one recorded: the signed-in account is.
    const applied = await onTeam(tokens.alice, 'objects.setMask', { ...apply, reviewer: 'bob' });
    expect(applied.object).toMatchObject({ id: cabinet.id, maskProvenance: 'human' });
    expect(decodeRle(applied.object.mask).mask).toEqual(mask);
    const [entry] = await onTeam(tokens.vera, 'audit.list', { limit: 1 });
    expect(entry).toMatchObject({ actor: 'alice', command: 'object.mask-refine' });
    // A second apply of the same proposal at the old version is a stale edit.
    const stale = await teamCall(tokens.alice, 'objects.setMask', apply);
    expect(stale.error.message).toMatch(/was changed in another window/);

    const after = await settledViews();
    expect(cabinetOf(after).version).toBe(cabinet.version + 1);
    expect(decodeRle(cabinetOf(after).mask).mask).toEqual(mask);
    expect(after.qa.find((q: any) => q.id === fact.id)?.status).toBe('approved');

    const undone = await onTeam(tokens.alice, 'reviews.undo', {});
    expect(undone.entry).toMatchObject({ command: 'object.mask-refine', op: 'undo' });
    await onDesktop('reviews.undo', { reviewer: 'alice' });
    const restored = cabinetOf(await settledViews());
    expect(restored.mask).toEqual(cabinet.mask);
    expect(restored.maskProvenance).toBe(cabinet.maskProvenance);
    const [undoEntry] = await onTeam(tokens.vera, 'audit.list', { limit: 1 });
    expect(undoEntry).toMatchObject({ actor: 'alice', command: 'object.mask-refine', op: 'undo' });
  }, 30_000);

  it('reads the colour image from the shared blob folder, and says which file is missing', async () => {
    const image = (await team.project.catalog.image(imageId))!;
    const key = image.uprightBlob ? blobKeyOf(image.uprightBlob) : sourceBlobKey(image);
    const cabinet = cabinetOf(await onTeam(tokens.alice, 'reviews.image', { imageId }));
    const refine = { objectId: cabinet.id, points: [{ x: 435, y: 250, positive: true }] };
    renameSync(join(blobs, key), join(blobs, `${key}.away`));
    try {
      const refused = await teamCall(tokens.alice, 'objects.refineMask', refine);
      expect(refused.ok).toBe(false);
      expect(refused.error.message).toContain(key);
    } finally {
      renameSync(join(blobs, `${key}.away`), join(blobs, key));
    }
    // Two reviewers' refinements at once share the server's one loaded model.
    const [grown, cut] = await Promise.all([
      onTeam(tokens.alice, 'objects.refineMask', {
        ...refine,
        points: [{ x: 340, y: 250, positive: true }],
      }),
      onTeam(tokens.alice, 'objects.refineMask', {
        ...refine,
        points: [{ x: 435, y: 250, positive: false }],
      }),
    ]);
    expect(decodeRle(grown.mask).mask[250 * 640 + 340]).toBe(1); // the disc beside the box
    expect(decodeRle(cut.mask).mask[250 * 640 + 435]).toBe(0);
    expect(grown.area).toBeGreaterThan(cut.area);
  });
});
