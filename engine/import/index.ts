// Public entry of the batch importer.
export {
  importBatch,
  importInto,
  desktopImportTarget,
  ImportOptionsError,
  DEFAULT_CONCURRENCY,
} from './importer';
export type { ImportTarget } from './process-file';
export type { ImportOptions, ImportProgress, ImportResult } from './types';
export type { ScanFs, DirEntry } from './scan';
export { DepthEncodingError } from '../../spatial/depth-encoding';
