// Original file: proto/signet/v1/signing.proto

import type { Algorithm as _signet_v1_Algorithm, Algorithm__Output as _signet_v1_Algorithm__Output } from '../../signet/v1/Algorithm.js';

export interface SignResponse {
  'signature'?: (Buffer | Uint8Array | string);
  'algorithm'?: (_signet_v1_Algorithm);
  'key_id'?: (string);
  'key_version'?: (string);
}

export interface SignResponse__Output {
  'signature': (Buffer);
  'algorithm': (_signet_v1_Algorithm__Output);
  'key_id': (string);
  'key_version': (string);
}
