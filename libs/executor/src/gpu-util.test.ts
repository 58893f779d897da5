import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNvidiaSmiUtilization, startGpuUtilSampler } from './gpu-util.ts';

test('nvidia-smi utilization: mean over GPUs as a fraction; garbage is no reading', () => {
  assert.equal(parseNvidiaSmiUtilization('40\n60\n'), 0.5);
  assert.equal(parseNvidiaSmiUtilization(' 100 \n'), 1);
  assert.equal(parseNvidiaSmiUtilization(''), undefined);
  assert.equal(parseNvidiaSmiUtilization('[N/A]\n'), undefined);
  assert.equal(parseNvidiaSmiUtilization('250\n'), undefined);
});

test('the sampler reads nvidia-smi with the query flags, and stops after nvidia-smi fails', async () => {
  const calls: string[][] = [];
  let fail = false;
  const s = startGpuUtilSampler({ intervalMs: 60_000, exec: async (cmd, args) => {
    calls.push([cmd, ...args]);
    if (fail) throw new Error('spawn nvidia-smi ENOENT');
    return '73\n';
  } });
  await s.sample();
  assert.equal(s.value, 0.73);
  assert.deepEqual(calls[0], ['nvidia-smi', '--query-gpu=utilization.gpu', '--format=csv,noheader,nounits']);
  fail = true;
  await s.sample();
  assert.equal(s.value, undefined);
  assert.match(s.error ?? '', /ENOENT/);
  s.stop();
});
