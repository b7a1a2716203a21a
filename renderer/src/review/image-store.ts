// The image page's editor state in one store, changed only through the named actions below: what is
// selected (a QA pair and an object), the canvas tool and the mask-edit mode, the side-panel tab
// and queue scope, the pending inputs (reject reason / edited answer, relabel, a drawn box waiting
// for its label), the layer switches and the zoom command. The keyboard (image-keys.ts), the canvas,
// the 3D view and the panels all call these actions, so a key and a click do the same thing.
//
// Why zustand's vanilla store (not React state or useSyncExternalStore by hand): the actions run
// outside React (key handler, Vitest in Node without a DOM) and read the current state with get()
// instead of capturing it in closures; the action functions are created once, so the memoised
// panels get stable handlers for free; and `useStore` with a selector re-renders a component only
// for the slice it reads (a key press no longer re-renders the ~140-row QA list).
//
// Edits and decisions are not done here: they go through the review session (useReviewSession →
// engine review commands, one undoable command each in the audit log, whose undo/redo stacks are
// engine/review/undo-stack.ts). The store only hands them on (`env.review`) and moves the selection
// on afterwards; there is no second undo mechanism in the renderer.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Box, ToolName } from '../canvas/tools';
import type { StageCommand } from '../components/ImageStage';
import type { MaskTool } from '../components/MaskEditor';
import type { InputMode } from '../components/QaList';
import { nextAfter } from './order';
import type { DecisionRequest, ReviewSession } from './useReviewSession';

/** The side panel's tabs; all stay mounted (hidden), so switching keeps inputs and scroll. */
export type PanelTab = 'qa' | 'objects' | 'scene';
export type QueueScope = 'image' | 'batch';
export type Layer = 'objects' | 'masks' | 'depth' | '3d';

/** What the review session offers the store: its edits, decisions and undo/redo (engine commands). */
export type ReviewPorts = Pick<
  ReviewSession,
  | 'pending'
  | 'decide'
  | 'confirmPending'
  | 'cancelPending'
  | 'clearMessages'
  | 'createObject'
  | 'deleteObject'
  | 'undo'
  | 'redo'
>;

/** The page's current data the actions read: attached by the page on every render. */
export interface ImageEnv {
  /** The image's QA in review order (review/order.ts). */
  qa: readonly { id: number }[];
  objects: readonly { id: number }[];
  hasDepth: boolean;
  prevImageId: number | undefined;
  nextImageId: number | undefined;
  navigateToImage: (imageId: number) => void;
  review: ReviewPorts;
}

export interface ImageEditorState {
  selectedQa: number | null;
  selectedObject: number | null;
  tool: ToolName;
  maskEditing: boolean;
  maskTool: MaskTool;
  panelTab: PanelTab;
  scope: QueueScope;
  /** The open reject-reason / edited-answer / bulk-reject input on the QA list. */
  inputMode: InputMode;
  /** The selected object's label input is open (a relabel is pending). */
  relabeling: boolean;
  /** A box drawn on the canvas, waiting for its label. */
  newBox: Box | null;
  helpOpen: boolean;
  objectsVisible: boolean;
  masksVisible: boolean;
  maskOpacity: number;
  depthVisible: boolean;
  depthOpacity: number;
  show3d: boolean;
  /** The last zoom request to the canvas; `seq` makes a repeated one a new value. */
  zoomCommand: StageCommand | null;
  scale: number;
}

