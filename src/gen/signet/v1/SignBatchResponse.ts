// Original file: proto/signet/v1/signing.proto

import type { SignResponse as _signet_v1_SignResponse, SignResponse__Output as _signet_v1_SignResponse__Output } from '../../signet/v1/SignResponse.js';

export interface SignBatchResponse {
  'signatures'?: (_signet_v1_SignResponse)[];
}

export interface SignBatchResponse__Output {
  'signatures': (_signet_v1_SignResponse__Output)[];
}
