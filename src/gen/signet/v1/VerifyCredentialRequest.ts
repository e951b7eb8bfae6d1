// Original file: proto/signet/v1/credentials.proto

import type { Intent as _signet_v1_Intent, Intent__Output as _signet_v1_Intent__Output } from '../../signet/v1/Intent.js';
import type { ProofOfPossession as _signet_v1_ProofOfPossession, ProofOfPossession__Output as _signet_v1_ProofOfPossession__Output } from '../../signet/v1/ProofOfPossession.js';

export interface VerifyCredentialRequest {
  'token'?: (string);
  'intent'?: (_signet_v1_Intent | null);
  'audience'?: (string);
  'consume'?: (boolean);
  'presentation'?: (_signet_v1_ProofOfPossession | null);
}

export interface VerifyCredentialRequest__Output {
  'token': (string);
  'intent': (_signet_v1_Intent__Output | null);
  'audience': (string);
  'consume': (boolean);
  'presentation': (_signet_v1_ProofOfPossession__Output | null);
}
