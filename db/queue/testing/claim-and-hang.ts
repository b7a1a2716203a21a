// A worker that claims jobs and then hangs, to be killed mid-claim by a test: it prints the jobs'
// image ids as one JSON line and holds them until it is killed (its lease then runs out).
// Usage: node bin/run-ts.mjs db/queue/testing/claim-and-hang.ts URL COUNT
import { ImageQueue } from '../image-queue';

const [url, count] = process.argv.slice(2);
if (!url || !count) throw new Error('usage: claim-and-hang.ts URL COUNT');
const queue = await ImageQueue.open(url, { supervise: false, poolSize: 1 });
const jobs = await queue.claim(Number(count));
console.log(JSON.stringify(jobs.map((j) => j.data.imageId)));
setInterval(() => undefined, 60_000);
