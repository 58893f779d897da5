// @switchyard/anomaly — pure online anomaly detectors for metric streams and peer outlier detection.
export { calibrate, type Detector, type DetectorResult } from './common.ts';
export {
  RobustZ, EwmaControl, Cusum, SeasonalResidual,
  type RobustZConfig, type EwmaControlConfig, type CusumConfig, type SeasonalResidualConfig,
} from './detectors.ts';
export { AnomalyScorer, type AnomalyScorerConfig, type AnomalyScore } from './scorer.ts';
export { PeerOutlierDetector, type PeerOutlierConfig, type PeerStats, type PeerEjection, type PeerDecision } from './peers.ts';
