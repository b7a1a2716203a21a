// One export shard: reads its range of images from the project (a read-only connection of its
// own) and runs the format's writer over them, writing images to their final paths and records to
// part files; the main thread merges the parts in image order (shards.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { ExportCounts } from '../../../contract/exports';
import { ProjectStore } from '../../../db/project-store';
import { desktopExportProject } from '../export-project';
import { WRITERS } from '../formats';
import { writeItem, type FormatContext } from '../formats/types';
import { MediaWriter } from '../media';
import { qaItems } from '../project-source';
import { shardWriter } from '../safe-output';
import type { ShardInput, ShardMessage } from '../shards';

const input = workerData as ShardInput;
const post = (msg: ShardMessage) => parentPort!.postMessage(msg);
/** Progress is posted every this many images (a message per image would cost more than it says). */
const PROGRESS_EVERY = 64;
const LINK_BATCH = 512;

async function main(): Promise<void> {
  const store = ProjectStore.openReadOnly(input.projectFolder);
  // Links go to the main thread in batches: links made by several threads into one folder
  // contend for its lock in the kernel (see io/link-worker.mjs).
  let links: Array<[string, string]> = [];
  const flushLinks = () => {
    if (links.length > 0) post({ links });
    links = [];
  };
  const out = shardWriter(input.root, input.shard, (relPath, target) => {
    links.push([relPath, target]);
    if (links.length >= LINK_BATCH) flushLinks();
  });
  try {
    const counts: ExportCounts = { images: 0, records: 0, qa: 0, objects: 0, skipped: {} };
    const project = desktopExportProject(store);
    const media = new MediaWriter(out.w, project.files, input.media);
    const ctx: FormatContext = {
      w: out.w,
      media,
      opts: input.opts,
      counts,
      rows: project.rows,
      shard: input.shard,
    };
    const writer = WRITERS[input.opts.format](ctx);
    if (!writer.shards)
      throw new Error(`the ${input.opts.format} format cannot be written in shards`);
    let done = 0;
    let reported = 0;
    for await (const item of qaItems(project.rows, input.filter)) {
      await writeItem(writer, item, counts);
      if (++done - reported >= PROGRESS_EVERY) {
        post({ progress: done - reported, current: item.image.relPath });
        reported = done;
      }
    }
    await media.drain();
    const state = await writer.shards.snapshot();
    const { parts, files } = await out.finish();
    flushLinks();
    post({ progress: done - reported, current: null });
    post({ result: { shard: input.shard, parts, state, files, counts } });
  } finally {
    await out.close();
    store.close();
  }
}

main().catch((err: unknown) => post({ error: err instanceof Error ? err.message : String(err) }));
