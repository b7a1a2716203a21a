// The batch view's filter state and its mapping onto images.list / images.counts input.
import type { ImageStatus } from '../../../contract/entities';

export interface BatchFilters {
  status: ImageStatus | null;
  search: string;
  label: string;
  ambiguous: 'any' | 'yes' | 'no';
  qaFamily: string;
  changedAfterEdit: boolean;
  reviewer: string;
}

export const NO_FILTERS: BatchFilters = {
  status: null,
  search: '',
  label: '',
  ambiguous: 'any',
  qaFamily: '',
  changedAfterEdit: false,
  reviewer: '',
};

/** The API's filter fields (status left to the caller: counts must not filter by it). */
export function filterInput(f: BatchFilters, batchId: number | null) {
  return {
    ...(batchId !== null ? { batchId } : {}),
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
    ...(f.label ? { label: f.label } : {}),
    ...(f.ambiguous !== 'any' ? { ambiguous: f.ambiguous === 'yes' } : {}),
    ...(f.qaFamily ? { qaFamily: f.qaFamily } : {}),
    ...(f.changedAfterEdit ? { changedAfterEdit: true } : {}),
    ...(f.reviewer ? { reviewer: f.reviewer } : {}),
  };
}

export function activeFilterCount(f: BatchFilters): number {
  return (
    (f.status ? 1 : 0) +
    (f.search.trim() ? 1 : 0) +
    (f.label ? 1 : 0) +
    (f.ambiguous !== 'any' ? 1 : 0) +
    (f.qaFamily ? 1 : 0) +
    (f.changedAfterEdit ? 1 : 0) +
    (f.reviewer ? 1 : 0)
  );
}
