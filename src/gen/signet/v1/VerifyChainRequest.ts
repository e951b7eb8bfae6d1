// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyChainRequest {
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  '_end'?: "end";
}

export interface VerifyChainRequest__Output {
  'start': (number);
  'end'?: (number);
  '_end'?: "end";
}
