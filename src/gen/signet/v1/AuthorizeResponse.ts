// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/signet/v1/credentials.proto

export const _signet_v1_AuthorizeResponse_Decision = {
  DECISION_UNSPECIFIED: 'DECISION_UNSPECIFIED',
  ALLOW: 'ALLOW',
  DENY: 'DENY',
} as const;

export type _signet_v1_AuthorizeResponse_Decision =
  | 'DECISION_UNSPECIFIED'
  | 0
  | 'ALLOW'
  | 1
  | 'DENY'
  | 2

export type _signet_v1_AuthorizeResponse_Decision__Output = typeof _signet_v1_AuthorizeResponse_Decision[keyof typeof _signet_v1_AuthorizeResponse_Decision]

export interface AuthorizeResponse {
  'decision'?: (_signet_v1_AuthorizeResponse_Decision);
  'rule'?: (string);
  'reason'?: (string);
  'max_ttl_seconds'?: (number | string | Long);
  'require_pop'?: (boolean);
  'single_use'?: (boolean);
}

export interface AuthorizeResponse__Output {
  'decision': (_signet_v1_AuthorizeResponse_Decision__Output);
  'rule': (string);
  'reason': (string);
  'max_ttl_seconds': (number);
  'require_pop': (boolean);
  'single_use': (boolean);
}
