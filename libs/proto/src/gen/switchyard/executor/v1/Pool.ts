// Original file: switchyard/executor/v1/executor.proto

export const Pool = {
  POOL_UNSPECIFIED: 'POOL_UNSPECIFIED',
  POOL_GPU: 'POOL_GPU',
  POOL_CPU: 'POOL_CPU',
} as const;

export type Pool =
  | 'POOL_UNSPECIFIED'
  | 0
  | 'POOL_GPU'
  | 1
  | 'POOL_CPU'
  | 2

export type Pool__Output = typeof Pool[keyof typeof Pool]
