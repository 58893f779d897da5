/**
 * Node test reporter (module whose default export is an async generator over test events).
 * Counts LEAF tests (details.type === 'test'): passed / failed / skipped (skip and todo arrive
 * as test:pass with `skip` / `todo` set). A suite that fails by itself (hook failure, throwing
 * describe body) without any failing leaf below it counts as one failed test, so a failure never
 * shows up as "0 failed". Emits one JSON object at the end:
 *   {"passed":N,"failed":N,"skipped":N,"failures":[{"name":..,"file":..}]}
 * Use with --test-reporter-destination=<file>; tools/test/run.ts reads it.
 */
import type { TestEvent } from 'node:test/reporters';

interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; file: string | undefined }[];
}

export default async function* summaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string, void> {
  const s: Summary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  // per file: nesting levels that have a failing leaf below them (not yet closed)
  const failingBelow = new Map<string, Set<number>>();
  const markBelow = (file: string, nesting: number): void => {
    let set = failingBelow.get(file);
    if (!set) failingBelow.set(file, (set = new Set()));
    for (let k = 0; k < nesting; k++) set.add(k);
  };
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const data = ev.data;
    const file = data.file ?? '';
    const kind = (data.details as { type?: string }).type;
    if (kind === 'suite') {
      const set = failingBelow.get(file);
      const hadFailingLeaf = set?.has(data.nesting) ?? false;
      set?.delete(data.nesting);
      if (ev.type === 'test:fail' && !hadFailingLeaf) {
        const err = (data.details as { error?: { failureType?: string } }).error;
        if (err?.failureType !== 'subtestsFailed') {
          s.failed++;
          s.failures.push({ name: data.name, file: data.file });
          markBelow(file, data.nesting);
        }
      } else if (ev.type === 'test:fail') {
        markBelow(file, data.nesting);
      }
      continue;
    }
    if (ev.type === 'test:pass') {
      if (data.skip !== undefined || data.todo !== undefined) s.skipped++;
      else s.passed++;
    } else if (data.todo !== undefined) {
      s.skipped++; // a failing todo test does not fail the run
    } else {
      s.failed++;
      s.failures.push({ name: data.name, file: data.file });
      markBelow(file, data.nesting);
    }
  }
  yield `${JSON.stringify(s)}\n`;
}
