// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetCheckpointRequest {
  'size'?: (number | string | Long);
  'with_cosignatures'?: (boolean);
  '_size'?: "size";
}

export interface GetCheckpointRequest__Output {
  'size'?: (number);
  'with_cosignatures': (boolean);
  '_size'?: "size";
}
