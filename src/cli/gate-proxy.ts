// The stdio plumbing of `signet mcp-gate`: JSON-RPC messages pass between the MCP host and the
// tool server unchanged (ids included), except tools/call, which the gate decides, and — when
// asked — tools/list answers, which it may filter.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Id = string | number;
export interface RpcRequest {
  jsonrpc: '2.0';
  id: Id;
  method: string;
  params?: Record<string, unknown>;
}
export interface RpcResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & RpcRequest => 'method' in m && 'id' in m;
const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & RpcResponse => !('method' in m) && 'id' in m;
const keyOf = (id: Id) => `${typeof id}:${String(id)}`;

export interface GateHooks {
  /** Decides a tools/call: answer it itself, or call `forward` (at most once) and shape the answer. */
  onToolCall(request: RpcRequest, forward: () => Promise<RpcResponse>): Promise<RpcResponse>;
  /** Rewrites a tools/list result (e.g. hides tools); absent: passed through. */
  onToolList?(result: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export class GateProxy {
  readonly #host: Transport;
  readonly #tool: Transport;
  readonly #hooks: GateHooks;
  readonly #awaiting = new Map<string, (response: RpcResponse) => void>();
  readonly #lists = new Set<string>();
  readonly #closed: Promise<void>;
  #close!: () => void;

  constructor(host: Transport, tool: Transport, hooks: GateHooks) {
    this.#host = host;
    this.#tool = tool;
    this.#hooks = hooks;
    this.#closed = new Promise((resolve) => (this.#close = resolve));
  }

  /** Starts the tool server, then listens to the host; resolves when either side closes. */
  async run(onError: (err: Error) => void): Promise<void> {
    this.#tool.onmessage = (m) => this.#fromTool(m);
    this.#tool.onclose = () => this.#close();
    this.#tool.onerror = onError;
    this.#host.onmessage = (m) => this.#fromHost(m);
    this.#host.onclose = () => this.#close();
    this.#host.onerror = onError;
    await this.#tool.start();
    await this.#host.start();
    await this.#closed;
    await Promise.allSettled([this.#tool.close(), this.#host.close()]);
  }

  #fromHost(m: JSONRPCMessage): void {
    if (isRequest(m) && m.method === 'tools/call') {
      void this.#call(m);
      return;
    }
    if (isRequest(m) && m.method === 'tools/list' && this.#hooks.onToolList) this.#lists.add(keyOf(m.id));
    void this.#tool.send(m);
  }

  #fromTool(m: JSONRPCMessage): void {
    if (isResponse(m)) {
      const key = keyOf(m.id);
      const waiter = this.#awaiting.get(key);
      if (waiter) {
        this.#awaiting.delete(key);
        waiter(m);
        return;
      }
      if (this.#lists.delete(key) && m.result) {
        void this.#hooks.onToolList!(m.result).then(
          (result) => this.#host.send({ ...m, result } as JSONRPCMessage),
          () => this.#host.send(m),
        );
        return;
      }
    }
    void this.#host.send(m);
  }

  async #call(request: RpcRequest): Promise<void> {
    let forwarded = false;
    const forward = () => {
      if (forwarded) throw new Error('a tools/call is forwarded at most once');
      forwarded = true;
      return new Promise<RpcResponse>((resolve) => {
        this.#awaiting.set(keyOf(request.id), resolve);
        void this.#tool.send(request as JSONRPCMessage);
      });
    };
    let response: RpcResponse;
    try {
      response = await this.#hooks.onToolCall(request, forward);
    } catch (err) {
      response = { jsonrpc: '2.0', id: request.id, error: { code: -32603, message: `signet mcp-gate: ${err instanceof Error ? err.message : String(err)}` } };
    }
    await this.#host.send(response as JSONRPCMessage);
  }
}
