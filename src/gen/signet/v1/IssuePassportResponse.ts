// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

export interface IssuePassportResponse {
  'token'?: (string);
  'jti'?: (string);
  'expires_at'?: (number | string | Long);
  'policy_digest'?: (string);
  'ledger_index'?: (number | string | Long);
}

export interface IssuePassportResponse__Output {
  'token': (string);
  'jti': (string);
  'expires_at': (number);
  'policy_digest': (string);
  'ledger_index': (number);
}
