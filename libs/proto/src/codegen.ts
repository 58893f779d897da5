// Generates TypeScript types for every contract in proto/ into the given directory
// (default: src/gen). Run with `npm run gen -w @switchyard/proto` after changing a .proto file.
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { CODEGEN_FLAGS, PROTO_FILES, PROTO_ROOT } from './options.ts';

export function generateTypes(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');
  execFileSync(process.execPath, [bin, ...CODEGEN_FLAGS, '-I', '.', '-O', path.resolve(outDir), ...PROTO_FILES], {
    cwd: PROTO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'gen');
  generateTypes(out);
  console.log(`generated types in ${out}`);
}
