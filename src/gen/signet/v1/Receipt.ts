// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface Receipt {
  'entry'?: (Buffer | Uint8Array | string);
  'index'?: (number | string | Long);
  'leaf_hash'?: (Buffer | Uint8Array | string);
  'inclusion_proof'?: (Buffer | Uint8Array | string)[];
  'checkpoint'?: (string);
  'tree_size'?: (number | string | Long);
}

export interface Receipt__Output {
  'entry': (Buffer);
  'index': (number);
  'leaf_hash': (Buffer);
  'inclusion_proof': (Buffer)[];
  'checkpoint': (string);
  'tree_size': (number);
}
