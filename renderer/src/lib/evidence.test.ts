import { describe, expect, it } from 'vitest';
import type { EvidencePoint, QaEvidence } from '../../../contract/review';
import { evidenceShapes, formatAzimuth, formatLength } from './evidence';

const pt = (
  objectId: number | null,
  role: string,
  pixel: [number, number] | null,
): EvidencePoint => ({ objectId, role, world: [0, 0, 0], pixel });

describe('evidence wording', () => {
  it('says azimuths as a side seen from the camera', () => {
    expect(formatAzimuth(26.565)).toBe('26.6° right');
    expect(formatAzimuth(-9.46)).toBe('9.5° left');
    expect(formatAzimuth(0.01)).toBe('0° ahead');
  });
  it('says lengths with their unit', () => {
    expect(formatLength(1.2345, 'm')).toBe('1.23 m');
    expect(formatLength(2.5, 'oclock')).toBe("2.5 o'clock");
  });
});

describe('evidence shapes on the image', () => {
  const ev: QaEvidence = {
    camera: [0, 1.5, 0],
    azimuths: [
      {
        objectId: 3,
        degrees: 26.6,
        lateral: 0.5,
        centre: pt(3, 'centre', [570, 300]),
        span: [pt(3, 'bottom', [570, 480]), pt(3, 'top', [570, 100])],
      },
      {
        objectId: 5,
        degrees: 9.5,
        lateral: 1,
        centre: pt(5, 'centre', [400, 290]),
        span: [pt(5, 'bottom', null), pt(5, 'top', [400, 200])],
      },
    ],
    comparisons: [],
    lengths: [
      {
        measure: 'direct_distance',
        value: 5.02,
        unit: 'm',
        from: pt(3, 'centre', [570, 300]),
        to: pt(5, 'centre', [400, 290]),
      },
      {
        measure: 'distance_from_camera',
        value: 1.1,
        unit: 'm',
        from: pt(null, 'camera', null),
        to: pt(3, 'nearest point', [560, 310]),
      },
    ],
  };
  it('draws each azimuth through its object and each length between its pixels', () => {
    const shapes = evidenceShapes(ev, { width: 640, height: 480 });
    expect(shapes).toEqual([
      {
        kind: 'azimuth',
        objectId: 3,
        points: [570, 480, 570, 100],
        centre: [570, 300],
        text: '26.6° right',
      },
      // object 5's bottom is behind the camera: no line for it
      {
        kind: 'length',
        points: [570, 300, 400, 290],
        text: '5.02 m',
        ends: [3, 5],
        objectId: 3,
      },
      // the camera projects nowhere: from the bottom edge below the measured point
      {
        kind: 'length',
        points: [560, 480, 560, 310],
        text: '1.1 m',
        ends: [null, 3],
        objectId: 3,
      },
    ]);
  });
  it('draws nothing without evidence', () => {
    expect(evidenceShapes(null, { width: 10, height: 10 })).toEqual([]);
  });
});
