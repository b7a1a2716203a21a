// Mask edits (issue 16 case 5) on the Redwood living room, where the chair's box-derived mask takes
// in the wall and sofa behind it (depth 1.8–2.2 m behind a chair at 1.2–1.5 m): a reviewer's mask
// replaces it, the image is re-derived (the chair's 3D box shrinks), undo puts the derived mask
// back, and neither re-derivation nor a pipeline re-run overwrites the reviewer's mask.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { ObjectState } from '../../db/store/rows';
import { reviewDecisionCount } from '../../db/store/testing/desktop-rows';
import {
  countsToString,
  decodeRle,
  encodeRle,
  type CocoRle,
} from '../../spatial/geometry/mask-rle';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { importCocoFile } from '../annotations/coco-import';
import { EventBus } from '../event-bus';
import { importBatch } from '../import/index';
import { loadDepthMetres } from '../pipeline/cpu-task';
import { RederiveQueue } from '../pipeline/rederive';
import { runJob, tempFolder } from '../pipeline/testing/run-job';
import { desktopReview } from './testing/desktop-review';
import { desktopScene } from '../test/desktop-results';
import { imageNamed, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
let dir: ReturnType<typeof tempFolder>;
let store: ProjectStore;
let imageId: number;
let depth: Float32Array;
const W = 640;
const H = 480;

beforeAll(async () => {
  dir = tempFolder('sqw-mask-edit-');
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, {
    folder: `${SAMPLES}/redwood-livingroom/color`,
    depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
    depthEncoding: 'mm',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  await runJob(store, { stages: ['segment', 'lift', 'graph', 'qa'] });
  const image = await imageNamed(store, '00000.jpg');
  imageId = image.id;
  depth = await loadDepthMetres(join(store.folder, image.depthBlob!), W, H);
});
afterAll(() => {
  store.close();
  dir.remove();
});

const queue = new RederiveQueue(new EventBus());
const review = () =>
  desktopReview(store, {
    onObjectsChanged: (ids) => ids.forEach((id) => queue.enqueue(store, id)),
  });
const commands = () => review().objects;
const chair = async (): Promise<ObjectState> =>
  (await layer(store).browse.objectStates(imageId)).find((o) => o.label === 'chair')!;
const chairNode = async () =>
  ((await layer(store).scene.graph(imageId))!.graph as SceneGraph).nodes.find(
    (n) => n.label === 'chair',
  )!;
const bitmap = (json: string) => decodeRle(JSON.parse(json) as CocoRle).mask;
const decisionCount = () => reviewDecisionCount(store.db);

/** What a reviewer erases: the chair's mask without the wall and sofa behind it (beyond 1.6 m). */
function erasedWall(derived: Uint8Array): Uint8Array {
  const out = derived.slice();
  for (let i = 0; i < out.length; i++) if (out[i] && depth[i]! > 1.6) out[i] = 0;
  return out;
}

describe('a reviewer mask edit', () => {
  let derivedRle: string;
  let derivedBox: [number, number, number, number];
  let derivedDepth: number;
  let edited: Uint8Array;

  it('erasing the wall behind the chair stores the mask, re-derives the image and shrinks the 3D box', async () => {
    const before = await chair();
    expect(before.maskProvenance).toBe('depth-cluster');
    derivedRle = before.maskRle!;
    derivedBox = before.box;
    derivedDepth = (await chairNode()).extent.depth;
    expect(derivedDepth).toBeGreaterThan(0.9); // the wall makes the chair a metre deep
    // Every QA of the image approved: the edit must not delete any decision.
    for (const q of await layer(store).browse.qaForImage(imageId))
      await layer(store).review.decideFact({
        qaId: q.id,
        decision: 'approve',
        reason: null,
        editedAnswer: null,
        reviewer: 'ana',
      });
    const decisions = decisionCount();
    const qaBefore = (await layer(store).browse.qaForImage(imageId)).length;

    edited = erasedWall(bitmap(derivedRle));
    const entry = await commands().setMask({
      objectId: before.id,
      expectedVersion: before.version,
      mask: encodeRle(edited, W, H),
      tool: 'eraser',
      actor: 'ana',
    });
    expect(entry.command).toBe('object.mask-eraser');
    const now = await chair();
    expect(now.maskProvenance).toBe('human');
    expect(typeof (JSON.parse(now.maskRle!) as CocoRle).counts).toBe('string'); // compressed
    expect(bitmap(now.maskRle!)).toEqual(edited);
    // The box is the mask's extent: the wall above the chair's back is gone from it.
    expect(now.box[1]).toBeGreaterThan(derivedBox[1]);

    await queue.idle();
    const node = await chairNode();
    expect(node.maskProvenance).toBe('human');
    expect(node.extent.depth).toBeLessThan(0.6);
    expect(node.extent.depth).toBeLessThan(derivedDepth - 0.4);
    // The stored mask is the reviewer's, not one derived again from the box.
    expect((await chair()).maskRle).toBe(now.maskRle);
    expect(decisionCount()).toBe(decisions);
    // Decided QA are kept (orphaned or changed at worst), never deleted.
    expect((await layer(store).browse.qaForImage(imageId)).length).toBeGreaterThanOrEqual(qaBefore);
  });

  it('undo puts the box-derived mask and box back and re-derives the old measurements', async () => {
    expect((await review().undo('ana'))?.command).toBe('object.mask-eraser');
    const now = await chair();
    expect(now.maskProvenance).toBe('depth-cluster');
    expect(now.maskRle).toBe(derivedRle);
    expect(now.box).toEqual(derivedBox);
    await queue.idle();
    expect((await chairNode()).extent.depth).toBeCloseTo(derivedDepth, 3);
    expect((await chair()).maskProvenance).toBe('depth-cluster');
  });

  it('a full pipeline re-run keeps the reviewer mask (redo brings it back first)', async () => {
    expect((await review().redo('ana'))?.command).toBe('object.mask-eraser');
    await queue.idle();
    const mask = (await chair()).maskRle;
    await runJob(store, { stages: ['segment', 'lift', 'graph', 'qa'] });
    expect((await chair()).maskProvenance).toBe('human');
    expect((await chair()).maskRle).toBe(mask);
    expect((await chairNode()).extent.depth).toBeLessThan(0.6);
    // A machine step asking to store a derived mask over it is refused.
    expect(await desktopScene(store).setMask((await chair()).id, derivedRle, 'depth-cluster')).toBe(
      false,
    );
    expect((await chair()).maskRle).toBe(mask);
  });

  it('an undo is refused when someone else changed the reviewer mask since', async () => {
    const c = await chair();
    const grown = edited.slice();
    for (let x = 400; x < 420; x++) grown[300 * W + x] = 1;
    await commands().setMask({
      objectId: c.id,
      expectedVersion: c.version,
      mask: encodeRle(grown, W, H),
      tool: 'brush',
      actor: 'bob',
    });
    // ana's last command is the mask edit bob has since painted over.
    await expect(review().undo('ana')).rejects.toThrow(
      /changed since by bob \(object\.mask-brush\)/,
    );
  });

  it('refuses a mask of another size, an empty one, corrupt counts and a stale version', async () => {
    const c = await chair();
    const edit = (mask: CocoRle, version = c.version) =>
      commands().setMask({
        objectId: c.id,
        expectedVersion: version,
        mask,
        tool: 'brush',
        actor: 'ana',
      });
    await expect(edit(encodeRle(new Uint8Array(10 * 10).fill(1), 10, 10))).rejects.toThrow(
      /mask is 10x10, the image is 640x480/,
    );
    await expect(edit(encodeRle(new Uint8Array(W * H), W, H))).rejects.toThrow(/mask has 0 pixel/);
    await expect(edit({ size: [H, W], counts: countsToString([5, 5]) })).rejects.toThrow(
      /not valid COCO RLE/,
    );
    await expect(edit(encodeRle(edited, W, H), c.version - 1)).rejects.toThrow(
      /changed in another window/,
    );
  });
});
