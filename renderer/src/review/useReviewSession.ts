// One image's review state and the actions on it: object edits (with the box shown at its new place
// at once, then confirmed or put back), QA decisions with warnings to confirm, bulk decisions,
// undo/redo. Failures become a message; nothing is retried silently, so a stale edit from another
// window is reported, never lost.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type {
  DecisionResult,
  ObjectExclusion,
  ReviewImage,
  ReviewWarning,
} from '../../../contract/review';
import { RpcError } from '../../../contract/transport';
import { api, errorText } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { prefetched } from '../app/prefetch';
import type { Box } from '../canvas/tools';
import { reviewerName } from './reviewer';

export type Decision = 'approve' | 'reject' | 'edit' | 'skip';

export interface DecisionRequest {
  qaId: number;
  decision: Decision;
  reason?: string;
  editedAnswer?: string;
}

export interface PendingWarnings {
  /** The decision that is waiting for confirmation. */
  request:
    | DecisionRequest
    | { bulk: true; family: string; decision: 'approve' | 'reject'; reason?: string };
  warnings: ReviewWarning[];
}

export function useReviewSession(projectId: string, imageId: number) {
  const [loaded, reload] = useLoad(
    // The image view may have asked already, in its first render (app/prefetch.ts).
    () =>
      prefetched(`reviews.image:${projectId}:${imageId}`, () =>
        api.reviews.image({ projectId, imageId, reviewer: reviewerName() }),
      ),
    [projectId, imageId],
  );
  const data: ReviewImage | undefined =
    loaded.data && loaded.data.imageId === imageId ? loaded.data : undefined;
  const [moving, setMoving] = useState<ReadonlyMap<number, Box>>(new Map());
  const [error, setError] = useState<string | null>(null);
  /** The error is another reviewer's claim refusing the change (the message names them). */
  const [conflict, setConflict] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingWarnings | null>(null);
  const [busy, setBusy] = useState(false);

  // Re-derivation after an edit, or a pipeline run, changes objects, masks and QA.
  useEngineEvents((e) => {
    if (e.projectId !== projectId) return;
    if (e.type === 'images-changed' || (e.type === 'job' && e.job.status === 'done')) reload();
    // Someone else (another reviewer, another window) decided or edited on this image.
    if (e.type === 'review' && e.imageIds.includes(imageId)) reload();
  });
  // While re-derivation is pending, also poll (an event may be missed while the socket reconnects),
  // backing off to every few seconds.
  const [polls, setPolls] = useState(0);
  const pendingGeometry = data?.geometryPending === true;
  useEffect(() => {
    if (!pendingGeometry) {
      setPolls(0);
      return;
    }
    const timer = setTimeout(
      () => {
        setPolls((n) => n + 1);
        reload();
      },
      Math.min(4000, 300 * 2 ** Math.min(polls, 4)),
    );
    return () => clearTimeout(timer);
  }, [pendingGeometry, polls, data, reload]);

  const objects = useMemo(
    () =>
      (data?.objects ?? []).map((o) => {
        const box = moving.get(o.id);
        return box ? { ...o, box, mask: null } : o;
      }),
    [data, moving],
  );

  const run = useCallback(
    async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
      setBusy(true);
      setError(null);
      setConflict(false);
      try {
        const out = await fn();
        return out;
      } catch (err) {
        // A claim refusal is no failure of the app: say what the server said, as it said it.
        const held = err instanceof RpcError && err.code === 'conflict';
        setConflict(held);
        setError(held ? `${what} refused: ${errorText(err)}` : `${what} failed: ${errorText(err)}`);
        return null;
      } finally {
        setBusy(false);
        reload();
      }
    },
    [reload],
  );

  const reviewer = reviewerName;

  const moveBox = useCallback(
    async (id: number, box: Box) => {
      const o = data?.objects.find((x) => x.id === id);
      if (!o) return;
      setMoving((m) => new Map(m).set(id, box));
      await run('Moving the box', () =>
        api.objects.update({
          projectId,
          objectId: id,
          expectedVersion: o.version,
          box,
          reviewer: reviewer(),
        }),
      );
      setMoving((m) => {
        const next = new Map(m);
        next.delete(id);
        return next;
      });
    },
    [data, projectId, run],
  );

  const createObject = useCallback(
    (box: Box, label: string) =>
      run('Adding the object', () =>
        api.objects.create({ projectId, imageId, box, label, reviewer: reviewer() }),
      ),
    [projectId, imageId, run],
  );

  const relabel = useCallback(
    (id: number, label: string, expectedVersion?: number) => {
      const o = data?.objects.find((x) => x.id === id);
      if (!o) return Promise.resolve(null);
      return run('Relabelling', () =>
        api.objects.update({
          projectId,
          objectId: id,
          expectedVersion: expectedVersion ?? o.version,
          label,
          reviewer: reviewer(),
        }),
      );
    },
    [data, projectId, run],
  );

  const deleteObject = useCallback(
    (id: number) => {
      const o = data?.objects.find((x) => x.id === id);
      if (!o) return Promise.resolve(null);
      return run('Deleting the object', () =>
        api.objects.delete({
          projectId,
          objectId: id,
          expectedVersion: o.version,
          reviewer: reviewer(),
        }),
      );
    },
    [data, projectId, run],
  );

  const renameLabel = useCallback(
    async (from: string, to: string) => {
      const out = await run('Renaming the label', () =>
        api.labels.rename({ projectId, from, to, reviewer: reviewer() }),
      );
      if (out)
        setNotice(
          `${out.merged ? 'Merged' : 'Renamed'} "${from}" → "${to}" on ${out.changed} object(s)`,
        );
      return out;
    },
    [projectId, run],
  );

  // Resolving an ambiguous name: each is one undoable command; the image re-derives and reloads.
  const versionOf = useCallback(
    (id: number) => data?.objects.find((x) => x.id === id)?.version,
    [data],
  );
  const excludeObject = useCallback(
    (id: number, reason: ObjectExclusion | null) => {
      const expectedVersion = versionOf(id);
      if (expectedVersion === undefined) return Promise.resolve(null);
      return run(reason ? 'Excluding the object' : 'Putting the object back in QA', () =>
        api.objects.exclude({
          projectId,
          objectId: id,
          expectedVersion,
          reason,
          reviewer: reviewer(),
        }),
      );
    },
    [versionOf, projectId, run],
  );
  const setAttributes = useCallback(
    (id: number, attributes: string[]) => {
      const expectedVersion = versionOf(id);
      if (expectedVersion === undefined) return Promise.resolve(null);
      return run('Setting attributes', () =>
        api.objects.setAttributes({
          projectId,
          objectId: id,
          expectedVersion,
          attributes,
          reviewer: reviewer(),
        }),
      );
    },
    [versionOf, projectId, run],
  );
  /** `id` is what the shared name means; the others of its group are excluded as background. */
  const pickReferent = useCallback(
    (id: number, others: readonly number[]) => {
      const expectedVersion = versionOf(id);
      if (expectedVersion === undefined) return Promise.resolve(null);
      return run('Picking the referent', () =>
        api.objects.pickReferent({
          projectId,
          objectId: id,
          expectedVersion,
          others: others.map((o) => ({
            objectId: o,
            expectedVersion: versionOf(o) ?? 1,
            exclude: 'background' as const,
          })),
          reviewer: reviewer(),
        }),
      );
    },
    [versionOf, projectId, run],
  );
  const mergeObjects = useCallback(
    (kept: number, merged: number) => {
      const kv = versionOf(kept);
      const mv = versionOf(merged);
      if (kv === undefined || mv === undefined) return Promise.resolve(null);
      return run('Merging the objects', () =>
        api.objects.merge({
          projectId,
          kept: { objectId: kept, expectedVersion: kv },
          merged: { objectId: merged, expectedVersion: mv },
          reviewer: reviewer(),
        }),
      );
    },
    [versionOf, projectId, run],
  );

  const splitObject = useCallback(
    (id: number, boxes: [Box, Box]) => {
      const expectedVersion = versionOf(id);
      if (expectedVersion === undefined) return Promise.resolve(null);
      return run('Splitting the object', () =>
        api.objects.split({
          projectId,
          objectId: id,
          expectedVersion,
          boxes,
          reviewer: reviewer(),
        }),
      );
    },
    [versionOf, projectId, run],
  );

  /** Resolves true when the decision was written (false: warnings are pending, or it failed). */
  const decide = useCallback(
    async (req: DecisionRequest, confirmWarnings = false): Promise<boolean> => {
      const qa = data?.qa.find((q) => q.id === req.qaId);
      const out: DecisionResult | null = await run(`${req.decision} QA #${req.qaId}`, () =>
        api.reviews.decide({
          projectId,
          ...req,
          expectedRevision: qa?.revision,
          confirmWarnings,
          reviewer: reviewer(),
        }),
      );
      if (!out) return false;
      if (out.blocked !== null) {
        // Nothing to confirm: the card says why and offers the ways to resolve it.
        setPending(null);
        setNotice(
          `QA #${req.qaId} not ${req.decision === 'edit' ? 'edited' : 'approved'}: ${out.blocked}`,
        );
        return false;
      }
      if (!out.applied) {
        setPending({ request: req, warnings: out.warnings });
        return false;
      }
      setPending(null);
      return true;
    },
    [data, projectId, run],
  );

  const bulk = useCallback(
    async (
      family: string,
      decision: 'approve' | 'reject',
      reason?: string,
      confirmWarnings = false,
    ) => {
      const out = await run(`Bulk ${decision}`, () =>
        api.reviews.bulk({
          projectId,
          imageId,
          family,
          decision,
          reason,
          confirmWarnings,
          reviewer: reviewer(),
        }),
      );
      if (!out) return false;
      if (out.applied === 0 && out.warnings.length > 0) {
        setPending({
          request: { bulk: true, family, decision, reason },
          warnings: out.warnings.flatMap((w) =>
            w.warnings.map((x) => ({ ...x, message: `QA #${w.qaId}: ${x.message}` })),
          ),
        });
        return false;
      }
      setPending(null);
      setNotice(
        `${decision === 'approve' ? 'Approved' : 'Rejected'} ${out.applied} open QA of ${family}`,
      );
      return true;
    },
    [projectId, imageId, run],
  );

  const confirmPending = useCallback(async () => {
    if (!pending) return false;
    const r = pending.request;
    if ('bulk' in r) return bulk(r.family, r.decision, r.reason, true);
    return decide(r, true);
  }, [pending, decide, bulk]);

  const undo = useCallback(async () => {
    const out = await run('Undo', () => api.reviews.undo({ projectId, reviewer: reviewer() }));
    if (out)
      setNotice(out.entry ? `Undid ${out.entry.command} (${out.entry.target})` : 'Nothing to undo');
  }, [projectId, run]);

  const redo = useCallback(async () => {
    const out = await run('Redo', () => api.reviews.redo({ projectId, reviewer: reviewer() }));
    if (out)
      setNotice(out.entry ? `Redid ${out.entry.command} (${out.entry.target})` : 'Nothing to redo');
  }, [projectId, run]);

  // Stable, so the memoised panels that take them do not re-render.
  const clearMessages = useCallback(() => {
    setError(null);
    setConflict(false);
    setNotice(null);
  }, []);
  const cancelPending = useCallback(() => setPending(null), []);

  return {
    data,
    state: loaded.state,
    loadError: loaded.error,
    objects,
    error,
    conflict,
    notice,
    busy,
    pending,
    reload,
    clearMessages,
    cancelPending,
    moveBox,
    createObject,
    relabel,
    deleteObject,
    renameLabel,
    excludeObject,
    setAttributes,
    pickReferent,
    mergeObjects,
    splitObject,
    decide,
    bulk,
    confirmPending,
    undo,
    redo,
  };
}

export type ReviewSession = ReturnType<typeof useReviewSession>;
