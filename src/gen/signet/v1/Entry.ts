// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'index'?: (number | string | Long);
  'entry'?: (Buffer | Uint8Array | string);
  'leaf_hash'?: (Buffer | Uint8Array | string);
}

export interface Entry__Output {
  'index': (number);
  'entry': (Buffer);
  'leaf_hash': (Buffer);
}
