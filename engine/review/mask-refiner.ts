// Click-to-refine: the installed segmentation model (SAM, SlimSAM) run on one object's box and the
// reviewer's clicks. It proposes a mask and stores nothing; applying it is a mask edit like a
// brush stroke (objects.setMask). One adapter per model is kept, so its image-embedding
// cache makes every click after the first on an image cost one decoder run. The desktop's models
// folder and device are the defaults; `sqw serve --database` passes its --models-dir and --device
// (as `sqw worker` takes them), and each side says where the object, image and pixels come from.
import type { MaskProposal, PromptPoint, SegmenterStatus } from '../../contract/review';
import type { ImageRow } from '../../db/store/rows';
import type { BoxXYXY } from '../../native-models/adapters';
import { adapterKind } from '../../native-models/adapters';
import { createSam, type SamSegmenter } from '../../native-models/adapters/sam';
import { createSlimSam, type SlimSamSegmenter } from '../../native-models/adapters/slimsam';
import { CATALOGUE } from '../../native-models/catalogue';
import type { ModelManifest } from '../../native-models/manifest';
import { SessionPool } from '../../native-models/session-pool';
import type { Device } from '../../native-models/providers';
import { ModelStore } from '../../native-models/store';
import { NotFoundError, UserInputError } from '../errors';
import type { DecodedImage } from '../pipeline/model-stage';

type Segmenter = SamSegmenter | SlimSamSegmenter;

/** Where a refinement reads the object, its image row and the image's upright pixels. */
export interface RefineSource {
  object(id: number): Promise<{ imageId: number; box: BoxXYXY; deleted: boolean } | undefined>;
  image(id: number): Promise<ImageRow | undefined>;
  /** The image's upright RGB: the desktop's from its files, a team's from the shared blob folder. */
  rgb(image: ImageRow): Promise<DecodedImage>;
}

export interface MaskRefinerOptions {
  /** Default: $SQW_MODELS_DIR, else ~/.sqw/models, read at each call. */
  modelsDir?: string | null;
  /** Default auto: the best provider that loads. */
  device?: Device;
  /** What the "no model" reason tells the person to do, given the models folder looked in. */
  installHint?: (modelsDir: string) => string;
}

export class MaskRefiner {
  private readonly pool = new SessionPool();
  private readonly segmenters = new Map<string, Segmenter>();

  constructor(private readonly options: MaskRefinerOptions = {}) {}

  /** The first installed segmentation model with an adapter, in catalogue order. */
  private find(): { manifest: ModelManifest; segmenter: Segmenter } | null {
    // Resolved per call: a model installed or removed meanwhile (or $SQW_MODELS_DIR) counts.
    const store = new ModelStore(this.options.modelsDir);
    for (const manifest of CATALOGUE) {
      if (manifest.task !== 'segmentation' || !store.state(manifest).installed) continue;
      const key = `${store.dir}\0${manifest.id}`;
      let segmenter = this.segmenters.get(key);
      if (!segmenter) {
        const ctx = { manifest, store, pool: this.pool, device: this.options.device ?? 'auto' };
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
    if (!found) {
      const hint = this.options.installHint;
      return {
        available: false,
        model: null,
        points: false,
        reason: `no segmentation model is installed: ${
          hint
            ? hint(new ModelStore(this.options.modelsDir).dir)
            : 'install SAM or SlimSAM (Models) to refine masks by clicking'
        }`,
      };
    }
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
    source: RefineSource,
    objectId: number,
    points: readonly PromptPoint[],
  ): Promise<MaskProposal> {
    const object = await source.object(objectId);
    if (!object || object.deleted) throw new NotFoundError(`object not found: ${objectId}`);
    const image = await source.image(object.imageId);
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
    const rgb = await source.rgb(image);
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
