// Original file: proto/signet/v1/credentials.proto


export interface RegisterAgentRequest {
  'name'?: (string);
  'public_key_jwk'?: (string);
  'owner'?: (string);
  'groups'?: (string)[];
  'labels'?: ({[key: string]: string});
  'metadata'?: ({[key: string]: string});
}

export interface RegisterAgentRequest__Output {
  'name': (string);
  'public_key_jwk': (string);
  'owner': (string);
  'groups': (string)[];
  'labels': ({[key: string]: string});
  'metadata': ({[key: string]: string});
}
