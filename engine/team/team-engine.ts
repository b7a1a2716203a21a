// The engine `sqw serve --database postgres://…` runs: one team project, the review loop served by
// engine/team/team-service.ts over the two-database layer, the same event bus and dispatcher as a
// desktop engine, and blobs read from the project's shared blob folder. Its segmentation model
// (click-to-refine) comes from `modelsDir` on `device`, as a worker's do, loaded on first use.
import type { BlobRef } from '../../contract/blobs';
import { describeLocation } from '../../db/copy/project-copy';
import { isPostgresUrl, openProjectDb } from '../../db/store/connect';
import { EventBus } from '../event-bus';
import type { Device } from '../../native-models/providers';
import { createDispatcher, type Dispatch } from '../rpc/dispatch';
import { MaskRefiner } from '../review/mask-refiner';
import { TeamLiveUpdates } from './team-live';
import { TeamProject, type TeamBlob } from './team-project';
import { createTeamService } from './team-service';

export interface TeamEngine {
  project: TeamProject;
  events: EventBus;
  dispatch: Dispatch;
  readBlob(ref: BlobRef): Promise<TeamBlob | undefined>;
  close(): Promise<void>;
}

export async function createTeamEngine(opts: {
  /** `postgres://…` (a team project), or a project folder (the same stores on SQLite). */
  database: string;
  /** The shared folder of the project's image, depth and mask files. */
  blobs: string;
  /** Installed models (default $SQW_MODELS_DIR or ~/.sqw/models), as `sqw worker --models-dir`. */
  modelsDir?: string | null;
  /** Where the models run (default auto), as `sqw worker --device`. */
  device?: Device;
}): Promise<TeamEngine> {
  const db = await openProjectDb(opts.database);
  let project: TeamProject;
  try {
    project = await TeamProject.open(
      db,
      describeLocation(opts.database),
      opts.blobs,
      isPostgresUrl(opts.database) ? opts.database : null,
    );
  } catch (err) {
    await db.close();
    throw err;
  }
  const events = new EventBus();
  const refiner = new MaskRefiner({
    modelsDir: opts.modelsDir,
    device: opts.device,
    installHint: (dir) =>
      `install SAM or SlimSAM into ${dir} on the server (\`sqw models download slimsam-77-uniform --models-dir ${dir}\`), the folder \`sqw serve --database\` reads (--models-dir)`,
  });
  let live: TeamLiveUpdates | null = null;
  try {
    // The workers' progress, told by the queue as they go (team-live.ts).
    if (isPostgresUrl(opts.database))
      live = await TeamLiveUpdates.start(project, events, opts.database);
  } catch (err) {
    await project.close();
    throw err;
  }
  return {
    project,
    events,
    dispatch: createDispatcher(createTeamService(project, events, Date.now, refiner)),
    readBlob: (ref) => project.readBlob(ref),
    close: async () => {
      await refiner.release();
      await live?.close();
      await project.close();
    },
  };
}
