// Worker-thread entry for the pipeline's inference worker (see cpu-worker.mjs for why tsx is
// registered here).
import { register } from 'tsx/esm/api';

register();
await import('./inference-worker.ts');
