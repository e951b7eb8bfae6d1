// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetConsistencyProofRequest {
  'size1'?: (number | string | Long);
  'size2'?: (number | string | Long);
  '_size2'?: "size2";
}

export interface GetConsistencyProofRequest__Output {
  'size1': (number);
  'size2'?: (number);
  '_size2'?: "size2";
}
