#!/usr/bin/env node
// The `sqw` command. The engine is TypeScript run through tsx's loader, so a fresh clone works after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
