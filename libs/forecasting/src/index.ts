// @switchyard/forecasting — pure, clock-free online forecasters of arrival rate.
export { type Forecaster, type ForecasterJSON, type ForecastPoint, normalQuantile, normalCdf } from './common.ts';
export { Holt, type HoltConfig } from './holt.ts';
export { HoltWinters, type HoltWintersConfig } from './holt-winters.ts';
export { Ensemble, forecasterFromJSON, type EnsembleConfig, type EnsembleMember } from './ensemble.ts';
