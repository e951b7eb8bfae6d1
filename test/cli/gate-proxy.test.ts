// The plumbing of `signet mcp-gate` attacked from the host's side: a tools/call sent as a
// notification (no id) must never reach the tool server undecided, and a host that reuses ids
// (its own, or ids the gate uses) must not make the gate take another answer for the tool's answer
// to a call — the answer the receipt's response hash records. In-memory transports, seeded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { GateProxy, type RpcRequest, type RpcResponse } from '../../src/cli/gate-proxy.js';
import { seeded } from '../helpers/seeded.js';

type Msg = Record<string, unknown> & { id?: unknown; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown> };

class MemoryTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  readonly sent: Msg[] = [];
  constructor(readonly onSend: (m: Msg) => void = () => {}) {}
  async start() {}
  async send(m: JSONRPCMessage) {
    const copy = JSON.parse(JSON.stringify(m)) as Msg;
    this.sent.push(copy);
    this.onSend(copy);
  }
  async close() {
    this.onclose?.();
  }
  deliver(m: Msg) {
    this.onmessage?.(m as unknown as JSONRPCMessage);
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const settle = async (n = 20) => {
  for (let i = 0; i < n; i++) await tick();
};

/**
 * A tool server that answers a ping at once and a tools/call only when told (answers[id]()), with
 * a result naming the call's arguments, so a mixed-up answer shows.
 */
function toolServer() {
  const calls: Msg[] = [];
  const pending = new Map<string, () => void>();
  const tool: MemoryTransport = new MemoryTransport((m) => {
    if (m.method === 'tools/call') {
      calls.push(m);
      const answer = () => tool.deliver({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: `did ${JSON.stringify(m.params?.arguments)}` }] } });
      if (m.id === undefined) return; // a notification: a lenient server would still have run it
      pending.set(JSON.stringify(m.id), answer);
    } else if (m.method !== undefined && m.id !== undefined) {
      tool.deliver({ jsonrpc: '2.0', id: m.id, result: { pong: m.method } });
    }
  });
  return { tool, calls, answerAll: () => [...pending.values()].forEach((a) => a()) };
}

/** A gate that lets every call through and keeps the answer it was handed for each. */
function recordingHooks() {
  const seen: Array<{ request: RpcRequest; response: RpcResponse }> = [];
  return {
    seen,
    hooks: {
      async onToolCall(request: RpcRequest, forward: () => Promise<RpcResponse>) {
        await tick();
        const response = await forward();
        seen.push({ request, response });
        return response;
      },
    },
  };
}

function start(hooks: ReturnType<typeof recordingHooks>['hooks']) {
  const { tool, calls, answerAll } = toolServer();
  const host = new MemoryTransport();
  const proxy = new GateProxy(host, tool, hooks);
  void proxy.run(() => {});
  return { host, tool, calls, answerAll };
}

const call = (id: unknown, args: unknown): Msg => ({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method: 'tools/call', params: { name: 'delete_record', arguments: args } });

describe('signet mcp-gate plumbing, from a hostile host', () => {
  it('a tools/call without an id (a notification) never reaches the tool server', async () => {
    const { hooks, seen } = recordingHooks();
    const { host, calls } = start(hooks);
    await tick();
    host.deliver(call(undefined, { id: 'r-1' }));
    await settle();
    assert.deepEqual(calls, [], 'the tool server received a tools/call nobody decided');
    assert.equal(seen.length, 0);
  });

  it("an answer to another request with the same id is never taken for the tool's answer to a call", async () => {
    const { hooks, seen } = recordingHooks();
    const { host, answerAll } = start(hooks);
    await tick();
    host.deliver(call(7, { id: 'r-7' }));
    await settle();
    host.deliver({ jsonrpc: '2.0', id: 7, method: 'ping' });
    await settle();
    answerAll();
    await settle();
    assert.equal(seen.length, 1);
    assert.match(JSON.stringify(seen[0]!.response.result), /did \{\\"id\\":\\"r-7\\"\}/, JSON.stringify(seen[0]!.response));
    // The host gets both answers, each under its own id.
    const answers = host.sent.filter((m) => m.id === 7).map((m) => JSON.stringify(m.result));
    assert.equal(answers.length, 2);
    assert.ok(answers.some((a) => a.includes('pong')) && answers.some((a) => a.includes('r-7')));
  });

  it('seeded interleavings of calls and other requests sharing ids: every call is answered with its own result (200 rounds)', async () => {
    const rnd = seeded(20261128);
    for (let round = 0; round < 200; round++) {
      const { hooks, seen } = recordingHooks();
      const { host, answerAll } = start(hooks);
      await tick();
      const ids = [1, 2, '1', 'a', 0];
      const n = 2 + rnd.int(4);
      for (let i = 0; i < n; i++) {
        const id = rnd.pick(ids);
        if (rnd.next() < 0.5) host.deliver(call(id, { round, i }));
        else host.deliver({ jsonrpc: '2.0', id, method: rnd.pick(['ping', 'tools/list', 'resources/list']) });
        if (rnd.next() < 0.5) await settle(3);
        if (rnd.next() < 0.3) answerAll();
      }
      await settle();
      answerAll();
      await settle();
      for (const { request, response } of seen) {
        assert.equal(JSON.stringify(response.result), JSON.stringify({ content: [{ type: 'text', text: `did ${JSON.stringify(request.params?.arguments)}` }] }), `round ${round}`);
      }
    }
  });

  it("a host request using the gate's own ids is refused and not forwarded", async () => {
    const { hooks } = recordingHooks();
    const { host, tool } = start(hooks);
    await tick();
    host.deliver(call(1, { id: 'r-1' }));
    await settle();
    const gateIds = tool.sent.filter((m) => m.method === 'tools/call').map((m) => m.id);
    assert.equal(gateIds.length, 1);
    assert.notEqual(gateIds[0], 1, 'the tool server sees the gate\'s own id for a call');
    const before = tool.sent.length;
    host.deliver({ jsonrpc: '2.0', id: gateIds[0], method: 'ping' });
    await settle();
    assert.equal(tool.sent.length, before);
    const refusal = host.sent.find((m) => m.id === gateIds[0]);
    assert.ok(refusal && typeof (refusal.error as { code?: number })?.code === 'number', JSON.stringify(host.sent));
  });
});

describe('signet mcp-gate plumbing, for an honest host', () => {
  it("a host's cancellation of a call reaches the tool server under the id the tool knows", async () => {
    const { hooks } = recordingHooks();
    const { host, tool } = start(hooks);
    await tick();
    host.deliver(call(3, { id: 'r-3' }));
    await settle();
    const gateId = tool.sent.find((m) => m.method === 'tools/call')!.id;
    host.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3, reason: 'user' } });
    await settle();
    const cancel = tool.sent.find((m) => m.method === 'notifications/cancelled')!;
    assert.deepEqual(cancel.params, { requestId: gateId, reason: 'user' });
  });
});
