// Public entry of the batch importer.
export { importBatch, ImportOptionsError, DEFAULT_CONCURRENCY } from './importer';
export type { ImportOptions, ImportProgress, ImportResult } from './types';
export type { ScanFs, DirEntry } from './scan';
export { DepthEncodingError } from '../../spatial/depth-encoding';
