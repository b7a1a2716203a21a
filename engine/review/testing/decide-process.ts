// Test helper run as its own process (node bin/run-ts.mjs): one reviewer deciding QA pairs in a
// project that another process is also using. Args: project folder, reviewer, decision, a JSON list
// of [qaId, revision]. Prints 'ready', starts at the first line on stdin (so two processes start
// together), then prints one JSON line: per QA 'applied', 'stale' or the error message.
import { ProjectStore } from '../../../db/project-store';
import { StaleEditError } from '../errors';
import { desktopReview } from './desktop-review';

const [folder, reviewer, decision, pairsJson] = process.argv.slice(2);
const pairs = JSON.parse(pairsJson!) as Array<[number, string]>;
const store = ProjectStore.open(folder!);
const review = desktopReview(store);
process.stdout.write('ready\n');
await new Promise((go) => process.stdin.once('data', go));
const outcomes: Record<number, string> = {};
for (const [qaId, revision] of pairs) {
  try {
    await review.decide({
      qaId,
      decision: decision as 'approve' | 'reject',
      reason: decision === 'reject' ? `rejected by ${reviewer}` : undefined,
      expectedRevision: revision,
      confirmWarnings: true,
      actor: reviewer!,
    });
    outcomes[qaId] = 'applied';
  } catch (err) {
    outcomes[qaId] = err instanceof StaleEditError ? 'stale' : (err as Error).message;
  }
}
store.close();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
