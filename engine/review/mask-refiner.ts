// Click-to-refine: the installed segmentation model (SAM, SlimSAM) run on one object's box and the
// reviewer's clicks. It proposes a mask and stores nothing; applying it is a mask edit like a
// brush stroke (objects.setMask). One adapter per model is kept, so its image-embedding
// cache makes every click after the first on an image cost one decoder run.
import type { MaskProposal, PromptPoint, SegmenterStatus } from '../../contract/review';
import type { ProjectStore } from '../../db/project-store';
import { BrowseStore } from '../../db/store/browse-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { adapterKind } from '../../native-models/adapters';
import { createSam, type SamSegmenter } from '../../native-models/adapters/sam';
import { createSlimSam, type SlimSamSegmenter } from '../../native-models/adapters/slimsam';
import { CATALOGUE } from '../../native-models/catalogue';
import type { ModelManifest } from '../../native-models/manifest';
import { SessionPool } from '../../native-models/session-pool';
import { ModelStore } from '../../native-models/store';
import { NotFoundError, UserInputError } from '../errors';
import { decodeImage } from '../pipeline/image-run';

type Segmenter = SamSegmenter | SlimSamSegmenter;

export class MaskRefiner {
  private readonly pool = new SessionPool();
  private readonly segmenters = new Map<string, Segmenter>();

  /** The first installed segmentation model with an adapter, in catalogue order. */
  private find(): { manifest: ModelManifest; segmenter: Segmenter } | null {
    // Resolved per call: a model installed or removed meanwhile (or $SQW_MODELS_DIR) counts.
    const store = new ModelStore();
    for (const manifest of CATALOGUE) {
      if (manifest.task !== 'segmentation' || !store.state(manifest).installed) continue;
      const key = `${store.dir}\0${manifest.id}`;
      let segmenter = this.segmenters.get(key);
      if (!segmenter) {
        const ctx = { manifest, store, pool: this.pool, device: 'auto' as const };
        const kind = adapterKind(manifest);
        if (kind !== 'sam' && kind !== 'slimsam') continue;
        segmenter = kind === 'sam' ? createSam(ctx) : createSlimSam(ctx);
        this.segmenters.set(key, segmenter);
      }
      return { manifest, segmenter };
    }
    return null;
  }

  async status(): Promise<SegmenterStatus> {
    const found = this.find();
    if (!found)
      return {
        available: false,
        model: null,
        points: false,
        reason:
          'no segmentation model is installed: install SAM or SlimSAM (Models) to refine masks by clicking',
      };
    try {
      const points = await found.segmenter.acceptsPoints();
      return {
        available: true,
        model: found.manifest.id,
        points,
        reason: points
          ? null
          : `${found.manifest.id} takes boxes only: refine proposes the mask of the object's box`,
      };
    } catch (err) {
      return {
        available: false,
        model: found.manifest.id,
        points: false,
        reason: `${found.manifest.id} could not be loaded: ${(err as Error).message}`,
      };
    }
  }

  /** The model's mask for the object's box and the clicks (image pixels). */
  async refine(
    store: ProjectStore,
    objectId: number,
    points: readonly PromptPoint[],
  ): Promise<MaskProposal> {
    const db = sqliteHandle(store.db);
    const object = await new BrowseStore(db).objectState(objectId);
    if (!object || object.deleted) throw new NotFoundError(`object not found: ${objectId}`);
    const image = await new CatalogStore(db).image(object.imageId);
    if (!image) throw new NotFoundError(`image not found: ${object.imageId}`);
    const found = this.find();
    if (!found) throw new UserInputError((await this.status()).reason!);
    if (points.length > 0 && !(await found.segmenter.acceptsPoints()))
      throw new UserInputError(
        `${found.manifest.id} takes boxes only: clicks cannot refine the mask`,
      );
    for (const p of points)
      if (!(p.x >= 0 && p.x <= image.width && p.y >= 0 && p.y <= image.height))
        throw new UserInputError(
          `click (${Math.round(p.x)}, ${Math.round(p.y)}) is outside the image`,
        );
    const t0 = performance.now();
    const rgb = await decodeImage(store, image);
    const out = await found.segmenter.run(rgb, {
      boxes: [object.box],
      points,
      imageKey: `${image.sha256}:${image.width}x${image.height}`,
    });
    const m = out.masks[0]!;
    return {
      mask: m.rle,
      area: m.area,
      score: m.score,
      model: found.manifest.id,
      tookMs: performance.now() - t0,
    };
  }

  async release(): Promise<void> {
    this.segmenters.clear();
    await this.pool.release();
  }
}
