// Original file: proto/signet/v1/credentials.proto

import type { Intent as _signet_v1_Intent, Intent__Output as _signet_v1_Intent__Output } from '../../signet/v1/Intent.js';
import type { Actor as _signet_v1_Actor, Actor__Output as _signet_v1_Actor__Output } from '../../signet/v1/Actor.js';
import type { ProofOfPossession as _signet_v1_ProofOfPossession, ProofOfPossession__Output as _signet_v1_ProofOfPossession__Output } from '../../signet/v1/ProofOfPossession.js';

export interface IssueRequest {
  'agent_id'?: (string);
  'intent'?: (_signet_v1_Intent | null);
  'audience'?: (string);
  'ttl_seconds'?: (number);
  'delegation'?: (_signet_v1_Actor)[];
  'pop'?: (_signet_v1_ProofOfPossession | null);
}

export interface IssueRequest__Output {
  'agent_id': (string);
  'intent': (_signet_v1_Intent__Output | null);
  'audience': (string);
  'ttl_seconds': (number);
  'delegation': (_signet_v1_Actor__Output)[];
  'pop': (_signet_v1_ProofOfPossession__Output | null);
}
