// Original file: proto/signet/v1/ledger.proto

import type { Entry as _signet_v1_Entry, Entry__Output as _signet_v1_Entry__Output } from '../../signet/v1/Entry.js';

export interface GetEntriesResponse {
  'entries'?: (_signet_v1_Entry)[];
  'next_page_token'?: (string);
}

export interface GetEntriesResponse__Output {
  'entries': (_signet_v1_Entry__Output)[];
  'next_page_token': (string);
}
