// How QA synthesis names this image's objects right now, read from the stored scene graph the same
// way generation does: the referring expression each object is exported under (null when none is
// unique), and the ambiguous objects with the expressions that do single out the other members of
// their group ("the left chair"). Re-derivation after each reviewer action refreshes both. The
// rules (namesOf, ambiguousOf) take what was read, so a team project's stores give the same answer.
import type { ProjectStore } from '../../db/project-store';
import { BrowseStore } from '../../db/store/browse-store';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import { buildExpressions } from '../../spatial/qa/disambiguation';
import { Counter, SceneFacts } from '../../spatial/qa/facts';
import { resolveOptions } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import type { AmbiguityRow } from './qa-checks';

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

/** Expressions by object id under an image's graph (empty before the graph exists). */
export function expressionsOf(graph: SceneGraph | undefined): Map<number, string> {
  if (!graph) return new Map();
  const facts = new SceneFacts(graph, resolveOptions(), new Counter());
  return new Map([...buildExpressions(facts).expressions].map(([id, e]) => [id, e.text] as const));
}

/** Each live object of the image with the expression it is exported under. */
export function namesOf(
  objects: ReadonlyArray<{ id: number }>,
  expressions: ReadonlyMap<number, string>,
): ObjectName[] {
  return objects.map((o) => ({ objectId: o.id, expression: expressions.get(o.id) ?? null }));
}

/** The ambiguous objects with the expressions of their group's members. */
export function ambiguousOf(
  ambiguities: readonly AmbiguityRow[],
  expressions: ReadonlyMap<number, string>,
): AmbiguousObject[] {
  return ambiguities.map((a) => ({
    ...a,
    candidates: a.group.map((id) => ({ objectId: id, expression: expressions.get(id) ?? null })),
  }));
}

/** The desktop project's object names, read through the layer's stores. */
export async function objectNames(store: ProjectStore, imageId: number): Promise<ObjectName[]> {
  const db = sqliteHandle(store.db);
  const stored = await new SceneStore(db).graph(imageId);
  return namesOf(
    await new BrowseStore(db).objectStates(imageId),
    expressionsOf(stored?.graph as SceneGraph | undefined),
  );
}
