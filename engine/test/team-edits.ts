// Test fixture for object edits on a team project: a desktop project built by `build`, copied to a
// fresh database on the file's throwaway PostgreSQL cluster (`sqw project copy`), served by a team
// engine, with calls through its dispatcher (the HTTP layer's account checks are
// team-serve.test.ts's) and every event it sends recorded.
import { join } from 'node:path';
import type { EngineEvent } from '../../contract/api';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import type { TestCluster } from '../../db/postgres/test-cluster';
import { createTeamEngine, type TeamEngine } from '../team/team-engine';

export interface TeamEdits<T = unknown> {
  /** What `build` returned (image ids). */
  built: T;
  team: TeamEngine;
  /** The database's URL and the shared blob folder. */
  url: string;
  blobs: string;
  events: EngineEvent[];
  /** The raw answer: `{ ok, result }` or `{ ok: false, error: { code, message } }`. */
  rpc(method: string, input?: Record<string, unknown>): Promise<any>;
  /** The result, or throws with the error's code and message. */
  call(method: string, input?: Record<string, unknown>): Promise<any>;
  /** `reviews.image` of one image: objects, QA, history. */
  view(imageId: number): Promise<any>;
  /** The image's first live object with `label`. */
  objectNamed(imageId: number, label: string): Promise<any>;
  /** QA id → status of one image. */
  statuses(imageId: number): Promise<Map<number, string>>;
  /** Waits for every scheduled re-derivation. */
  settle(): Promise<void>;
}

export async function openTeamEdits<T>(
  work: string,
  cluster: TestCluster,
  build: (store: ProjectStore) => Promise<T>,
): Promise<TeamEdits<T>> {
  const folder = join(work, 'desktop');
  const store = ProjectStore.openOrCreate(folder);
  let built: T;
  try {
    built = await build(store);
  } finally {
    store.close();
  }
  const url = await cluster.createDatabase();
  const blobs = join(work, 'shared-blobs');
  await copyProject(folder, url, { blobs });
  const team = await createTeamEngine({ database: url, blobs });
  const events: EngineEvent[] = [];
  team.events.subscribe((e) => events.push(e));
  const rpc = (method: string, input: Record<string, unknown> = {}) =>
    team.dispatch(method, { projectId: team.project.id, ...input }) as Promise<any>;
  const call = async (method: string, input: Record<string, unknown> = {}) => {
    const res = await rpc(method, input);
    if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
    return res.result;
  };
  const view = (imageId: number) => call('reviews.image', { imageId });
  return {
    built,
    team,
    url,
    blobs,
    events,
    rpc,
    call,
    view,
    objectNamed: async (imageId, label) =>
      ((await view(imageId)).objects as any[]).find((o) => o.label === label),
    statuses: async (imageId) =>
      new Map(((await view(imageId)).qa as any[]).map((q) => [q.id, q.status])),
    settle: () => team.project.rederive.idle(),
  };
}
