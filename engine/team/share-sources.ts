// Puts a team project's colour sources into its shared blob folder after the copy: for a project
// copied to PostgreSQL before `sqw project copy` shared them, or whose sources were unreadable
// then. Runs on a machine that sees the images' source paths (the importing one); every source is
// checked against its import hash (db/copy/source-blobs.ts).
import { openPostgresProject } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import { shareSources, type SharedSources } from '../../db/copy/source-blobs';

const PAGE = 1000;

export async function shareTeamSources(url: string, blobsDir: string): Promise<SharedSources> {
  const project = await openPostgresProject(url, 1);
  const out: SharedSources = { shared: 0, missing: [] };
  try {
    const catalog = new CatalogStore(project.db);
    for (let offset = 0; ; offset += PAGE) {
      const { items } = await catalog.queryImages({ offset, limit: PAGE });
      const part = shareSources(items, blobsDir);
      out.shared += part.shared;
      out.missing.push(...part.missing);
      if (items.length < PAGE) return out;
    }
  } finally {
    await project.close();
  }
}
