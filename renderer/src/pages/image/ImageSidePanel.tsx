// The image page's side panel: a drawn box waiting for its label, the selected object's naming
// tools and mask editor, then three tabs: the QA review queue (this image or the whole batch), the
// objects (with the layer switches and label tools), and the scene graph with the metadata. What
// is open, selected and pending comes from the image store; edits go through the review session.
import { memo } from 'react';
import type { ImageDetail, SceneGraphView } from '../../../../contract/entities';
import type { AmbiguousObject, ReviewQa } from '../../../../contract/review';
import { DepthLegend } from '../../components/DepthLegend';
import { MaskEditorPanel, type MaskEditor } from '../../components/MaskEditor';
import { MetadataPanel } from '../../components/MetadataPanel';
import { ObjectsPanel } from '../../components/ObjectsPanel';
import { QaList } from '../../components/QaList';
import { ScenePanel } from '../../components/ScenePanel';
import { BatchQueue } from '../../review/BatchQueue';
import type { PanelTab } from '../../review/image-store';
import { LabelInput } from '../../review/LabelInput';
import { LabelTools } from '../../review/LabelTools';
import { NamingTools } from '../../review/ReferentTools';
import { useImageActions, useImageStore } from '../../review/use-image-store';
import type { ReviewSession } from '../../review/useReviewSession';

const PANEL_TABS: { id: PanelTab; title: string }[] = [
  { id: 'qa', title: 'QA review' },
  { id: 'objects', title: 'Objects' },
  { id: 'scene', title: 'Scene' },
];

// Memoised: the page re-renders for each of the loads at open and for the canvas's scale, and
// re-rendering ~140 QA rows and the rest each time cost tens of ms per open. Their handlers are
// store actions or stable callbacks, so the memo holds.
const MemoObjectsPanel = memo(ObjectsPanel);
const MemoQaList = memo(QaList);
const MemoScenePanel = memo(ScenePanel);
const MemoMetadataPanel = memo(MetadataPanel);
const MemoLabelTools = memo(LabelTools);
const MemoDepthLegend = memo(DepthLegend);

interface Props {
  projectId: string;
  imageId: number;
  image: ImageDetail | null;
  batchId: number | null;
  review: ReviewSession;
  objects: ReviewSession['objects'];
  qaList: readonly ReviewQa[] | undefined;
  colors: ReadonlyMap<number, string>;
  ambiguous: readonly AmbiguousObject[];
  names: ReadonlyMap<number, string | null>;
  vocabulary: readonly { label: string; count: number }[];
  maskEditor: MaskEditor;
  scene: { view: SceneGraphView | null | undefined; error: string | null };
  /** Stable: relabel / rename, then reload the vocabulary. */
  onRelabel: (id: number, label: string, version: number) => void;
  onRenameLabel: (from: string, to: string) => void;
}

export function ImageSidePanel(p: Props) {
  const { review, objects, colors } = p;
  const panelTab = useImageStore((s) => s.panelTab);
  const selectedObject = useImageStore((s) => s.selectedObject);
  const newBox = useImageStore((s) => s.newBox);
  const { showTab, setNewBox, addObject } = useImageActions();
  return (
    <aside className="side-panel">
      {newBox && (
        <section className="control-card new-box" data-testid="new-box">
          <h3>New object</h3>
          <p className="muted small">
            Box {newBox.map((v) => Math.round(v)).join(', ')}; its mask is derived from depth.
          </p>
          <LabelInput
            initial=""
            vocabulary={p.vocabulary}
            placeholder="Label (Enter)"
            submitLabel="Add"
            testid="new-box-label"
            onSubmit={(label) => void addObject(label)}
            onCancel={() => setNewBox(null)}
          />
        </section>
      )}
      {/* Above the tabs: resolving a name ("Resolve" on a QA card) shows the object's tools
          beside the card it unblocks. */}
      <NamingTools
        review={review}
        objectId={selectedObject}
        names={p.names}
        ambiguous={p.ambiguous}
        colors={colors}
      />
      <MaskEditorPanel editor={p.maskEditor} />
      <div className="side-tabs" role="tablist" aria-label="Side panel">
        {PANEL_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`side-tab-${t.id}`}
            aria-selected={panelTab === t.id}
            aria-controls={`side-tabpanel-${t.id}`}
            className={`side-tab${panelTab === t.id ? ' active' : ''}`}
            onClick={() => showTab(t.id)}
            data-testid={`side-tab-${t.id}`}
          >
            {t.title}
            {t.id === 'qa' && p.qaList ? <span className="count">{p.qaList.length}</span> : null}
            {t.id === 'objects' && review.data ? (
              <span className="count">{objects.length}</span>
            ) : null}
          </button>
        ))}
      </div>
      <TabPanel tab="objects" open={panelTab}>
        <DepthControls image={p.image} />
        <ObjectsTab {...p} />
      </TabPanel>
      <TabPanel tab="qa" open={panelTab}>
        <QaTab {...p} />
      </TabPanel>
      <TabPanel tab="scene" open={panelTab}>
        <MemoScenePanel scene={p.scene.view} colors={colors} error={p.scene.error} />
        {p.image && <MemoMetadataPanel image={p.image} />}
      </TabPanel>
      <p className="keys muted small" data-testid="image-keys">
        <kbd>?</kbd> all keys · <kbd>n</kbd>/<kbd>p</kbd> next/prev QA · <kbd>a</kbd> approve ·{' '}
        <kbd>r</kbd> reject · <kbd>e</kbd> edit · <kbd>s</kbd> skip · <kbd>u</kbd> undo ·{' '}
        <kbd>j</kbd>/<kbd>k</kbd> next/prev image · <kbd>w</kbd> draw · <kbd>d</kbd> depth ·{' '}
        <kbd>b</kbd> boxes · <kbd>m</kbd> masks · <kbd>Esc</kbd> clear
      </p>
    </aside>
  );
}

