// A reviewer's undo and redo, on a desktop or a team project: one history per reviewer in the
// audit log, shared by decisions and object edits (db/store/undo-store.ts writes the steps,
// engine/review/undo-stack.ts reads the stacks from it).
import type { ApiHandlers } from '../../contract/api';
import type { HistoryState } from '../../contract/review';
import { claimConflict } from '../review/claim-check';
import { deriveStacks } from '../review/undo-stack';
import { objectClaimGuard } from './object-edits';
import { mapped, type ReviewContext, type ReviewSource } from './review-context';

/** `reviewer`'s undo state; a view that names nobody has nothing of theirs to undo. */
export async function historyOf(
  p: Pick<ReviewSource, 'undo'>,
  reviewer: string | undefined,
): Promise<HistoryState> {
  if (reviewer === undefined)
    return { canUndo: false, canRedo: false, nextUndo: null, nextRedo: null };
  const { undo, redo } = deriveStacks(await p.undo.history(reviewer));
  const brief = async (id: number | undefined) => {
    const e = id === undefined ? undefined : await p.undo.entry(id);
    return e ? { id: e.id, command: e.command, target: e.target } : null;
  };
  return {
    canUndo: undo.length > 0,
    canRedo: redo.length > 0,
    nextUndo: await brief(undo.at(-1)?.commandId),
    nextRedo: await brief(redo.at(-1)?.commandId),
  };
}

export function createHistoryHandlers(
  c: ReviewContext,
): Pick<ApiHandlers['reviews'], 'undo' | 'redo' | 'history'> {
  const step = async (projectId: string, reviewer: string, op: 'undo' | 'redo') => {
    const p = c.sourceOf(projectId);
    const entry = await mapped(() =>
      c.write(() =>
        p.undo.step(
          reviewer,
          op,
          (h) => {
            const stacks = deriveStacks(h);
            return (op === 'undo' ? stacks.undo : stacks.redo).at(-1);
          },
          // The same claim checks as a decision and an object edit, inside the step's transaction.
          async (reads, s) => {
            await objectClaimGuard(c, p, reviewer)(reads, s.objects);
            const held = await p.claims.heldByOther(s.qaIds, reviewer, c.now(), reads.trx);
            if (held) throw claimConflict(`This ${op} (${s.objects.command})`, held);
          },
        ),
      ),
    );
    if (entry) {
      c.announce(projectId, entry);
      c.afterStep(projectId, entry);
    }
    return { entry, history: await historyOf(p, reviewer) };
  };
  return {
    undo: async ({ projectId, reviewer }) => step(projectId, reviewer, 'undo'),
    redo: async ({ projectId, reviewer }) => step(projectId, reviewer, 'redo'),
    history: async ({ projectId, reviewer }) => historyOf(c.sourceOf(projectId), reviewer),
  };
}
