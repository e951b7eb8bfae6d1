// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface Checkpoint {
  'size'?: (number | string | Long);
  'root'?: (Buffer | Uint8Array | string);
  'note'?: (string);
}

export interface Checkpoint__Output {
  'size': (number);
  'root': (Buffer);
  'note': (string);
}
