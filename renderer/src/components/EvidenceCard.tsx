// The measured numbers on a QA card (contract QaEvidence, spatial/scene/DEFINITIONS.md): for
// left/right each object's azimuth seen from the camera, the difference and the tie margin (and
// the lateral offsets, which do not decide); for metric answers the value, unit and the two points
// it was measured between. `compact` is the one-line form every card carries; the selected card
// gets the full form. Numbers are also on data-* attributes for the tests.
import type { QaEvidence } from '../../../contract/review';
import { formatNumber } from '../lib/format';
import { formatAzimuth, formatLength, formatPoint, MEASURE_NAMES } from '../lib/evidence';
import { ObjectChip } from './ObjectChip';

interface Props {
  evidence: QaEvidence;
  colors: ReadonlyMap<number, string>;
  labelOf: (id: number) => string | undefined;
  compact?: boolean;
}

export function EvidenceCard({ evidence, colors, labelOf, compact = false }: Props) {
  const chip = (id: number | null) =>
    id === null ? null : <ObjectChip id={id} label={labelOf(id)} color={colors.get(id)} />;
  if (compact) {
    const parts = [
      ...evidence.azimuths.map(
        (a) => `${labelOf(a.objectId) ?? 'object'} ${formatAzimuth(a.degrees)}`,
      ),
      ...evidence.lengths.map((l) => formatLength(l.value, l.unit)),
    ];
    if (parts.length === 0) return null;
    return (
      <span className="qa-evidence-compact muted small" data-testid="qa-evidence-compact">
        {parts.join(' · ')}
      </span>
    );
  }
  if (evidence.azimuths.length === 0 && evidence.lengths.length === 0) return null;
  return (
    <span className="qa-evidence small" data-testid="qa-evidence">
      {evidence.azimuths.length > 0 && (
        <span className="qa-evidence-title">Seen from the camera (azimuth of each centre)</span>
      )}
      {evidence.azimuths.map((a) => (
        <span
          key={`az-${a.objectId}`}
          className="qa-evidence-row"
          data-testid="evidence-azimuth"
          data-object-id={a.objectId}
          data-degrees={a.degrees}
          data-lateral={a.lateral}
        >
          {chip(a.objectId)} <b>{formatAzimuth(a.degrees)}</b>
          <span className="muted"> · lateral offset {formatNumber(a.lateral, 2)} m</span>
        </span>
      ))}
      {evidence.comparisons.map((c, i) => {
        const decided = Math.abs(c.difference) > c.margin;
        const side = c.difference > 0 ? 'left of' : 'right of';
        return (
          <span
            key={`cmp-${i}`}
            className="qa-evidence-row"
            data-testid="evidence-comparison"
            data-difference={c.difference}
            data-margin={c.margin}
            data-stated={c.stated ?? ''}
          >
            {chip(c.subject)}{' '}
            {decided ? (
              <>
                is <b>{formatNumber(Math.abs(c.difference), 1)}°</b> {side}
              </>
            ) : (
              <>
                is within <b>{formatNumber(c.margin, 1)}°</b> of
              </>
            )}{' '}
            {chip(c.object)}
            <span className="muted">
              {' '}
              (tie margin {formatNumber(c.margin, 1)}°
              {c.stated === null
                ? '; the graph states no left/right'
                : `; the graph states ${c.stated.replace('_', ' ')}`}
              )
            </span>
          </span>
        );
      })}
      {evidence.lengths.map((l, i) => (
        <span
          key={`len-${i}`}
          className="qa-evidence-row"
          data-testid="evidence-length"
          data-measure={l.measure}
          data-value={l.value}
          data-unit={l.unit}
          data-from={JSON.stringify(l.from.world)}
          data-to={JSON.stringify(l.to.world)}
        >
          {MEASURE_NAMES[l.measure] ?? l.measure}: <b>{formatLength(l.value, l.unit)}</b>
          <span className="qa-evidence-ends">
            from {chip(l.from.objectId)} {l.from.role} {formatPoint(l.from.world)}
          </span>
          <span className="qa-evidence-ends">
            to {chip(l.to.objectId)} {l.to.role} {formatPoint(l.to.world)}
          </span>
          {l.note && <span className="muted qa-evidence-ends">{l.note}</span>}
        </span>
      ))}
      {evidence.lengths.length > 0 && (
        <span className="muted">
          Points in metres, world frame: x right, y up, z away from the viewer.
        </span>
      )}
    </span>
  );
}
