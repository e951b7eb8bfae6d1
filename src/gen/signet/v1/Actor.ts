// Original file: proto/signet/v1/credentials.proto


export interface Actor {
  'sub'?: (string);
  'iss'?: (string);
}

export interface Actor__Output {
  'sub': (string);
  'iss': (string);
}
