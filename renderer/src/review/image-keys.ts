// The image page's keyboard: a review key (keymap.ts) becomes one of the image store's actions, the
// same ones the buttons call. Keys typed into a form control stay there.
import { useEffect } from 'react';
import type { ImageEditor, ImageStore } from './image-store';
import { actionFor, type ReviewAction } from './keymap';

/** True when the key belongs to a form control (text entry, or arrows on a slider/select). */
export function keyBelongsToControl(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  if (type === 'checkbox' || type === 'radio' || type === 'button' || type === 'submit')
    return false;
  if (type === 'range') return e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End';
  return true;
}

/** Handles the review keys on the window while the page is mounted. */
export function useImageKeys(store: ImageStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keyBelongsToControl(e)) return;
      const action = actionFor(e);
      if (action && runKeyAction(store.getState(), action)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

/** One review key on the image page: the keymap's action mapped onto the store's actions. */
export function runKeyAction(s: ImageEditor, action: ReviewAction): boolean {
  // The help overlay is modal: only its own key and Esc reach the page.
  if (s.helpOpen && action !== 'help' && action !== 'escape') return false;
  switch (action) {
    case 'help':
      s.setHelpOpen(!s.helpOpen);
      return true;
    case 'next-qa':
    case 'prev-qa':
      s.showTab('qa');
      s.stepQa(action === 'next-qa' ? 1 : -1);
      return true;
    case 'next-image':
      s.goToImage('next');
      return true;
    case 'prev-image':
      s.goToImage('prev');
      return true;
    case 'approve':
    case 'skip':
      return s.decideSelected(action);
    case 'reject':
    case 'edit':
      return s.openQaInput(action);
    case 'confirm':
      return s.confirmPending();
    case 'undo':
      s.undo();
      return true;
    case 'redo':
      s.redo();
      return true;
    case 'toggle-depth':
      s.toggleLayer('depth');
      return true;
    case 'toggle-boxes':
      s.toggleLayer('objects');
      return true;
    case 'toggle-masks':
      s.toggleLayer('masks');
      return true;
    case 'toggle-3d':
      s.toggleLayer('3d');
      return true;
    case 'tool-select':
      s.setTool('select');
      return true;
    case 'tool-draw':
      s.setTool('draw-box');
      return true;
    case 'next-object':
      s.selectNextObject();
      return true;
    case 'relabel':
      return s.startRelabel();
    case 'delete-object':
      return s.deleteSelectedObject();
    case 'zoom-fit':
      s.zoom('fit');
      return true;
    case 'zoom-actual':
      s.zoom('actual');
      return true;
    case 'zoom-in':
      s.zoom('zoom-in');
      return true;
    case 'zoom-out':
      s.zoom('zoom-out');
      return true;
    case 'escape':
      return s.escape();
  }
}