function TabPanel({
  tab,
  open,
  children,
}: {
  tab: PanelTab;
  open: PanelTab;
  children: React.ReactNode;
}) {
  return (
    <div
      className="side-tabpanel"
      role="tabpanel"
      id={`side-tabpanel-${tab}`}
      aria-labelledby={`side-tab-${tab}`}
      hidden={open !== tab}
    >
      {children}
    </div>
  );
}

function DepthControls({ image }: { image: ImageDetail | null }) {
  const hasDepth = image?.hasDepth ?? false;
  const depthVisible = useImageStore((s) => s.depthVisible);
  const depthOpacity = useImageStore((s) => s.depthOpacity);
  const { setDepthVisible, setDepthOpacity } = useImageActions();
  return (
    <section className="depth-controls" aria-label="Depth overlay">
      <label className={`switch${hasDepth ? '' : ' disabled'}`}>
        <input
          type="checkbox"
          checked={depthVisible && hasDepth}
          disabled={!hasDepth}
          onChange={(e) => setDepthVisible(e.target.checked)}
          data-testid="depth-toggle"
        />
        <span className="switch-track" aria-hidden="true" />
        <span>
          Depth overlay <kbd>d</kbd>
        </span>
      </label>
      <label className="field slider">
        <span>
          Opacity <b>{Math.round(depthOpacity * 100)}%</b>
        </span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={depthOpacity}
          disabled={!hasDepth}
          onChange={(e) => setDepthOpacity(Number(e.target.value))}
          data-testid="depth-opacity"
        />
      </label>
      {image?.depth ? (
        <MemoDepthLegend min={image.depth.minMeters} max={image.depth.maxMeters} />
      ) : image ? (
        <p className="muted small" data-testid="no-depth-note">
          This image has no depth map: no masks from depth, scene graph or 3D view until one is
          imported or a depth model runs.
        </p>
      ) : null}
    </section>
  );
}

function ObjectsTab({ review, objects, colors, ambiguous, vocabulary, ...p }: Props) {
  const s = useImageStore;
  const visible = s((x) => x.objectsVisible);
  const masksVisible = s((x) => x.masksVisible);
  const maskOpacity = s((x) => x.maskOpacity);
  const selectedId = s((x) => x.selectedObject);
  const relabeling = s((x) => x.relabeling);
  const { setBoxesVisible, setMasksVisible, setMaskOpacity } = useImageActions();
  const { selectObject, setRelabeling, deleteObject } = useImageActions();
  return (
    <>
      <MemoObjectsPanel
        objects={review.data ? objects : undefined}
        colors={colors}
        visible={visible}
        onVisibleChange={setBoxesVisible}
        masksVisible={masksVisible}
        onMasksVisibleChange={setMasksVisible}
        maskOpacity={maskOpacity}
        onMaskOpacityChange={setMaskOpacity}
        ambiguous={ambiguous}
        selectedId={selectedId}
        onSelect={selectObject}
        relabeling={relabeling}
        onRelabeling={setRelabeling}
        onRelabel={p.onRelabel}
        onDelete={deleteObject}
        vocabulary={vocabulary}
        busy={review.busy}
        error={review.loadError}
      />
      <MemoLabelTools vocabulary={vocabulary} busy={review.busy} onRename={p.onRenameLabel} />
    </>
  );
}

function QaTab({ projectId, imageId, batchId, review, objects, colors, qaList, names }: Props) {
  const scope = useImageStore((s) => s.scope);
  const selectedQa = useImageStore((s) => s.selectedQa);
  const inputMode = useImageStore((s) => s.inputMode);
  const a = useImageActions();
  return (
    <>
      <div className="scope-switch btn-group" role="group" aria-label="Review queue scope">
        <button
          type="button"
          className={`btn btn-small${scope === 'image' ? ' active' : ''}`}
          aria-pressed={scope === 'image'}
          onClick={() => a.setScope('image')}
          data-testid="scope-image"
        >
          This image
        </button>
        <button
          type="button"
          className={`btn btn-small${scope === 'batch' ? ' active' : ''}`}
          aria-pressed={scope === 'batch'}
          disabled={batchId === null}
          onClick={() => a.setScope('batch')}
          data-testid="scope-batch"
        >
          Whole batch
        </button>
      </div>
      {scope === 'batch' && batchId !== null ? (
        <BatchQueue projectId={projectId} batchId={batchId} currentImageId={imageId} />
      ) : (
        <MemoQaList
          qa={qaList}
          objects={objects}
          colors={colors}
          selectedId={selectedQa}
          onSelect={a.selectQa}
          inputMode={inputMode}
          onInputMode={a.setInputMode}
          onDecide={a.decide}
          onBulk={review.bulk}
          warnings={review.pending ? review.pending.warnings : null}
          onConfirmWarnings={a.confirmPending}
          onCancelWarnings={review.cancelPending}
          busy={review.busy}
          error={review.loadError}
          names={names}
          onResolve={a.selectObject}
        />
      )}
    </>
  );
}
