// Worker-thread entry for the pipeline's CPU pool. The engine is TypeScript run through tsx, and a
// worker does not inherit the parent's loader, so it registers tsx itself before loading the task.
import { register } from 'tsx/esm/api';

register();
await import('./cpu-worker.ts');
