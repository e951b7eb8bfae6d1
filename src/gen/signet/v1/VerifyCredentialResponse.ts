// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyCredentialResponse {
  'valid'?: (boolean);
  'reason'?: (string);
  'detail'?: (string);
  'agent_id'?: (string);
  'jti'?: (string);
  'expires_at'?: (number | string | Long);
  'claims_json'?: (string);
  'consumed'?: (boolean);
}

export interface VerifyCredentialResponse__Output {
  'valid': (boolean);
  'reason': (string);
  'detail': (string);
  'agent_id': (string);
  'jti': (string);
  'expires_at': (number);
  'claims_json': (string);
  'consumed': (boolean);
}
