// The scene panel's and 3D view's answers from an image's stored scene graph (scene.get,
// scene.relations), the same for a desktop project and a team project: each reads the stored graph
// and ambiguities its own way and answers through these.
import type { SceneGraphView } from '../../contract/entities';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { toSceneGraphView } from '../mappers';
import { relationsFor } from './scene-boxes';

/** A scene graph as the stores keep it (JSON parsed, not validated). */
export interface StoredScene {
  graph: unknown;
  notes: string[];
}

/** scene.get: the graph's view with its notes and the image's ambiguous objects; null before the graph stage. */
export function sceneAnswer(
  stored: StoredScene | undefined,
  ambiguities: SceneGraphView['ambiguities'],
): SceneGraphView | null {
  return stored ? toSceneGraphView(stored.graph as SceneGraph, stored.notes, ambiguities) : null;
}

/** scene.relations: the stored graph's edges touching `objectIds`; none without a graph. */
export function relationsAnswer(stored: StoredScene | undefined, objectIds: readonly number[]) {
  return stored ? relationsFor((stored.graph as SceneGraph).edges, objectIds) : [];
}
