// Scale check: 1,000,000 requests over 1,000 executors (800 GPU + 200 CPU), real Placer per request.
// Usage: node_modules/.bin/node libs/simulator/bench/scale.bench.ts [--requests 1000000] [--executors 1000] [--policy static|predictive|reactive]
import { parseArgs } from 'node:util';
import { defaultPools, generateTrace, makePolicies, simulate, type PolicyKind } from '@switchyard/simulator';

const { values } = parseArgs({ options: {
  requests: { type: 'string', default: '1000000' }, executors: { type: 'string', default: '1000' }, policy: { type: 'string', default: 'static' },
} });
const requests = Number(values.requests);
const executors = Number(values.executors);
const nGpu = Math.round(executors * 0.8), nCpu = executors - nGpu;
const pools = defaultPools(nGpu, nCpu);
pools.gpu.initialReplicas = nGpu;
pools.cpu.initialReplicas = nCpu;
// ~6.5 req/s per GPU executor: busy, batching, occasional spill to CPU
const rate = nGpu * 6.5;
const t0 = performance.now();
const arrivals = generateTrace({ days: requests / rate / 86_400, baseRate: rate, seed: 42 });
const genMs = performance.now() - t0;
const policies = makePolicies(values.policy as PolicyKind, { sloMs: 500, ...pools, staticGpu: nGpu, staticCpu: nCpu });
const r = simulate({ arrivals, ...pools, sloMs: 500, policies });
const mem = process.memoryUsage();
process.stdout.write(`${JSON.stringify({
  requests: r.requests, executors, policy: values.policy, simulatedSeconds: Math.round(r.simulatedSeconds),
  traceGenMs: Math.round(genMs), simulateWallMs: Math.round(r.wallMs), requestsPerSecond: Math.round(r.requests / (r.wallMs / 1000)),
  sloAttainment: r.sloAttainment, p50Ms: r.p50Ms, p99Ms: r.p99Ms, spills: r.spills, rejected: r.rejected, rssMB: Math.round(mem.rss / 2 ** 20),
})}\n`);
