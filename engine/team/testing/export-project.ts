// The export fixture's desktop project copied into a fresh team database, its blobs in a shared
// folder under `root`: what the team export tests serve and compare with the desktop's.
import { join } from 'node:path';
import { copyProject } from '../../../db/copy/project-copy';
import { buildExportFixture } from '../../export/test-fixture';

export interface CopiedExportProject {
  /** The desktop project folder (closed). */
  folder: string;
  url: string;
  blobs: string;
}

export async function copiedExportProject(
  root: string,
  createDatabase: () => Promise<string>,
): Promise<CopiedExportProject> {
  const fx = await buildExportFixture(root);
  const folder = fx.store.folder;
  fx.store.close();
  const url = await createDatabase();
  const blobs = join(root, 'shared-blobs');
  await copyProject(folder, url, { blobs });
  return { folder, url, blobs };
}
