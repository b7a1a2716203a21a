// Pure helpers for a QA's evidence (contract QaEvidence, defined in spatial/scene/DEFINITIONS.md):
// the card's wording of azimuths and lengths, and the shapes the canvas draws for them, in image
// pixels (points behind the camera are left out).
import type { EvidencePoint, QaEvidence } from '../../../contract/review';
import { formatNumber } from './format';

/** "12.3° right", "4° left", "0° ahead": an azimuth seen from the camera. */
export function formatAzimuth(deg: number): string {
  const a = Math.abs(deg);
  const text = `${formatNumber(a, 1)}°`;
  if (Number(formatNumber(a, 1)) === 0) return `${text} ahead`;
  return `${text} ${deg < 0 ? 'left' : 'right'}`;
}

/** "(0.12, 1.05, 3.40)": a world point in metres. */
export function formatPoint(p: readonly number[]): string {
  return `(${p.map((v) => v.toFixed(2)).join(', ')})`;
}

/** A length's value with its unit: "1.24 m", "2.5 o'clock". */
export function formatLength(value: number, unit: 'm' | 'oclock'): string {
  return unit === 'm' ? `${formatNumber(value, 2)} m` : `${formatNumber(value, 1)} o'clock`;
}

/** Readable names of the graph quantities a length measures. */
export const MEASURE_NAMES: Record<string, string> = {
  direct_distance: 'distance centre to centre',
  horizontal_distance: 'horizontal distance',
  vertical_distance: 'vertical distance',
  closest_distance: 'gap between the closest points',
  direction: 'direction',
  width: 'width',
  height: 'height',
  depth_extent: 'depth',
  elevation: 'height above the floor',
  distance_from_camera: 'distance from the camera',
};

export type EvidenceShape =
  | {
      kind: 'azimuth';
      objectId: number;
      /** Bottom and top of the object's vertical through its centre. */
      points: [number, number, number, number];
      centre: [number, number];
      text: string;
    }
  | {
      kind: 'length';
      points: [number, number, number, number];
      text: string;
      /** The objects of the two ends (their colours); null for the camera or the floor. */
      ends: [number | null, number | null];
      /** The object whose colour the value tag takes. */
      objectId: number | null;
    };

const px = (p: EvidencePoint) => p.pixel;

/**
 * What the canvas draws for an evidence: a vertical line with its azimuth through each object's
 * centre, and a segment with its value for each length. A length with an endpoint behind the
 * camera (the camera itself, for distance from the camera) is drawn from the image edge below
 * the other end, so nothing is placed off the projection.
 */
export function evidenceShapes(
  ev: QaEvidence | null | undefined,
  size: { width: number; height: number },
): EvidenceShape[] {
  if (!ev) return [];
  const out: EvidenceShape[] = [];
  for (const a of ev.azimuths) {
    const [b, t] = a.span.map(px);
    const c = px(a.centre);
    if (!b || !t || !c) continue;
    out.push({
      kind: 'azimuth',
      objectId: a.objectId,
      points: [b[0], b[1], t[0], t[1]],
      centre: c,
      text: formatAzimuth(a.degrees),
    });
  }
  for (const l of ev.lengths) {
    const to = px(l.to);
    if (!to) continue;
    // The camera projects nowhere: draw from the bottom edge of the image, below the target.
    const from = px(l.from) ?? (l.from.role === 'camera' ? [to[0], size.height] : null);
    if (!from) continue;
    out.push({
      kind: 'length',
      points: [from[0], from[1], to[0], to[1]],
      text: formatLength(l.value, l.unit),
      ends: [l.from.objectId, l.to.objectId],
      objectId: l.from.objectId ?? l.to.objectId,
    });
  }
  return out;
}
