// Original file: proto/signet/v1/credentials.proto


export interface ListAgentsRequest {
  'page_size'?: (number);
  'page_token'?: (string);
  'group'?: (string);
  'owner'?: (string);
}

export interface ListAgentsRequest__Output {
  'page_size': (number);
  'page_token': (string);
  'group': (string);
  'owner': (string);
}
