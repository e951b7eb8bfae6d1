// Original file: proto/signet/v1/signing.proto

import type { Algorithm as _signet_v1_Algorithm, Algorithm__Output as _signet_v1_Algorithm__Output } from '../../signet/v1/Algorithm.js';

export interface PublicKey {
  'name'?: (string);
  'key_id'?: (string);
  'key_version'?: (string);
  'algorithm'?: (_signet_v1_Algorithm);
  'spki_pem'?: (string);
  'jwk_json'?: (string);
  'driver'?: (string);
  'uri'?: (string);
  'hardware_backed'?: (boolean);
  'purpose'?: (string);
}

export interface PublicKey__Output {
  'name': (string);
  'key_id': (string);
  'key_version': (string);
  'algorithm': (_signet_v1_Algorithm__Output);
  'spki_pem': (string);
  'jwk_json': (string);
  'driver': (string);
  'uri': (string);
  'hardware_backed': (boolean);
  'purpose': (string);
}
