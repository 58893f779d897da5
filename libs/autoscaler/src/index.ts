// @switchyard/autoscaler — pure predictive autoscaling core: an M/M/c (Erlang C) sizing model and
// three scaling policies (predictive, HPA-like reactive, static) behind one interface.
export { erlangB, erlangC, waitTail, responseTail, requiredReplicas, type ServiceModel, type SizingOptions, type Sizing } from './queueing.ts';
export {
  Autoscaler, ReactivePolicy, StaticPolicy,
  type AutoscalerConfig, type ReactiveConfig, type ScalingPolicy, type ScalingDecision, type PoolState,
} from './policies.ts';
