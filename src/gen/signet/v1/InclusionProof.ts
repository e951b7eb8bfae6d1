// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface InclusionProof {
  'index'?: (number | string | Long);
  'tree_size'?: (number | string | Long);
  'leaf_hash'?: (Buffer | Uint8Array | string);
  'proof'?: (Buffer | Uint8Array | string)[];
  'checkpoint'?: (string);
}

export interface InclusionProof__Output {
  'index': (number);
  'tree_size': (number);
  'leaf_hash': (Buffer);
  'proof': (Buffer)[];
  'checkpoint': (string);
}
