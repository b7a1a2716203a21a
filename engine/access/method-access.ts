// Who may call what, in one table the server checks before dispatch (accounts mode). Each contract
// method names the least role that may call it; the type below makes a new method without an entry
// a compile error, and method-access.test.ts checks the table against the contract at run time.
//
// viewer:   reads everything (images, QA, scene graphs, the audit log, claims, jobs, exports list).
// reviewer: also decides and edits (QA decisions, object edits, masks, undo/redo of their own
//           commands) and takes claims on slices of the queue.
// admin:    also whatever acts beyond review or across everyone's work: opening or creating
//           projects and importing (they name server-side paths), running and controlling the
//           pipeline, exports and evaluation (they write or read server-side folders), model
//           downloads and removal (server-wide), and project-wide label renames/merges (they change
//           QA inside every reviewer's claim at once).
//
// `actor: true` marks methods whose `reviewer` input names the person acting: in accounts mode the
// server sets it to the signed-in account, so nobody can decide or edit under another name.
import type { MethodName } from '../../contract/api';
import type { Role } from '../../db/store/access-store';

export interface MethodAccess {
  role: Role;
  actor?: true;
}

const read: MethodAccess = { role: 'viewer' };
const review: MethodAccess = { role: 'reviewer', actor: true };
const admin: MethodAccess = { role: 'admin' };

export const METHOD_ACCESS: Record<MethodName, MethodAccess> = {
  'system.info': read,
  'projects.list': read,
  'projects.open': admin,
  'projects.create': admin,
  'batches.list': read,
  'batches.issues': read,
  'images.list': read,
  'images.counts': read,
  'images.filterOptions': read,
  'images.get': read,
  'imports.start': admin,
  'imports.result': read,
  'pipeline.start': admin,
  'pipeline.result': read,
  'pipeline.imageStages': read,
  'scene.get': read,
  'scene.pointCloud': read,
  'scene.relations': read,
  'jobs.list': read,
  'jobs.get': read,
  'jobs.cancel': admin,
  'jobs.pause': admin,
  'jobs.resume': admin,
  'jobs.retryFailed': admin,
  'jobs.errors': read,
  'objects.list': read,
  'objects.create': review,
  'objects.update': review,
  'objects.delete': review,
  'objects.exclude': review,
  'objects.setAttributes': review,
  'objects.pickReferent': review,
  'objects.setMask': review,
  'objects.split': review,
  'objects.merge': review,
  'objects.segmenter': read,
  // Runs the segmentation model for a reviewer's mask edit; stores nothing.
  'objects.refineMask': { role: 'reviewer' },
  'qa.list': read,
  'qa.queue': read,
  'labels.vocabulary': read,
  'labels.rename': { role: 'admin', actor: true },
  'labels.merge': { role: 'admin', actor: true },
  'audit.list': read,
  'reviews.record': review,
  'reviews.list': read,
  // Reads, but with the caller's own undo state: the name must be theirs.
  'reviews.image': { role: 'viewer', actor: true },
  'reviews.decide': review,
  'reviews.bulk': review,
  'reviews.undo': review,
  'reviews.redo': review,
  'reviews.history': { role: 'viewer', actor: true },
  'models.list': read,
  'models.download': admin,
  'models.import': admin,
  'models.verify': admin,
  'models.remove': admin,
  'models.photoPlan': read,
  'models.getForPhotos': admin,
  'exports.start': admin,
  'exports.result': read,
  'exports.list': read,
  'exports.evaluate': admin,
  'claims.take': review,
  'claims.release': review,
  'claims.list': read,
  // Reads only, but answers with the caller's own name: the server puts it in.
  'claims.me': { role: 'viewer', actor: true },
};

const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, admin: 2 };

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** The table's entry for a method name from the wire; undefined for unknown names. */
export function accessOf(method: string): MethodAccess | undefined {
  return Object.hasOwn(METHOD_ACCESS, method) ? METHOD_ACCESS[method as MethodName] : undefined;
}
