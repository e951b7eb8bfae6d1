// Original file: proto/signet/v1/credentials.proto

import type { Agent as _signet_v1_Agent, Agent__Output as _signet_v1_Agent__Output } from '../../signet/v1/Agent.js';

export interface ListAgentsResponse {
  'agents'?: (_signet_v1_Agent)[];
  'next_page_token'?: (string);
}

export interface ListAgentsResponse__Output {
  'agents': (_signet_v1_Agent__Output)[];
  'next_page_token': (string);
}
