// How QA synthesis names this image's objects right now, read from the stored scene graph the same
// way generation does: the referring expression each object is exported under (null when none is
// unique), and the ambiguous objects with the expressions that do single out the other members of
// their group ("the left chair"). Re-derivation after each reviewer action refreshes both.
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

export interface ObjectName {
  objectId: number;
  /** The expression QA text uses for it ("the bottle on the left"); null: none is unique. */
  expression: string | null;
}

/** Expressions by object id under the image's stored graph (empty before the graph exists). */
function expressionsOf(store: ProjectStore, imageId: number): Map<number, string> {
  const stored = store.scene.graph(imageId);
  if (!stored) return new Map();
  const facts = new SceneFacts(stored.graph as SceneGraph, resolveOptions(), new Counter());
  return new Map([...buildExpressions(facts).expressions].map(([id, e]) => [id, e.text] as const));
}

export function objectNames(store: ProjectStore, imageId: number): ObjectName[] {
  const expressions = expressionsOf(store, imageId);
  return store.annotations.edits
    .objectStates(imageId)
    .map((o) => ({ objectId: o.id, expression: expressions.get(o.id) ?? null }));
}

export function ambiguousObjects(store: ProjectStore, imageId: number): AmbiguousObject[] {
  const ambiguities = store.scene.ambiguities(imageId);
  if (ambiguities.length === 0) return [];
  const expressions = expressionsOf(store, imageId);
  return ambiguities.map((a) => ({
    ...a,
    candidates: a.group.map((id) => ({ objectId: id, expression: expressions.get(id) ?? null })),
  }));
}
