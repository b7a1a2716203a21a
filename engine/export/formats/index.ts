// Every export format's writer by name (the main thread and export shards create them alike).
import type { ExportOptions } from '../../../contract/exports';
import { createBenchWriter } from './bench';
import { createCocoWriter } from './coco';
import { createHfWriter } from './hf';
import { createLlavaWriter } from './llava';
import { createQaJsonlWriter } from './qa-jsonl';
import { createSceneGraphWriter } from './scenegraph';
import { createSpatialRgptWriter } from './spatialrgpt';
import type { FormatContext, FormatWriter } from './types';

export const WRITERS: Record<ExportOptions['format'], (ctx: FormatContext) => FormatWriter> = {
  spatialrgpt: createSpatialRgptWriter,
  'spatialrgpt-bench': createBenchWriter,
  llava: createLlavaWriter,
  hf: createHfWriter,
  coco: createCocoWriter,
  scenegraph: createSceneGraphWriter,
  'qa-jsonl': createQaJsonlWriter,
};
