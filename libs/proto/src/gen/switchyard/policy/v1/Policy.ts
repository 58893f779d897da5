// Original file: switchyard/policy/v1/policy.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyPolicyRequest as _switchyard_policy_v1_ApplyPolicyRequest, ApplyPolicyRequest__Output as _switchyard_policy_v1_ApplyPolicyRequest__Output } from '../../../switchyard/policy/v1/ApplyPolicyRequest';
import type { ApplyPolicyResponse as _switchyard_policy_v1_ApplyPolicyResponse, ApplyPolicyResponse__Output as _switchyard_policy_v1_ApplyPolicyResponse__Output } from '../../../switchyard/policy/v1/ApplyPolicyResponse';
import type { GetJwksRequest as _switchyard_policy_v1_GetJwksRequest, GetJwksRequest__Output as _switchyard_policy_v1_GetJwksRequest__Output } from '../../../switchyard/policy/v1/GetJwksRequest';
import type { GetPolicyRequest as _switchyard_policy_v1_GetPolicyRequest, GetPolicyRequest__Output as _switchyard_policy_v1_GetPolicyRequest__Output } from '../../../switchyard/policy/v1/GetPolicyRequest';
import type { GetPolicyResponse as _switchyard_policy_v1_GetPolicyResponse, GetPolicyResponse__Output as _switchyard_policy_v1_GetPolicyResponse__Output } from '../../../switchyard/policy/v1/GetPolicyResponse';
import type { IssueTokenRequest as _switchyard_policy_v1_IssueTokenRequest, IssueTokenRequest__Output as _switchyard_policy_v1_IssueTokenRequest__Output } from '../../../switchyard/policy/v1/IssueTokenRequest';
import type { IssueTokenResponse as _switchyard_policy_v1_IssueTokenResponse, IssueTokenResponse__Output as _switchyard_policy_v1_IssueTokenResponse__Output } from '../../../switchyard/policy/v1/IssueTokenResponse';
import type { Jwks as _switchyard_policy_v1_Jwks, Jwks__Output as _switchyard_policy_v1_Jwks__Output } from '../../../switchyard/policy/v1/Jwks';
import type { RotateKeysRequest as _switchyard_policy_v1_RotateKeysRequest, RotateKeysRequest__Output as _switchyard_policy_v1_RotateKeysRequest__Output } from '../../../switchyard/policy/v1/RotateKeysRequest';
import type { RotateKeysResponse as _switchyard_policy_v1_RotateKeysResponse, RotateKeysResponse__Output as _switchyard_policy_v1_RotateKeysResponse__Output } from '../../../switchyard/policy/v1/RotateKeysResponse';

export interface PolicyClient extends grpc.Client {
  ApplyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  ApplyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  ApplyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  ApplyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  applyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  applyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  applyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  applyPolicy(argument: _switchyard_policy_v1_ApplyPolicyRequest, callback: grpc.requestCallback<_switchyard_policy_v1_ApplyPolicyResponse__Output>): grpc.ClientUnaryCall;
  
  GetJwks(argument: _switchyard_policy_v1_GetJwksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _switchyard_policy_v1_GetJwksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _switchyard_policy_v1_GetJwksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _switchyard_policy_v1_GetJwksRequest, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _switchyard_policy_v1_GetJwksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _switchyard_policy_v1_GetJwksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _switchyard_policy_v1_GetJwksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _switchyard_policy_v1_GetJwksRequest, callback: grpc.requestCallback<_switchyard_policy_v1_Jwks__Output>): grpc.ClientUnaryCall;
  
  GetPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  GetPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  GetPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  GetPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  getPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  getPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  getPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  getPolicy(argument: _switchyard_policy_v1_GetPolicyRequest, callback: grpc.requestCallback<_switchyard_policy_v1_GetPolicyResponse__Output>): grpc.ClientUnaryCall;
  
  IssueToken(argument: _switchyard_policy_v1_IssueTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  IssueToken(argument: _switchyard_policy_v1_IssueTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  IssueToken(argument: _switchyard_policy_v1_IssueTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  IssueToken(argument: _switchyard_policy_v1_IssueTokenRequest, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  issueToken(argument: _switchyard_policy_v1_IssueTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  issueToken(argument: _switchyard_policy_v1_IssueTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  issueToken(argument: _switchyard_policy_v1_IssueTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  issueToken(argument: _switchyard_policy_v1_IssueTokenRequest, callback: grpc.requestCallback<_switchyard_policy_v1_IssueTokenResponse__Output>): grpc.ClientUnaryCall;
  
  RotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  RotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  RotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  RotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  rotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  rotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  rotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  rotateKeys(argument: _switchyard_policy_v1_RotateKeysRequest, callback: grpc.requestCallback<_switchyard_policy_v1_RotateKeysResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface PolicyHandlers extends grpc.UntypedServiceImplementation {
  ApplyPolicy: grpc.handleUnaryCall<_switchyard_policy_v1_ApplyPolicyRequest__Output, _switchyard_policy_v1_ApplyPolicyResponse>;
  
  GetJwks: grpc.handleUnaryCall<_switchyard_policy_v1_GetJwksRequest__Output, _switchyard_policy_v1_Jwks>;
  
  GetPolicy: grpc.handleUnaryCall<_switchyard_policy_v1_GetPolicyRequest__Output, _switchyard_policy_v1_GetPolicyResponse>;
  
  IssueToken: grpc.handleUnaryCall<_switchyard_policy_v1_IssueTokenRequest__Output, _switchyard_policy_v1_IssueTokenResponse>;
  
  RotateKeys: grpc.handleUnaryCall<_switchyard_policy_v1_RotateKeysRequest__Output, _switchyard_policy_v1_RotateKeysResponse>;
  
}

export interface PolicyDefinition extends grpc.ServiceDefinition {
  ApplyPolicy: MethodDefinition<_switchyard_policy_v1_ApplyPolicyRequest, _switchyard_policy_v1_ApplyPolicyResponse, _switchyard_policy_v1_ApplyPolicyRequest__Output, _switchyard_policy_v1_ApplyPolicyResponse__Output>
  GetJwks: MethodDefinition<_switchyard_policy_v1_GetJwksRequest, _switchyard_policy_v1_Jwks, _switchyard_policy_v1_GetJwksRequest__Output, _switchyard_policy_v1_Jwks__Output>
  GetPolicy: MethodDefinition<_switchyard_policy_v1_GetPolicyRequest, _switchyard_policy_v1_GetPolicyResponse, _switchyard_policy_v1_GetPolicyRequest__Output, _switchyard_policy_v1_GetPolicyResponse__Output>
  IssueToken: MethodDefinition<_switchyard_policy_v1_IssueTokenRequest, _switchyard_policy_v1_IssueTokenResponse, _switchyard_policy_v1_IssueTokenRequest__Output, _switchyard_policy_v1_IssueTokenResponse__Output>
  RotateKeys: MethodDefinition<_switchyard_policy_v1_RotateKeysRequest, _switchyard_policy_v1_RotateKeysResponse, _switchyard_policy_v1_RotateKeysRequest__Output, _switchyard_policy_v1_RotateKeysResponse__Output>
}
