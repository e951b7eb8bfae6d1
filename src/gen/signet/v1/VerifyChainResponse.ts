// Original file: proto/signet/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyChainResponse {
  'valid'?: (boolean);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'entries_checked'?: (number | string | Long);
  'checkpoints_checked'?: (number | string | Long);
  'first_bad_index'?: (number | string | Long);
  'bad_checkpoint_size'?: (number | string | Long);
  'reason'?: (string);
  '_first_bad_index'?: "first_bad_index";
  '_bad_checkpoint_size'?: "bad_checkpoint_size";
}

export interface VerifyChainResponse__Output {
  'valid': (boolean);
  'start': (number);
  'end': (number);
  'entries_checked': (number);
  'checkpoints_checked': (number);
  'first_bad_index'?: (number);
  'bad_checkpoint_size'?: (number);
  'reason': (string);
  '_first_bad_index'?: "first_bad_index";
  '_bad_checkpoint_size'?: "bad_checkpoint_size";
}
