// Original file: proto/signet/v1/signing.proto

export const Algorithm = {
  ALGORITHM_UNSPECIFIED: 'ALGORITHM_UNSPECIFIED',
  ALGORITHM_ED25519: 'ALGORITHM_ED25519',
  ALGORITHM_ES256: 'ALGORITHM_ES256',
} as const;

export type Algorithm =
  | 'ALGORITHM_UNSPECIFIED'
  | 0
  | 'ALGORITHM_ED25519'
  | 1
  | 'ALGORITHM_ES256'
  | 2

export type Algorithm__Output = typeof Algorithm[keyof typeof Algorithm]
