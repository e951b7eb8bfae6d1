// Original file: proto/signet/v1/ledger.proto

import type { AppendReceiptRequest as _signet_v1_AppendReceiptRequest, AppendReceiptRequest__Output as _signet_v1_AppendReceiptRequest__Output } from '../../signet/v1/AppendReceiptRequest.js';

export interface AppendReceiptsRequest {
  'receipts'?: (_signet_v1_AppendReceiptRequest)[];
}

export interface AppendReceiptsRequest__Output {
  'receipts': (_signet_v1_AppendReceiptRequest__Output)[];
}
