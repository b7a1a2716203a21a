// Ambiguous objects with the expressions that do single out the other members of their group
// ("the left chair"), read from the stored scene graph the same way QA synthesis names objects.
import type { ProjectStore } from '../../db/project-store';
import { buildExpressions } from '../../spatial/qa/disambiguation';
import { Counter, SceneFacts } from '../../spatial/qa/facts';
import { resolveOptions } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';

export interface AmbiguousObject {
  nodeId: number;
  label: string;
  group: number[];
  reason: string;
  /** Each group member with the expression that names it uniquely, or null when none does. */
  candidates: Array<{ objectId: number; expression: string | null }>;
}

export function ambiguousObjects(store: ProjectStore, imageId: number): AmbiguousObject[] {
  const ambiguities = store.scene.ambiguities(imageId);
  if (ambiguities.length === 0) return [];
  const stored = store.scene.graph(imageId);
  let expressions = new Map<number, string>();
  if (stored) {
    const facts = new SceneFacts(stored.graph as SceneGraph, resolveOptions(), new Counter());
    expressions = new Map(
      [...buildExpressions(facts).expressions].map(([id, e]) => [id, e.text] as const),
    );
  }
  return ambiguities.map((a) => ({
    ...a,
    candidates: a.group.map((id) => ({ objectId: id, expression: expressions.get(id) ?? null })),
  }));
}
