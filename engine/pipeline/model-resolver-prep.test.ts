// The resolver hands adapters the manifest as the installed preprocessor_config.json describes it
// (issue 18 item 3): an unreadable file makes the stage unusable with the reason, not a silent
// fallback to the catalogue's numbers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findManifest } from '../../native-models/catalogue';
import { importModel } from '../../native-models/import-local';
import { ModelStore } from '../../native-models/store';
import { removeTempDirs, tempDir, writeFile } from '../../native-models/testing/fixtures';
import { depthAnythingMetricModel } from '../../native-models/testing/test-models';
import { createModelResolver } from './model-resolver';

afterAll(() => removeTempDirs());

describe('model resolver and the installed preprocessor_config.json', () => {
  it('a broken preprocessor_config.json makes the pipeline stage unusable with the reason', async () => {
    const indoor = findManifest('depth-anything-v2-metric-indoor-small');
    const dir = tempDir();
    const store = new ModelStore(dir);
    await importModel(
      indoor,
      writeFile(join(tempDir(), 'model.onnx'), depthAnythingMetricModel()),
      store,
    );
    writeFileSync(store.filePath(indoor, 'preprocessor_config.json'), '{"size": ');
    const { resolve, pool: p } = createModelResolver({ modelsDir: dir, device: 'cpu' });
    await expect(resolve('depth')).rejects.toThrow(
      /model depth-anything-v2-metric-indoor-small: preprocessor_config\.json is not valid JSON/,
    );
    await p.release();
  });
});
