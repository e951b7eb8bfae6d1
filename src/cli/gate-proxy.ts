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

/**
 * The ids the gate gives the requests whose answers it reads (tools/call, filtered tools/list):
 * the tool server sees these, never the host's, so no other answer can be taken for theirs.
 * A host request using one is refused.
 */
export const GATE_ID_PREFIX = 'signet-mcp-gate:';

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
  /** Host request id → the gate id the tool server knows it by, while it is in flight. */
  readonly #inFlight = new Map<string, string>();
  #nextId = 0;
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
    // A tools/call sent as a notification has no answer to decide on: it is dropped, never passed on.
    if ('method' in m && m.method === 'tools/call' && !isRequest(m)) return;
    if (isRequest(m) && typeof m.id === 'string' && m.id.startsWith(GATE_ID_PREFIX)) {
      void this.#host.send({ jsonrpc: '2.0', id: m.id, error: { code: -32600, message: `signet mcp-gate: request ids starting with "${GATE_ID_PREFIX}" are the gate's own` } } as JSONRPCMessage);
      return;
    }
    if (isRequest(m) && m.method === 'tools/call') {
      void this.#call(m);
      return;
    }
    if (isRequest(m) && m.method === 'tools/list' && this.#hooks.onToolList) {
      void this.#list(m);
      return;
    }
    void this.#tool.send(this.#cancellation(m));
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
    }
    void this.#host.send(m);
  }

  /** Sends `request` to the tool server under a gate id; answers the tool's reply under the host's id. */
  #ask(request: RpcRequest): Promise<RpcResponse> {
    const id = `${GATE_ID_PREFIX}${++this.#nextId}`;
    const hostKey = keyOf(request.id);
    return new Promise<RpcResponse>((resolve) => {
      this.#inFlight.set(hostKey, id);
      this.#awaiting.set(keyOf(id), (response) => {
        if (this.#inFlight.get(hostKey) === id) this.#inFlight.delete(hostKey);
        resolve({ ...response, id: request.id });
      });
      void this.#tool.send({ ...request, id } as JSONRPCMessage);
    });
  }

  /** A host's notifications/cancelled names its own id: the tool server knows the request by the gate's. */
  #cancellation(m: JSONRPCMessage): JSONRPCMessage {
    if (!('method' in m) || m.method !== 'notifications/cancelled' || 'id' in m) return m;
    const params = (m as { params?: { requestId?: Id } }).params;
    const id = params?.requestId === undefined ? undefined : this.#inFlight.get(keyOf(params.requestId));
    return id === undefined ? m : ({ ...m, params: { ...params, requestId: id } } as JSONRPCMessage);
  }

  async #list(request: RpcRequest): Promise<void> {
    const response = await this.#ask(request);
    let out = response;
    if (response.result) {
      try {
        out = { ...response, result: await this.#hooks.onToolList!(response.result) };
      } catch {
        out = response;
      }
    }
    await this.#host.send(out as JSONRPCMessage);
  }

  async #call(request: RpcRequest): Promise<void> {
    let forwarded = false;
    const forward = () => {
      if (forwarded) throw new Error('a tools/call is forwarded at most once');
      forwarded = true;
      return this.#ask(request);
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
