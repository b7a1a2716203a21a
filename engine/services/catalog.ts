// Handlers of the read-only catalog: batches and their import issues, the batch view's images,
// counts and filter values, an image, its objects, stage results and QA rows, the label
// vocabulary, the audit log and a QA's decisions. One set for the desktop (Kysely on its project.sqlite) and the team service
// (PostgreSQL): both read through the same async stores, so both answer the same.
import type { Database } from 'better-sqlite3';
import type { ApiHandlers } from '../../contract/api';
import { ImageStatus } from '../../contract/entities';
import { BrowseStore } from '../../db/store/browse-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { ReviewStore } from '../../db/store/review-store';
import { NotFoundError } from '../errors';
import { toBatchSummary, toImageDetail, toImageSummary } from '../mappers';
import type { ServiceContext } from '../service';

/** The stores one project's catalog is read through, on either database. */
export interface CatalogSource {
  catalog: CatalogStore;
  browse: BrowseStore;
  review: ReviewStore;
}

export interface CatalogHandlers {
  batches: ApiHandlers['batches'];
  images: ApiHandlers['images'];
  objects: Pick<ApiHandlers['objects'], 'list'>;
  pipeline: Pick<ApiHandlers['pipeline'], 'imageStages'>;
  qa: Pick<ApiHandlers['qa'], 'list'>;
  labels: Pick<ApiHandlers['labels'], 'vocabulary'>;
  audit: Pick<ApiHandlers['audit'], 'list'>;
  reviews: Pick<ApiHandlers['reviews'], 'list'>;
}

const desktopSources = new WeakMap<Database, CatalogSource>();

/**
 * A desktop project's catalog: the stores over a Kysely handle on the connection its ProjectStore
 * already holds (as the export reads it), made once per connection.
 */
export function desktopCatalog(ctx: ServiceContext): (projectId: string) => CatalogSource {
  return (projectId) => {
    const connection = ctx.projects.get(projectId).db;
    let source = desktopSources.get(connection);
    if (!source) {
      const db = sqliteHandle(connection);
      source = {
        catalog: new CatalogStore(db),
        browse: new BrowseStore(db),
        review: new ReviewStore(db, 'sqlite'),
      };
      desktopSources.set(connection, source);
    }
    return source;
  };
}

/** The catalog API over any project's stores, desktop or team. */
export function createCatalogHandlers(
  sourceOf: (projectId: string) => CatalogSource,
): CatalogHandlers {
  return {
    batches: {
      list: async ({ projectId }) =>
        (await sourceOf(projectId).catalog.listBatches()).map(toBatchSummary),
      issues: async ({ projectId, batchId }) => {
        const { catalog } = sourceOf(projectId);
        if (!(await catalog.batchExists(batchId)))
          throw new NotFoundError(`batch not found: ${batchId}`);
        return catalog.issues(batchId);
      },
    },
    images: {
      list: async ({ projectId, ...query }) => {
        const page = await sourceOf(projectId).catalog.queryImages(query);
        return { total: page.total, items: page.items.map(toImageSummary) };
      },
      get: async ({ projectId, imageId }) => {
        const row = await sourceOf(projectId).catalog.image(imageId);
        if (!row) throw new NotFoundError(`image not found: ${imageId}`);
        return toImageDetail(row);
      },
      counts: async ({ projectId, ...filter }) => {
        const counts = await sourceOf(projectId).catalog.statusCounts(filter);
        const byStatus = Object.fromEntries(
          ImageStatus.options.map((s) => [s, counts.byStatus[s] ?? 0]),
        ) as Record<ImageStatus, number>;
        return { total: counts.total, byStatus };
      },
      filterOptions: async ({ projectId, batchId }) =>
        sourceOf(projectId).browse.filterOptions(batchId),
    },
    objects: {
      list: async ({ projectId, imageId }) => sourceOf(projectId).browse.objects(imageId),
    },
    pipeline: {
      imageStages: async ({ projectId, imageId }) => {
        const { catalog, browse } = sourceOf(projectId);
        if (!(await catalog.image(imageId))) throw new NotFoundError(`image not found: ${imageId}`);
        return browse.stageRuns(imageId);
      },
    },
    qa: {
      list: async ({ projectId, imageId }) => sourceOf(projectId).browse.qaDetails(imageId),
    },
    labels: {
      vocabulary: async ({ projectId }) => sourceOf(projectId).browse.vocabulary(),
    },
    audit: {
      list: async ({ projectId, imageId, beforeId, limit }) =>
        sourceOf(projectId).review.auditEntries({ imageId, beforeId, limit }),
    },
    reviews: {
      list: async ({ projectId, qaId }) => sourceOf(projectId).review.reviews(qaId),
    },
  };
}
