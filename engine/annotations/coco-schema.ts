// The parts of a COCO instances file we read. Extra fields (info, licenses, area, ...) are allowed,
// so files from CVAT, Label Studio, FiftyOne or our own export (`sqw export --format coco`) all load.
import { z } from 'zod';

const Id = z.union([z.number().int(), z.string().min(1)]);

export const CocoRleSchema = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
});

export const CocoFileSchema = z.object({
  images: z.array(
    z
      .object({
        id: Id,
        file_name: z.string().min(1),
        width: z.number().int().positive().optional(),
        height: z.number().int().positive().optional(),
        /** Our own export's content hash of the image: matched before the file name. */
        sqw_sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
      })
      .passthrough(),
  ),
  annotations: z.array(
    z
      .object({
        id: Id.optional(),
        image_id: Id,
        category_id: Id,
        bbox: z.array(z.number()).length(4).optional(),
        segmentation: z.union([CocoRleSchema, z.array(z.array(z.number()))]).optional(),
        score: z.number().optional(),
        iscrowd: z.number().optional(),
        /** Our own export: false when `segmentation` is only the box as a polygon (no mask). */
        sqw_mask: z.boolean().optional(),
      })
      .passthrough(),
  ),
  categories: z.array(z.object({ id: Id, name: z.string().min(1) }).passthrough()),
});
export type CocoFile = z.infer<typeof CocoFileSchema>;
