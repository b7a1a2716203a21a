// Colour bar for the depth preview. The engine (spatial/colormap.ts) maps near readings to red and
// far ones to blue, stretched over the 2nd..98th percentile of valid readings (outliers clamped), so
// the labels give the measured min..max and the caption says how the colours are stretched.
import { formatMeters } from '../lib/format';

export function DepthLegend({ min, max }: { min: number | null; max: number | null }) {
  return (
    <div className="legend" data-testid="depth-legend">
      <div className="legend-bar" aria-hidden="true" />
      <div className="legend-labels">
        <span>near · {formatMeters(min)}</span>
        <span>far · {formatMeters(max)}</span>
      </div>
      <div className="legend-caption muted small">
        Colours span the central 96% of readings; missing depth is transparent.
      </div>
    </div>
  );
}
