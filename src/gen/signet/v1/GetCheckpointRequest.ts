// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetCheckpointRequest {
  'size'?: (number | string | Long);
  '_size'?: "size";
}

export interface GetCheckpointRequest__Output {
  'size'?: (number);
  '_size'?: "size";
}
