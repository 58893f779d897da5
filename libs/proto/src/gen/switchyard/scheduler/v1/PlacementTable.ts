// Original file: switchyard/scheduler/v1/scheduler.proto

import type { ModelRoute as _switchyard_scheduler_v1_ModelRoute, ModelRoute__Output as _switchyard_scheduler_v1_ModelRoute__Output } from '../../../switchyard/scheduler/v1/ModelRoute';
import type { Long } from '@grpc/proto-loader';

export interface PlacementTable {
  'version'?: (number | string | Long);
  'generated_at_ms'?: (number | string | Long);
  'routes'?: (_switchyard_scheduler_v1_ModelRoute)[];
  'latest_versions'?: ({[key: string]: string});
}

export interface PlacementTable__Output {
  'version': (number);
  'generated_at_ms': (number);
  'routes': (_switchyard_scheduler_v1_ModelRoute__Output)[];
  'latest_versions': ({[key: string]: string});
}
