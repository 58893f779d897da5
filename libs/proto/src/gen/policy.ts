import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyPolicyRequest as _switchyard_policy_v1_ApplyPolicyRequest, ApplyPolicyRequest__Output as _switchyard_policy_v1_ApplyPolicyRequest__Output } from './switchyard/policy/v1/ApplyPolicyRequest';
import type { ApplyPolicyResponse as _switchyard_policy_v1_ApplyPolicyResponse, ApplyPolicyResponse__Output as _switchyard_policy_v1_ApplyPolicyResponse__Output } from './switchyard/policy/v1/ApplyPolicyResponse';
import type { AuditEvent as _switchyard_policy_v1_AuditEvent, AuditEvent__Output as _switchyard_policy_v1_AuditEvent__Output } from './switchyard/policy/v1/AuditEvent';
import type { GetJwksRequest as _switchyard_policy_v1_GetJwksRequest, GetJwksRequest__Output as _switchyard_policy_v1_GetJwksRequest__Output } from './switchyard/policy/v1/GetJwksRequest';
import type { GetPolicyRequest as _switchyard_policy_v1_GetPolicyRequest, GetPolicyRequest__Output as _switchyard_policy_v1_GetPolicyRequest__Output } from './switchyard/policy/v1/GetPolicyRequest';
import type { GetPolicyResponse as _switchyard_policy_v1_GetPolicyResponse, GetPolicyResponse__Output as _switchyard_policy_v1_GetPolicyResponse__Output } from './switchyard/policy/v1/GetPolicyResponse';
import type { IssueTokenRequest as _switchyard_policy_v1_IssueTokenRequest, IssueTokenRequest__Output as _switchyard_policy_v1_IssueTokenRequest__Output } from './switchyard/policy/v1/IssueTokenRequest';
import type { IssueTokenResponse as _switchyard_policy_v1_IssueTokenResponse, IssueTokenResponse__Output as _switchyard_policy_v1_IssueTokenResponse__Output } from './switchyard/policy/v1/IssueTokenResponse';
import type { Jwk as _switchyard_policy_v1_Jwk, Jwk__Output as _switchyard_policy_v1_Jwk__Output } from './switchyard/policy/v1/Jwk';
import type { Jwks as _switchyard_policy_v1_Jwks, Jwks__Output as _switchyard_policy_v1_Jwks__Output } from './switchyard/policy/v1/Jwks';
import type { PolicyClient as _switchyard_policy_v1_PolicyClient, PolicyDefinition as _switchyard_policy_v1_PolicyDefinition } from './switchyard/policy/v1/Policy';
import type { PolicyBundle as _switchyard_policy_v1_PolicyBundle, PolicyBundle__Output as _switchyard_policy_v1_PolicyBundle__Output } from './switchyard/policy/v1/PolicyBundle';
import type { RotateKeysRequest as _switchyard_policy_v1_RotateKeysRequest, RotateKeysRequest__Output as _switchyard_policy_v1_RotateKeysRequest__Output } from './switchyard/policy/v1/RotateKeysRequest';
import type { RotateKeysResponse as _switchyard_policy_v1_RotateKeysResponse, RotateKeysResponse__Output as _switchyard_policy_v1_RotateKeysResponse__Output } from './switchyard/policy/v1/RotateKeysResponse';
import type { SigningKeysChanged as _switchyard_policy_v1_SigningKeysChanged, SigningKeysChanged__Output as _switchyard_policy_v1_SigningKeysChanged__Output } from './switchyard/policy/v1/SigningKeysChanged';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  switchyard: {
    policy: {
      v1: {
        ApplyPolicyRequest: MessageTypeDefinition<_switchyard_policy_v1_ApplyPolicyRequest, _switchyard_policy_v1_ApplyPolicyRequest__Output>
        ApplyPolicyResponse: MessageTypeDefinition<_switchyard_policy_v1_ApplyPolicyResponse, _switchyard_policy_v1_ApplyPolicyResponse__Output>
        AuditEvent: MessageTypeDefinition<_switchyard_policy_v1_AuditEvent, _switchyard_policy_v1_AuditEvent__Output>
        GetJwksRequest: MessageTypeDefinition<_switchyard_policy_v1_GetJwksRequest, _switchyard_policy_v1_GetJwksRequest__Output>
        GetPolicyRequest: MessageTypeDefinition<_switchyard_policy_v1_GetPolicyRequest, _switchyard_policy_v1_GetPolicyRequest__Output>
        GetPolicyResponse: MessageTypeDefinition<_switchyard_policy_v1_GetPolicyResponse, _switchyard_policy_v1_GetPolicyResponse__Output>
        IssueTokenRequest: MessageTypeDefinition<_switchyard_policy_v1_IssueTokenRequest, _switchyard_policy_v1_IssueTokenRequest__Output>
        IssueTokenResponse: MessageTypeDefinition<_switchyard_policy_v1_IssueTokenResponse, _switchyard_policy_v1_IssueTokenResponse__Output>
        Jwk: MessageTypeDefinition<_switchyard_policy_v1_Jwk, _switchyard_policy_v1_Jwk__Output>
        Jwks: MessageTypeDefinition<_switchyard_policy_v1_Jwks, _switchyard_policy_v1_Jwks__Output>
        Policy: SubtypeConstructor<typeof grpc.Client, _switchyard_policy_v1_PolicyClient> & { service: _switchyard_policy_v1_PolicyDefinition }
        PolicyBundle: MessageTypeDefinition<_switchyard_policy_v1_PolicyBundle, _switchyard_policy_v1_PolicyBundle__Output>
        RotateKeysRequest: MessageTypeDefinition<_switchyard_policy_v1_RotateKeysRequest, _switchyard_policy_v1_RotateKeysRequest__Output>
        RotateKeysResponse: MessageTypeDefinition<_switchyard_policy_v1_RotateKeysResponse, _switchyard_policy_v1_RotateKeysResponse__Output>
        SigningKeysChanged: MessageTypeDefinition<_switchyard_policy_v1_SigningKeysChanged, _switchyard_policy_v1_SigningKeysChanged__Output>
      }
    }
  }
}

