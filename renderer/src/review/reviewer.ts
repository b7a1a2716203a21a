// Who is reviewing: the name every edit and decision is recorded under in the audit log. Kept per
// browser profile; "reviewer" until someone sets it.
const KEY = 'sqw.reviewer';

export function reviewerName(): string {
  try {
    return window.localStorage.getItem(KEY)?.trim() || 'reviewer';
  } catch {
    return 'reviewer';
  }
}

export function setReviewerName(name: string): void {
  try {
    window.localStorage.setItem(KEY, name.trim().slice(0, 200));
  } catch {
    // storage unavailable: the default name is used
  }
}

/** A QA chosen in the batch queue, selected when its image opens. */
let pendingQa: { imageId: number; qaId: number } | null = null;
export function selectQaOnOpen(imageId: number, qaId: number): void {
  pendingQa = { imageId, qaId };
}
export function takeQaToSelect(imageId: number): number | null {
  if (!pendingQa || pendingQa.imageId !== imageId) return null;
  const id = pendingQa.qaId;
  pendingQa = null;
  return id;
}
