// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

export interface IssueResponse {
  'token'?: (string);
  'jti'?: (string);
  'issued_at'?: (number | string | Long);
  'expires_at'?: (number | string | Long);
  'intent_fp'?: (string);
  'kid'?: (string);
  'alg'?: (string);
  'single_use'?: (boolean);
  'pop_verified'?: (boolean);
  'rule'?: (string);
  'ledger_index'?: (number | string | Long);
}

export interface IssueResponse__Output {
  'token': (string);
  'jti': (string);
  'issued_at': (number);
  'expires_at': (number);
  'intent_fp': (string);
  'kid': (string);
  'alg': (string);
  'single_use': (boolean);
  'pop_verified': (boolean);
  'rule': (string);
  'ledger_index': (number);
}
