// Worker-thread entry of an export shard (see engine/pipeline/workers/cpu-worker.mjs for why tsx
// is registered here).
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
