// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetEntryRequest {
  'index'?: (number | string | Long);
}

export interface GetEntryRequest__Output {
  'index': (number);
}
