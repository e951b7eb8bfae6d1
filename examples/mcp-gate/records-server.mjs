#!/usr/bin/env node
// A minimal MCP tool server with one destructive tool, to run behind `signet mcp-gate`.
// It knows nothing of Signet. Every call it receives is appended to its own log (--log FILE),
// so you can see which calls reached it.
import { appendFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const logIndex = process.argv.indexOf('--log');
const logFile = logIndex > 0 ? process.argv[logIndex + 1] : undefined;
const log = (tool, args) => {
  if (logFile) appendFileSync(logFile, JSON.stringify({ at: new Date().toISOString(), tool, args }) + '\n');
};

const records = new Map([
  ['demo', new Map([['41', 'alpha'], ['42', 'beta'], ['43', 'gamma']])],
  ['prod', new Map([['42', 'customer data']])],
]);

const server = new McpServer({ name: 'records-server', version: '1.0.0' });

server.registerTool(
  'list_records',
  { description: 'List the records of a table.', inputSchema: { table: z.string() }, annotations: { readOnlyHint: true } },
  async ({ table }) => {
    log('list_records', { table });
    return { content: [{ type: 'text', text: JSON.stringify([...(records.get(table) ?? new Map()).keys()]) }] };
  },
);

server.registerTool(
  'delete_record',
  { description: 'Delete one record. Cannot be undone.', inputSchema: { table: z.string(), id: z.string() }, annotations: { destructiveHint: true } },
  async ({ table, id }) => {
    log('delete_record', { table, id });
    const deleted = records.get(table)?.delete(id) ?? false;
    return { content: [{ type: 'text', text: deleted ? `deleted ${table}/${id}` : `no record ${table}/${id}` }], isError: !deleted };
  },
);

await server.connect(new StdioServerTransport());
