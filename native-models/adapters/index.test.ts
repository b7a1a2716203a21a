import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../catalogue';
import { adapterKind } from './index';

describe('adapter resolution', () => {
  it('maps every built-in model to the adapter that runs its contract', () => {
    expect(Object.fromEntries(CATALOGUE.map((m) => [m.id, adapterKind(m)]))).toEqual({
      'clip-vit-base-patch32': 'clip',
      'grounding-dino-tiny': 'grounding-dino',
      'owlv2-base-patch16': 'owlv2',
      'sam-vit-b': 'sam',
      'slimsam-77-uniform': 'slimsam',
      'metric3d-vit-small': 'metric3d',
      'depth-anything-v2-metric-indoor-small': 'depth-anything',
      'depth-anything-v2-metric-outdoor-small': 'depth-anything',
      'depth-anything-v2-metric-indoor-small-release': 'depth-anything',
      'depth-anything-v2-metric-outdoor-small-release': 'depth-anything',
      'geocalib-fields': 'geocalib',
    });
  });
});
