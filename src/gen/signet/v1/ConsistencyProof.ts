// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface ConsistencyProof {
  'size1'?: (number | string | Long);
  'size2'?: (number | string | Long);
  'proof'?: (Buffer | Uint8Array | string)[];
  'checkpoint'?: (string);
}

export interface ConsistencyProof__Output {
  'size1': (number);
  'size2': (number);
  'proof': (Buffer)[];
  'checkpoint': (string);
}
