import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFault, faultDelaySource } from './service.ts';

test('fault file: a bare number for every batch, model@version=ms for one version, junk ignored', () => {
  assert.deepEqual(parseFault('200'), { all: 200, byVersion: new Map() });
  assert.deepEqual(parseFault('mlp@2=40, 5\nocr_cls@1=7 nonsense'), { all: 5, byVersion: new Map([['mlp@2', 40], ['ocr_cls@1', 7]]) });
  assert.deepEqual(parseFault(''), { all: 0, byVersion: new Map() });
});

test('fault source: the setting without a file; the file wins while it exists and is re-read', async () => {
  assert.equal(faultDelaySource(15, undefined).get('m', '1'), 15);
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-fault-'));
  const file = path.join(dir, 'fault');
  try {
    const missing = faultDelaySource(3, file);
    assert.equal(missing.get('m', '1'), 3, 'missing file: the setting');
    missing.stop();
    writeFileSync(file, 'm@2=50');
    const src = faultDelaySource(3, file);
    assert.equal(src.get('m', '2'), 50);
    assert.equal(src.get('m', '1'), 0);
    writeFileSync(file, '0');
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(src.get('m', '2'), 0, 're-read within a second');
    src.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
