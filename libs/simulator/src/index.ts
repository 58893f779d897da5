// @switchyard/simulator — discrete-event simulation of the GPU and CPU pools with the real
// placement core and the real scaling policies, plus a synthetic trace generator.
export {
  simulate, defaultForecaster, defaultPools,
  type SimConfig, type SimResult, type PoolSpec, type PoolKey, type PoolReport, type ScalingEvent,
} from './simulate.ts';
export { generateTrace, rateAt, burstsOf, seededRandom, arrivalsFromCounts, type TraceSpec, type Burst } from './trace.ts';
export { makePolicies, peakRate, POLICY_KINDS, type PolicyKind, type PolicyOptions } from './scenario.ts';
export { EventHeap } from './heap.ts';
