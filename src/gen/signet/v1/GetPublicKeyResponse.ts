// Original file: proto/signet/v1/signing.proto

import type { PublicKey as _signet_v1_PublicKey, PublicKey__Output as _signet_v1_PublicKey__Output } from '../../signet/v1/PublicKey.js';

export interface GetPublicKeyResponse {
  'public_key'?: (_signet_v1_PublicKey | null);
}

export interface GetPublicKeyResponse__Output {
  'public_key': (_signet_v1_PublicKey__Output | null);
}
