// An object as the UI names it everywhere (QA text, values, the batch queue, evidence): its
// colour swatch, its current label and its id; and QA text with `<regionN>` tokens drawn as chips.
import { splitRegions } from '../lib/objects';

export function ObjectChip({
  id,
  label,
  color,
  title,
}: {
  id: number;
  label: string | undefined;
  color: string | undefined;
  title?: string;
}) {
  return (
    <span
      className="region-chip"
      style={{ borderColor: color ?? 'currentColor' }}
      title={title ?? `object #${id}`}
      data-object-id={id}
    >
      <span className="swatch" style={{ background: color ?? 'transparent' }} />
      {label ?? 'object'} #{id}
    </span>
  );
}

/** QA text with each `<regionN>` as the chip of subjects[N] (unknown regions stay as text). */
export function RegionText({
  text,
  subjects,
  colors,
  labelOf,
}: {
  text: string;
  subjects: readonly number[];
  colors: ReadonlyMap<number, string>;
  labelOf: (id: number) => string | undefined;
}) {
  return (
    <>
      {splitRegions(text).map((part, i) => {
        if ('text' in part) return <span key={i}>{part.text}</span>;
        const id = subjects[part.region];
        if (id === undefined) return <span key={i}>{`<region${part.region}>`}</span>;
        return (
          <ObjectChip
            key={i}
            id={id}
            label={labelOf(id)}
            color={colors.get(id)}
            title={`<region${part.region}> = object #${id}`}
          />
        );
      })}
    </>
  );
}

/**
 * A QA's machine value: object ids as chips (choice and list answers), anything else as text
 * (formatted by the caller: metres, yes/no, clock hours, counts).
 */
export function QaValue({
  value,
  unit,
  colors,
  labelOf,
  format,
}: {
  value: unknown;
  unit: string | null;
  colors: ReadonlyMap<number, string>;
  labelOf: (id: number) => string | undefined;
  format: (value: unknown, unit: string | null) => string;
}) {
  const ids = objectIds(value, unit);
  // Only ids of this image's objects are chips: a count or a legacy value stays text.
  if (!ids || ids.some((id) => labelOf(id) === undefined)) return <>{format(value, unit)}</>;
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <ObjectChip id={id} label={labelOf(id)} color={colors.get(id)} />
        </span>
      ))}
    </>
  );
}

/** The object ids a unit-less value names (an id or a list of ids), else null. */
function objectIds(value: unknown, unit: string | null): number[] | null {
  if (unit !== null) return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'number' && Number.isInteger(v)))
    return null;
  return list as number[];
}
