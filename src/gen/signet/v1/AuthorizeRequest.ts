// Original file: proto/signet/v1/credentials.proto

import type { Intent as _signet_v1_Intent, Intent__Output as _signet_v1_Intent__Output } from '../../signet/v1/Intent.js';
import type { McpTool as _signet_v1_McpTool, McpTool__Output as _signet_v1_McpTool__Output } from '../../signet/v1/McpTool.js';

export interface AuthorizeRequest {
  'agent_id'?: (string);
  'intent'?: (_signet_v1_Intent | null);
  'mcp_tool'?: (_signet_v1_McpTool | null);
  'audience'?: (string);
  'question'?: "intent"|"mcp_tool";
}

export interface AuthorizeRequest__Output {
  'agent_id': (string);
  'intent'?: (_signet_v1_Intent__Output | null);
  'mcp_tool'?: (_signet_v1_McpTool__Output | null);
  'audience': (string);
  'question'?: "intent"|"mcp_tool";
}
