// `coco`: a COCO instances file (annotations.json) that pycocotools reads: images, categories, and
// per object bbox [x, y, w, h], area, iscrowd 0 and segmentation as RLE {size: [h, w], counts}
// (compressed string by default, uncompressed list with rle 'list'), or the box as a polygon for
// an object without a mask. `sqw_*` fields (ignored by pycocotools) let `sqw import --annotations`
// restore exactly what was exported: the mask flag, and the image's content hash for matching.
import { countsFromString, countsToString } from '../../../spatial/geometry/mask-rle';
import type { ExportObject } from '../project-source';
import { JsonArraySink } from '../sinks';
import { xywh, type FormatContext, type FormatWriter } from './types';

const IMAGES_PART = 'annotations.json.images.part';
const ANNOTATIONS_PART = 'annotations.json.annotations.part';

export function createCocoWriter(ctx: FormatContext): FormatWriter {
  const images = new JsonArraySink(ctx.w, IMAGES_PART);
  const annotations = new JsonArraySink(ctx.w, ANNOTATIONS_PART);
  const categories = new Map<string, number>();
  let nextAnnotation = 1;
  return {
    source: 'objects',
    async add(item) {
      const placed = await ctx.media.placeImage(item.image, 'images', { relativeTo: 'images' });
      const depth = await ctx.media.placeDepth(item.image, 'depth', placed.stem);
      await images.add({
        id: item.image.id,
        file_name: placed.path,
        width: item.image.width,
        height: item.image.height,
        sqw_sha256: item.image.sha256,
        ...(depth ? { sqw_depth_file: depth } : {}),
      });
      for (const o of item.objects.values()) {
        let category = categories.get(o.label);
        if (category === undefined) categories.set(o.label, (category = categories.size + 1));
        await annotations.add({
          id: nextAnnotation++,
          image_id: item.image.id,
          category_id: category,
          bbox: xywh(o.box),
          area: areaOf(o),
          iscrowd: 0,
          segmentation: segmentationOf(o, ctx.opts.rle),
          ...(o.score === null ? {} : { score: o.score }),
          sqw_object_id: o.id,
          sqw_mask: o.mask !== null,
          sqw_mask_provenance: o.maskProvenance,
        });
        ctx.counts.objects++;
        ctx.counts.records++;
      }
      ctx.counts.images++;
    },
    async finish() {
      await images.close();
      await annotations.close();
      const info = {
        description: `${await ctx.rows.projectName()}: objects exported by the Spatial QA Workstation`,
        version: '1.0',
        date_created: new Date().toISOString(),
      };
      const cats = [...categories.entries()].map(([name, id]) => ({
        id,
        name,
        supercategory: 'object',
      }));
      await ctx.w.append(
        'annotations.json',
        `{"info":${JSON.stringify(info)},"licenses":[],"categories":${JSON.stringify(cats)},"images":`,
      );
      await ctx.w.concat('annotations.json', [IMAGES_PART]);
      await ctx.w.append('annotations.json', ',"annotations":');
      await ctx.w.concat('annotations.json', [ANNOTATIONS_PART]);
      await ctx.w.append('annotations.json', '}\n');
    },
  };
}

function areaOf(o: ExportObject): number {
  if (!o.mask) return Math.max(0, (o.box[2] - o.box[0]) * (o.box[3] - o.box[1]));
  const counts =
    typeof o.mask.counts === 'string' ? countsFromString(o.mask.counts) : o.mask.counts;
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i]!;
  return area;
}

function segmentationOf(o: ExportObject, form: 'string' | 'list') {
  if (!o.mask) {
    const [x0, y0, x1, y1] = o.box;
    return [[x0, y0, x1, y0, x1, y1, x0, y1]];
  }
  const { size, counts } = o.mask;
  if (form === 'string')
    return { size, counts: typeof counts === 'string' ? counts : countsToString(counts) };
  return { size, counts: typeof counts === 'string' ? countsFromString(counts) : counts };
}