export interface ImageEditorActions {
  /** Attaches the page's current data and review session (called on every render). */
  attach(env: ImageEnv): void;
  /** A new image opened: selection and pending inputs start over (layers and tab stay). */
  openImage(qaToSelect: number | null): void;
  selectQa(id: number | null): void;
  /** The next (1) or previous (-1) QA in review order; from no selection, the first or last. */
  stepQa(delta: 1 | -1): void;
  selectObject(id: number | null): void;
  selectNextObject(): void;
  showTab(tab: PanelTab): void;
  setScope(scope: QueueScope): void;
  setTool(tool: ToolName): void;
  setMaskEditing(on: boolean): void;
  setMaskTool(tool: MaskTool): void;
  setInputMode(mode: InputMode): void;
  /** Opens the reject-reason / edited-answer input of the selected QA; false without one. */
  openQaInput(kind: 'reject' | 'edit'): boolean;
  setRelabeling(on: boolean): void;
  /** Opens the selected object's label input; false without a selected object. */
  startRelabel(): boolean;
  setNewBox(box: Box | null): void;
  /** Adds the drawn box as an object with this label and selects it once stored. */
  addObject(label: string): Promise<void>;
  deleteObject(id: number): void;
  deleteSelectedObject(): boolean;
  /** Writes the decision; once written, closes the input and moves on to the next QA. */
  decide(req: DecisionRequest): Promise<void>;
  /** Approves or skips the selected QA (then moves on); false without a selection. */
  decideSelected(decision: 'approve' | 'skip'): boolean;
  /** Applies the decision that waits on warnings; false when none waits. */
  confirmPending(): boolean;
  undo(): void;
  redo(): void;
  goToImage(which: 'next' | 'prev'): void;
  toggleLayer(layer: Layer): void;
  setBoxesVisible(on: boolean): void;
  setMasksVisible(on: boolean): void;
  setDepthVisible(on: boolean): void;
  setMaskOpacity(v: number): void;
  setDepthOpacity(v: number): void;
  zoom(kind: StageCommand['kind']): void;
  setScale(scale: number): void;
  setHelpOpen(open: boolean): void;
  /** Esc: closes or clears the innermost thing open; false when nothing was (the page stays). */
  escape(): boolean;
}

export type ImageEditor = ImageEditorState & ImageEditorActions;
export type ImageStore = StoreApi<ImageEditor>;

const LAYER_FIELD = {
  objects: 'objectsVisible',
  masks: 'masksVisible',
  depth: 'depthVisible',
  '3d': 'show3d',
} as const satisfies Record<Layer, keyof ImageEditorState>;

export const INITIAL_EDITOR_STATE: ImageEditorState = {
  selectedQa: null,
  selectedObject: null,
  tool: 'select',
  maskEditing: false,
  maskTool: 'brush',
  panelTab: 'qa',
  scope: 'image',
  inputMode: null,
  relabeling: false,
  newBox: null,
  helpOpen: false,
  objectsVisible: true,
  masksVisible: true,
  maskOpacity: 0.45,
  depthVisible: false,
  depthOpacity: 0.6,
  show3d: true,
  zoomCommand: null,
  scale: 1,
};

const DETACHED: ImageEnv = {
  qa: [],
  objects: [],
  hasDepth: false,
  prevImageId: undefined,
  nextImageId: undefined,
  navigateToImage: () => {},
  review: {
    pending: null,
    decide: () => Promise.resolve(false),
    confirmPending: () => Promise.resolve(false),
    cancelPending: () => {},
    clearMessages: () => {},
    createObject: () => Promise.resolve(null),
    deleteObject: () => Promise.resolve(null),
    undo: () => Promise.resolve(),
    redo: () => Promise.resolve(),
  },
};

