// The selected QA's evidence on the image (lib/evidence.ts): each object's vertical through its
// centre with its azimuth seen from the camera (left/right), and each measured length as a segment
// between its endpoints with value and unit. Drawn in image pixels; strokes and text keep their
// screen size at any zoom.
import { Circle, Label, Layer, Line, Tag, Text } from 'react-konva';
import type { EvidenceShape } from '../lib/evidence';

const TEXT_PX = 12;
const PAD = 3;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

export function EvidenceLayer({
  shapes,
  scale,
  colors,
}: {
  shapes: readonly EvidenceShape[];
  scale: number;
  colors?: ReadonlyMap<number, string>;
}) {
  const s = scale;
  const colorOf = (id: number | null) => (id === null ? '#ffffff' : (colors?.get(id) ?? '#ffffff'));
  const tag = (x: number, y: number, text: string, color: string, key: string) => (
    <Label key={key} x={x} y={y} listening={false}>
      <Tag fill="rgba(11,12,14,0.82)" stroke={color} strokeWidth={1 / s} cornerRadius={2 / s} />
      <Text
        text={text}
        fontSize={TEXT_PX / s}
        fontFamily={FONT}
        fontStyle="bold"
        padding={PAD / s}
        fill="#ffffff"
      />
    </Label>
  );
  const azimuths = shapes.filter((x) => x.kind === 'azimuth');
  return (
    <Layer listening={false}>
      {/* Left/right: the two centres joined at their height, so their order reads at a glance. */}
      {azimuths.length >= 2 && (
        <Line
          points={azimuths.flatMap((a) => a.centre)}
          stroke="#ffffff"
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          dash={[4, 4]}
          opacity={0.8}
        />
      )}
      {shapes.map((sh, i) => {
        const color = colorOf(sh.objectId);
        if (sh.kind === 'azimuth') {
          const [x0, y0, x1, y1] = sh.points;
          return [
            <Line
              key={`az-${i}-dark`}
              points={sh.points}
              stroke="#0b0c0e"
              strokeWidth={5}
              strokeScaleEnabled={false}
              opacity={0.6}
            />,
            <Line
              key={`az-${i}`}
              points={sh.points}
              stroke={color}
              strokeWidth={2.5}
              strokeScaleEnabled={false}
              dash={[10, 5]}
            />,
            <Circle
              key={`az-${i}-c`}
              x={sh.centre[0]}
              y={sh.centre[1]}
              radius={5 / s}
              fill={color}
              stroke="#0b0c0e"
              strokeWidth={1.5 / s}
            />,
            tag(Math.min(x0, x1) + 6 / s, Math.min(y0, y1), sh.text, color, `az-${i}-t`),
          ];
        }
        const [x0, y0, x1, y1] = sh.points;
        return [
          <Line
            key={`len-${i}-dark`}
            points={sh.points}
            stroke="#0b0c0e"
            strokeWidth={5}
            strokeScaleEnabled={false}
            opacity={0.6}
          />,
          <Line
            key={`len-${i}`}
            points={sh.points}
            stroke="#ffffff"
            strokeWidth={2.5}
            strokeScaleEnabled={false}
          />,
          ...(
            [
              [x0, y0, sh.ends[0]],
              [x1, y1, sh.ends[1]],
            ] as const
          ).map(([x, y, id], k) => (
            <Circle
              key={`len-${i}-${k}`}
              x={x}
              y={y}
              radius={4.5 / s}
              fill={colorOf(id)}
              stroke="#0b0c0e"
              strokeWidth={1.5 / s}
            />
          )),
          tag((x0 + x1) / 2 + 6 / s, (y0 + y1) / 2, sh.text, color, `len-${i}-t`),
        ];
      })}
    </Layer>
  );
}
