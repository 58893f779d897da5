// Original file: switchyard/scheduler/v1/scheduler.proto

import type { PlaceResponse as _switchyard_scheduler_v1_PlaceResponse, PlaceResponse__Output as _switchyard_scheduler_v1_PlaceResponse__Output } from '../../../switchyard/scheduler/v1/PlaceResponse';
import type { CandidateExplanation as _switchyard_scheduler_v1_CandidateExplanation, CandidateExplanation__Output as _switchyard_scheduler_v1_CandidateExplanation__Output } from '../../../switchyard/scheduler/v1/CandidateExplanation';

export interface Explanation {
  'decision'?: (_switchyard_scheduler_v1_PlaceResponse | null);
  'candidates'?: (_switchyard_scheduler_v1_CandidateExplanation)[];
}

export interface Explanation__Output {
  'decision': (_switchyard_scheduler_v1_PlaceResponse__Output | null);
  'candidates': (_switchyard_scheduler_v1_CandidateExplanation__Output)[];
}
