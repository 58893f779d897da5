// Original file: switchyard/scheduler/v1/scheduler.proto

import type { Candidate as _switchyard_scheduler_v1_Candidate, Candidate__Output as _switchyard_scheduler_v1_Candidate__Output } from '../../../switchyard/scheduler/v1/Candidate';

export interface ModelRoute {
  'model_name'?: (string);
  'model_version'?: (string);
  'candidates'?: (_switchyard_scheduler_v1_Candidate)[];
}

export interface ModelRoute__Output {
  'model_name': (string);
  'model_version': (string);
  'candidates': (_switchyard_scheduler_v1_Candidate__Output)[];
}
