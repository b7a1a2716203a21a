// Tests' reads (and set-up writes) of a desktop project through the two-database layer on the
// project's own connection: the same typed queries production runs on SQLite and PostgreSQL,
// instead of a second, synchronous set.
import type { ProjectStore } from '../../db/project-store';
import type { ImageRow, ObjectState } from '../../db/store/rows';
import { ObjectEditReads } from '../../db/store/object-edit-store';
import { AnnotationImportStore, type ImportedObject } from '../../db/store/annotation-import-store';
import { sqliteHandle } from '../../db/store/connect';
import { ExportStore } from '../../db/store/export-store';
import { SceneStore } from '../../db/store/scene-store';
import { desktopReviewSource } from '../services/review-context';

export function layer(store: ProjectStore) {
  const db = sqliteHandle(store.db);
  const source = desktopReviewSource(store.db);
  return {
    db,
    browse: source.browse,
    catalog: source.catalog,
    review: source.review,
    claims: source.claims,
    undo: source.undo,
    objectEdits: source.objectEdits,
    scene: new SceneStore(db),
    exports: new ExportStore(db, 'sqlite'),
    annotations: new AnnotationImportStore(db, 'sqlite'),
  };
}

/** The first image whose relative path or file name is `name`; throws when there is none. */
export async function imageNamed(store: ProjectStore, name: string): Promise<ImageRow> {
  const [row] = await layer(store).catalog.imagesNamed(name);
  if (!row) throw new Error(`no image named ${name}`);
  return row;
}

/** The id of the first image named `name`. */
export async function imageIdOf(store: ProjectStore, name: string): Promise<number> {
  return (await imageNamed(store, name)).id;
}

/**
 * Adds one object as an annotation import adds it (`externalId`, default one made from the
 * object, keeps it unique); returns its id: the one new object on the image.
 */
export async function addObject(
  store: ProjectStore,
  o: Omit<ImportedObject, 'externalId'> & { externalId?: string },
): Promise<number> {
  const externalId = o.externalId ?? `test:${o.label}:${o.box.join(',')}`;
  const { annotations, browse } = layer(store);
  const before = new Set((await browse.objectStates(o.imageId)).map((s) => s.id));
  if ((await annotations.add([{ ...o, externalId }])) !== 1)
    throw new Error(`object ${externalId} was there already`);
  const added = (await browse.objectStates(o.imageId)).filter((s) => !before.has(s.id));
  if (added.length !== 1) throw new Error(`expected one new object, found ${added.length}`);
  return added[0]!.id;
}

/**
 * A box drawn as a reviewer's object with no audit entry (set-up of a state, e.g. a twin the
 * edits then act on): the layer's insert of an object edit, in a transaction of its own.
 */
export function insertHumanObject(
  store: ProjectStore,
  o: { imageId: number; label: string; box: [number, number, number, number] },
): Promise<ObjectState> {
  return layer(store)
    .db.transaction()
    .execute((trx) => new ObjectEditReads(trx, 'sqlite').insertHumanObject(o));
}

/** Live objects carrying `label` anywhere in the project, as a label rename reads them. */
export function objectsLabelled(store: ProjectStore, label: string): Promise<ObjectState[]> {
  return layer(store)
    .db.transaction()
    .execute((trx) => new ObjectEditReads(trx, 'sqlite').withLabels([label]));
}
