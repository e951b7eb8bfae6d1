// Original file: proto/signet/v1/credentials.proto


export interface McpTool {
  'server'?: (string);
  'tool'?: (string);
}

export interface McpTool__Output {
  'server': (string);
  'tool': (string);
}
