// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetEntriesRequest {
  'start'?: (number | string | Long);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface GetEntriesRequest__Output {
  'start': (number);
  'page_size': (number);
  'page_token': (string);
}
