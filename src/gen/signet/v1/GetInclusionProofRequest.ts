// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface GetInclusionProofRequest {
  'index'?: (number | string | Long);
  'leaf_hash'?: (Buffer | Uint8Array | string);
  'tree_size'?: (number | string | Long);
  'with_cosignatures'?: (boolean);
  'target'?: "index"|"leaf_hash";
  '_tree_size'?: "tree_size";
}

export interface GetInclusionProofRequest__Output {
  'index'?: (number);
  'leaf_hash'?: (Buffer);
  'tree_size'?: (number);
  'with_cosignatures': (boolean);
  'target'?: "index"|"leaf_hash";
  '_tree_size'?: "tree_size";
}
