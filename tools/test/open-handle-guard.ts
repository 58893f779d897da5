// Preloaded into every test file's process by tools/test/run.ts (`node --test --import ...`).
// npm test runs without --test-force-exit (it drops the tail of a file's results: nodejs/node#64833),
// so a file that leaves something open after its tests (a socket, a timer, a child process) would
// keep the whole run waiting. This fails such a file instead, naming what is still open: once the
// file's tests are done, its after() hooks and the process's exit get SY_TEST_EXIT_GRACE_MS
// (default 60 s, well above a mesh's shutdown) before the process exits with code 1.
import { after } from 'node:test';

const graceMs = Number(process.env.SY_TEST_EXIT_GRACE_MS) > 0 ? Number(process.env.SY_TEST_EXIT_GRACE_MS) : 60_000;

// Registered before the file's own hooks, so it runs first: the grace covers those hooks too.
after(() => {
  setTimeout(() => {
    process.stderr.write(`test: ${process.argv[1] ?? 'a test file'} is still running ${graceMs / 1000} s after its tests ended; open: ${process.getActiveResourcesInfo().join(', ') || 'nothing reported'}\n`);
    process.exit(1);
  }, graceMs).unref();
});
