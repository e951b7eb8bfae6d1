// Original file: proto/signet/v1/signing.proto

import type { PublicKey as _signet_v1_PublicKey, PublicKey__Output as _signet_v1_PublicKey__Output } from '../../signet/v1/PublicKey.js';

export interface ListKeysResponse {
  'keys'?: (_signet_v1_PublicKey)[];
}

export interface ListKeysResponse__Output {
  'keys': (_signet_v1_PublicKey__Output)[];
}