export function createImageStore(initial: Partial<ImageEditorState> = {}): ImageStore {
  // Not state: the page's data of the current render, read by the actions (never rendered from).
  let env = DETACHED;
  return createStore<ImageEditor>()((set, get) => {
    /** After a written decision: close the input and select what came after the decided QA. */
    const moveOn = (after: number | null) =>
      set(after === null ? { inputMode: null } : { inputMode: null, selectedQa: after });
    /** The selected QA when it is in this image's list (a reload may have dropped it). */
    const selectedInList = (): number | null => {
      const id = get().selectedQa;
      return id !== null && env.qa.some((q) => q.id === id) ? id : null;
    };

    const actions: ImageEditorActions = {
      attach: (next) => {
        env = next;
      },
      openImage: (qaToSelect) => {
        set({
          selectedQa: qaToSelect,
          selectedObject: null,
          inputMode: null,
          relabeling: false,
          newBox: null,
        });
        env.review.cancelPending();
        env.review.clearMessages();
      },
      selectQa: (id) => {
        set({ selectedQa: id, inputMode: null });
        env.review.cancelPending();
      },
      stepQa: (delta) => {
        const list = env.qa;
        if (list.length === 0) return;
        const at = list.findIndex((q) => q.id === get().selectedQa);
        const next =
          at < 0
            ? delta > 0
              ? 0
              : list.length - 1
            : Math.min(list.length - 1, Math.max(0, at + delta));
        get().selectQa(list[next]!.id);
      },
      selectObject: (id) => set({ selectedObject: id, relabeling: false }),
      selectNextObject: () => {
        const list = env.objects;
        const at = list.findIndex((o) => o.id === get().selectedObject);
        const next = list[(at + 1) % Math.max(1, list.length)];
        get().selectObject(next?.id ?? null);
        set({ panelTab: 'objects' });
      },
      showTab: (panelTab) => set({ panelTab }),
      setScope: (scope) => set({ scope }),
      setTool: (tool) => set({ tool }),
      setMaskEditing: (maskEditing) => set({ maskEditing }),
      setMaskTool: (maskTool) => set({ maskTool }),
      setInputMode: (inputMode) => {
        set({ inputMode });
        if (inputMode === null) env.review.cancelPending();
      },
      openQaInput: (kind) => {
        const qaId = selectedInList();
        if (qaId === null) return false;
        // The reason / answer input is on the QA card: bring its tab forward.
        set({ panelTab: 'qa', inputMode: { kind, qaId } });
        return true;
      },
      setRelabeling: (relabeling) => set({ relabeling }),
      startRelabel: () => {
        if (get().selectedObject === null) return false;
        // The label input is on the object's row: bring the objects tab forward.
        set({ panelTab: 'objects', relabeling: true });
        return true;
      },
      setNewBox: (newBox) => set({ newBox }),
      addObject: async (label) => {
        const box = get().newBox;
        if (!box) return;
        set({ newBox: null, tool: 'select' });
        const out = await env.review.createObject(box, label);
        if (out?.object) get().selectObject(out.object.id);
      },
      deleteObject: (id) => {
        void env.review.deleteObject(id);
        set({ selectedObject: null });
      },
      deleteSelectedObject: () => {
        const id = get().selectedObject;
        if (id === null) return false;
        get().deleteObject(id);
        return true;
      },
      decide: async (req) => {
        const after = nextAfter(env.qa, req.qaId);
        if (await env.review.decide(req)) moveOn(after);
      },
      decideSelected: (decision) => {
        const qaId = selectedInList();
        if (qaId === null) return false;
        void get().decide({ qaId, decision });
        return true;
      },
      confirmPending: () => {
        const { review, qa } = env;
        if (!review.pending) return false;
        const r = review.pending.request;
        const after = 'qaId' in r ? nextAfter(qa, r.qaId) : null;
        void review.confirmPending().then((written) => {
          if (written) moveOn(after);
        });
        return true;
      },
      undo: () => void env.review.undo(),
      redo: () => void env.review.redo(),
      goToImage: (which) => {
        const id = which === 'next' ? env.nextImageId : env.prevImageId;
        if (id !== undefined) env.navigateToImage(id);
      },
      toggleLayer: (layer) => {
        // Without a depth map the overlay has nothing to show: the key does nothing.
        if (layer === 'depth' && !env.hasDepth) return;
        const field = LAYER_FIELD[layer];
        set({ [field]: !get()[field] });
      },
      setBoxesVisible: (objectsVisible) => set({ objectsVisible }),
      setMasksVisible: (masksVisible) => set({ masksVisible }),
      setDepthVisible: (depthVisible) => set({ depthVisible }),
      setMaskOpacity: (maskOpacity) => set({ maskOpacity }),
      setDepthOpacity: (depthOpacity) => set({ depthOpacity }),
      zoom: (kind) => set({ zoomCommand: { kind, seq: (get().zoomCommand?.seq ?? 0) + 1 } }),
      setScale: (scale) => set({ scale }),
      setHelpOpen: (helpOpen) => set({ helpOpen }),
      escape: () => {
        const s = get();
        if (s.helpOpen) set({ helpOpen: false });
        else if (env.review.pending) env.review.cancelPending();
        else if (s.inputMode) set({ inputMode: null });
        else if (s.newBox) set({ newBox: null });
        else if (s.relabeling) set({ relabeling: false });
        else if (s.tool !== 'select') set({ tool: 'select' });
        else if (s.selectedObject !== null) set({ selectedObject: null });
        else if (s.selectedQa !== null) s.selectQa(null);
        // Nothing left to clear: stay. Esc pressed once too often must not throw away the page
        // (zoom, scroll, review position); going back is the "← Batch" button.
        else return false;
        return true;
      },
    };
    return { ...INITIAL_EDITOR_STATE, ...initial, ...actions };
  });
}
