import { describe, expect, it, vi } from 'vitest';
import { runKeyAction } from './image-keys';
import { createImageStore, type ImageEnv, type ReviewPorts } from './image-store';
import type { PendingWarnings } from './useReviewSession';

/** A store attached to an image with QA 11, 12, 13 and objects 1, 2, and a recording session. */
function setup(
  over: { pending?: PendingWarnings | null; decide?: boolean; hasDepth?: boolean } = {},
) {
  const review = {
    pending: over.pending ?? null,
    decide: vi.fn(() => Promise.resolve(over.decide ?? true)),
    confirmPending: vi.fn(() => Promise.resolve(true)),
    cancelPending: vi.fn(),
    clearMessages: vi.fn(),
    createObject: vi.fn(() => Promise.resolve({ object: { id: 9 } })),
    deleteObject: vi.fn(() => Promise.resolve(null)),
    undo: vi.fn(() => Promise.resolve()),
    redo: vi.fn(() => Promise.resolve()),
  };
  const env: ImageEnv = {
    qa: [{ id: 11 }, { id: 12 }, { id: 13 }],
    objects: [{ id: 1 }, { id: 2 }],
    hasDepth: over.hasDepth ?? true,
    prevImageId: 4,
    nextImageId: 6,
    navigateToImage: vi.fn(),
    review: review as unknown as ReviewPorts,
  };
  const store = createImageStore();
  store.getState().attach(env);
  const key = (action: Parameters<typeof runKeyAction>[1]) =>
    runKeyAction(store.getState(), action);
  return { store, env, review, key, state: () => store.getState() };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('image store: QA navigation', () => {
  it('steps through the QA in review order, starting at either end and stopping at the last', () => {
    const { key, state } = setup();
    expect(key('next-qa')).toBe(true);
    expect(state().selectedQa).toBe(11);
    key('next-qa');
    key('next-qa');
    key('next-qa');
    expect(state().selectedQa).toBe(13);
    key('prev-qa');
    expect(state().selectedQa).toBe(12);

    const other = setup();
    other.key('prev-qa');
    expect(other.state().selectedQa).toBe(13);
  });

  it('brings the QA tab forward, closes an open input and drops pending warnings', () => {
    const { store, key, state, review } = setup();
    store.setState({ panelTab: 'scene', selectedQa: 11, inputMode: { kind: 'reject', qaId: 11 } });
    key('next-qa');
    expect(state()).toMatchObject({ panelTab: 'qa', selectedQa: 12, inputMode: null });
    expect(review.cancelPending).toHaveBeenCalled();
  });
});

describe('image store: decisions', () => {
  it('approves the selected QA, then moves on to the next one', async () => {
    const { store, key, state, review } = setup();
    store.setState({ selectedQa: 12 });
    expect(key('approve')).toBe(true);
    expect(review.decide).toHaveBeenCalledWith({ qaId: 12, decision: 'approve' });
    await settle();
    expect(state().selectedQa).toBe(13);
  });

  it('stays on the QA when the decision waits on warnings, and moves on once confirmed', async () => {
    const pending: PendingWarnings = {
      request: { qaId: 11, decision: 'approve' },
      warnings: [{ code: 'answer-disagrees', message: 'check' }],
    };
    const { store, key, state, review } = setup({ decide: false });
    store.setState({ selectedQa: 11 });
    key('approve');
    await settle();
    expect(state().selectedQa).toBe(11);

    // The session now holds the warnings (attached with the next render).
    review.pending = pending;
    expect(key('confirm')).toBe(true);
    expect(review.confirmPending).toHaveBeenCalledTimes(1);
    await settle();
    expect(state().selectedQa).toBe(12);
  });

  it('does nothing for approve, reject or confirm without a selected QA or pending warnings', () => {
    const { key, state, review } = setup();
    expect(key('approve')).toBe(false);
    expect(key('reject')).toBe(false);
    expect(key('confirm')).toBe(false);
    expect(review.decide).not.toHaveBeenCalled();
    expect(state().inputMode).toBeNull();
  });

  it('treats a selected QA that is no longer in the list as no selection', () => {
    const { store, key, review } = setup();
    store.setState({ selectedQa: 99 });
    expect(key('skip')).toBe(false);
    expect(review.decide).not.toHaveBeenCalled();
  });

  it('opens the reject reason on the QA tab', () => {
    const { store, key, state } = setup();
    store.setState({ selectedQa: 13, panelTab: 'objects' });
    expect(key('reject')).toBe(true);
    expect(state()).toMatchObject({ panelTab: 'qa', inputMode: { kind: 'reject', qaId: 13 } });
  });
});

describe('image store: Esc', () => {
  it('with nothing selected or open does not leave the page and changes nothing', () => {
    const { key, state, env } = setup();
    const before = { ...state() };
    expect(key('escape')).toBe(false);
    expect(env.navigateToImage).not.toHaveBeenCalled();
    expect(state()).toEqual(before);
  });

  it('clears the innermost thing first: input, draw tool, object, then QA', () => {
    const { store, key, state } = setup();
    store.setState({
      selectedQa: 11,
      selectedObject: 2,
      tool: 'draw-box',
      inputMode: { kind: 'edit', qaId: 11 },
    });
    key('escape');
    expect(state()).toMatchObject({ inputMode: null, tool: 'draw-box', selectedObject: 2 });
    key('escape');
    expect(state()).toMatchObject({ tool: 'select', selectedObject: 2 });
    key('escape');
    expect(state()).toMatchObject({ selectedObject: null, selectedQa: 11 });
    expect(key('escape')).toBe(true);
    expect(state().selectedQa).toBeNull();
    expect(key('escape')).toBe(false);
  });

  it('drops pending warnings before anything else but the help', () => {
    const { store, key, review } = setup({
      pending: { request: { qaId: 11, decision: 'approve' }, warnings: [] },
    });
    store.setState({ selectedQa: 11, helpOpen: true });
    key('escape');
    expect(store.getState().helpOpen).toBe(false);
    expect(review.cancelPending).not.toHaveBeenCalled();
    key('escape');
    expect(review.cancelPending).toHaveBeenCalledTimes(1);
    expect(store.getState().selectedQa).toBe(11);
  });
});

describe('image store: tools, relabel and objects', () => {
  it('switches between the select and draw tools by key', () => {
    const { key, state } = setup();
    key('tool-draw');
    expect(state().tool).toBe('draw-box');
    key('tool-select');
    expect(state().tool).toBe('select');
  });

  it('adds a drawn box with its label, back on the select tool, and selects the new object', async () => {
    const { store, review, state } = setup();
    store.setState({ tool: 'draw-box' });
    state().setNewBox([1, 2, 30, 40]);
    await state().addObject('mug');
    expect(review.createObject).toHaveBeenCalledWith([1, 2, 30, 40], 'mug');
    expect(state()).toMatchObject({ newBox: null, tool: 'select', selectedObject: 9 });
  });

  it('keeps a relabel pending only for the selected object', () => {
    const { store, key, state } = setup();
    expect(key('relabel')).toBe(false);
    expect(state().relabeling).toBe(false);

    store.setState({ selectedObject: 1, panelTab: 'qa' });
    expect(key('relabel')).toBe(true);
    expect(state()).toMatchObject({ relabeling: true, panelTab: 'objects' });

    // Another object: the label input does not follow it.
    state().selectObject(2);
    expect(state().relabeling).toBe(false);

    key('relabel');
    key('escape');
    expect(state()).toMatchObject({ relabeling: false, selectedObject: 2 });
  });

  it('cycles the objects with o and shows them on the objects tab', () => {
    const { key, state } = setup();
    key('next-object');
    expect(state()).toMatchObject({ selectedObject: 1, panelTab: 'objects' });
    key('next-object');
    key('next-object');
    expect(state().selectedObject).toBe(1);
  });

  it('deletes the selected object through the review session and clears the selection', () => {
    const { store, key, review, state } = setup();
    expect(key('delete-object')).toBe(false);
    store.setState({ selectedObject: 2 });
    expect(key('delete-object')).toBe(true);
    expect(review.deleteObject).toHaveBeenCalledWith(2);
    expect(state().selectedObject).toBeNull();
  });

  it('starts each image afresh but keeps the layers, tab and tool', () => {
    const { store, state, review } = setup();
    store.setState({
      selectedQa: 11,
      selectedObject: 1,
      relabeling: true,
      newBox: [0, 0, 1, 1],
      inputMode: { kind: 'edit', qaId: 11 },
      depthVisible: true,
      panelTab: 'objects',
      tool: 'draw-box',
    });
    state().openImage(12);
    expect(state()).toMatchObject({
      selectedQa: 12,
      selectedObject: null,
      relabeling: false,
      newBox: null,
      inputMode: null,
      depthVisible: true,
      panelTab: 'objects',
      tool: 'draw-box',
    });
    expect(review.cancelPending).toHaveBeenCalled();
    expect(review.clearMessages).toHaveBeenCalled();
  });
});

describe('image store: undo, images, layers, help', () => {
  it('hands undo and redo to the review session (the engine’s command stack)', () => {
    const { key, review, state } = setup();
    const before = { ...state() };
    key('undo');
    key('redo');
    expect(review.undo).toHaveBeenCalledTimes(1);
    expect(review.redo).toHaveBeenCalledTimes(1);
    expect(state()).toEqual(before);
  });

  it('moves to the next and previous image of the batch', () => {
    const { key, env } = setup();
    key('next-image');
    key('prev-image');
    expect(env.navigateToImage).toHaveBeenNthCalledWith(1, 6);
    expect(env.navigateToImage).toHaveBeenNthCalledWith(2, 4);
  });

  it('toggles the layers, the depth overlay only when the image has depth', () => {
    const withDepth = setup();
    withDepth.key('toggle-depth');
    withDepth.key('toggle-masks');
    expect(withDepth.state()).toMatchObject({ depthVisible: true, masksVisible: false });
    const without = setup({ hasDepth: false });
    without.key('toggle-depth');
    expect(without.state().depthVisible).toBe(false);
  });

  it('issues each zoom as a new command', () => {
    const { key, state } = setup();
    key('zoom-in');
    const first = state().zoomCommand;
    key('zoom-in');
    expect(state().zoomCommand).toEqual({ kind: 'zoom-in', seq: (first?.seq ?? 0) + 1 });
  });

  it('lets only ? and Esc through while the help is open', () => {
    const { store, key, state } = setup();
    store.setState({ helpOpen: true });
    expect(key('next-qa')).toBe(false);
    expect(state().selectedQa).toBeNull();
    expect(key('help')).toBe(true);
    expect(state().helpOpen).toBe(false);
  });
});
