// One review decision per fact (spatial/qa/fact-id.ts): what a decision on one phrasing of a fact
// does to the fact's other phrasings. Pure rules, used by review commands and by the migration that
// grouped earlier per-phrasing decisions.

export type DecidedStatus = 'approved' | 'rejected' | 'edited';

/**
 * Status of the other phrasings when one phrasing is decided: approve and reject apply to all of
 * them. An edit is the reviewer's answer in the words of the phrasing they saw, so the others are
 * marked rejected (superseded); an export renders every phrasing of the fact from the corrected
 * value when the edit reads as one (engine/export/fact-render.ts), else the edited phrasing alone.
 */
export function siblingStatus(decided: DecidedStatus): 'approved' | 'rejected' {
  return decided === 'edited' ? 'rejected' : decided;
}

/** The reason recorded on phrasings withheld by an edit of their fact. */
export function supersededReason(editedQaId: number): string {
  return `superseded by the edit of QA #${editedQaId} (same fact)`;
}
