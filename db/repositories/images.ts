// The one synchronous image read left: the project summary's count (engine/mappers.ts
// toProjectSummary, which moves to the layer's BrowseStore.counts with the project open; then
// this file goes). Every other image read and write is db/store/catalog-store.ts's.
import type { Database } from 'better-sqlite3';

export class ImageRepository {
  constructor(private readonly db: Database) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n;
  }
}
