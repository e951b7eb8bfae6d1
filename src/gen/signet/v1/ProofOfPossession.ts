// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

export interface ProofOfPossession {
  'timestamp'?: (number | string | Long);
  'nonce'?: (string);
  'signature'?: (string);
}

export interface ProofOfPossession__Output {
  'timestamp': (number);
  'nonce': (string);
  'signature': (string);
}
