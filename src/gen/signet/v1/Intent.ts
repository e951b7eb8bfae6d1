// Original file: proto/signet/v1/credentials.proto


export interface Intent {
  'action'?: (string);
  'resource'?: (string);
  'constraints_json'?: (string);
}

export interface Intent__Output {
  'action': (string);
  'resource': (string);
  'constraints_json': (string);
}
