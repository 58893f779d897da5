// @switchyard/auth: JWT issuing (policy service) and verification (gateway), asymmetric only.
export {
  DEFAULT_ISSUER,
  DEFAULT_AUDIENCE,
  ALLOWED_ALGS,
  ASYMMETRIC_ALGS,
  AuthError,
  type AllowedAlg,
  type AsymmetricAlg,
  type AuthErrorCode,
  type Principal,
  type JWK,
} from './common.ts';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.ts';
export { oidcJwksFetcher, checkOidcUrl, discoveryUrl, type OidcJwksOptions } from './oidc.ts';
export { KeyStore, KeyRotationError, type RotationPlan, type TokenClaims, type SignOptions, type SignedToken } from './keystore.ts';
export {
  jwksFromProto,
  jwksToProto,
  parseIssueTokenRequest,
  InvalidRequestError,
  MAX_TTL_SECONDS,
  DEFAULT_TTL_SECONDS,
  type IssueParams,
} from './proto.ts';
