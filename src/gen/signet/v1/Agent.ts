// Original file: proto/signet/v1/credentials.proto

import type { Long } from '@grpc/proto-loader';

export interface Agent {
  'id'?: (string);
  'name'?: (string);
  'owner'?: (string);
  'public_key_jwk'?: (string);
  'key_thumbprint'?: (string);
  'groups'?: (string)[];
  'labels'?: ({[key: string]: string});
  'metadata'?: ({[key: string]: string});
  'created_at'?: (number | string | Long);
  'revoked'?: (boolean);
  'revoked_at'?: (number | string | Long);
  'revoked_reason'?: (string);
}

export interface Agent__Output {
  'id': (string);
  'name': (string);
  'owner': (string);
  'public_key_jwk': (string);
  'key_thumbprint': (string);
  'groups': (string)[];
  'labels': ({[key: string]: string});
  'metadata': ({[key: string]: string});
  'created_at': (number);
  'revoked': (boolean);
  'revoked_at': (number);
  'revoked_reason': (string);
}
