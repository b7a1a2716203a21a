// Stored objects as input to the spatial engine. A 'depth-cluster' mask is not an input but a
// stored derivation from the box and the depth: it is derived again (the engine snaps box-derived
// objects to the floor, which it cannot know for a mask handed in), so re-running an unedited
// image gives the same graph and the same QA facts.
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import type { SceneObjectInput } from '../../spatial/scene/build-scene-graph';
import type { MaskProvenance } from '../../spatial/scene/scene-graph';

export interface StoredObject {
  id: number;
  label: string;
  box: [number, number, number, number];
  maskRle: string | null;
  maskProvenance: string | null;
  attributes?: string[];
  excluded?: 'background' | 'unsure' | null;
}

export function sceneInputs(objects: readonly StoredObject[]): SceneObjectInput[] {
  return objects.map((o) => {
    const given = o.maskRle !== null && o.maskProvenance !== 'depth-cluster';
    return {
      id: o.id,
      label: o.label,
      attributes: o.attributes ?? [],
      excluded: o.excluded ?? null,
      bbox2d: o.box,
      mask: given ? { rle: JSON.parse(o.maskRle!) as CocoRle } : null,
      maskRef: given ? `objects/${o.id}` : null,
      maskProvenance: given ? ((o.maskProvenance as MaskProvenance | null) ?? null) : null,
    };
  });
}
