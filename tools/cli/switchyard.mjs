#!/usr/bin/env node
// Entry point for the `switchyard` command: runs the TypeScript CLI on the pinned Node 24
// runtime (node_modules/.bin/node), whatever `node` the machine has.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
const here = path.dirname(fileURLToPath(import.meta.url));
const node = path.resolve(here, '../../node_modules/.bin/node');
const r = spawnSync(node, [path.join(here, 'switchyard.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
