// No connection can hold memory or the process: a real server in a child process against raw
// HTTP/2 clients that open 100 000 requests and never finish them, never read 500 responses,
// exceed the connection cap, never answer pings, or ignore shutdown.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type * as http2 from 'node:http2';
import { spawnServerChild, type ChildServer } from '../helpers/child-server.js';
import { len, msg, num } from '../helpers/protowire.js';
import { rawCall, rawClient } from '../helpers/raw-grpc.js';
import { connect, grpcFrame, openCall } from '../helpers/raw-http2.js';

const SIGN = '/signet.v1.SigningService/Sign';
const HEALTH = '/grpc.health.v1.Health/Check';
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const grown = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage) => b.heapUsed + b.external - (a.heapUsed + a.external);

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

describe('connection limits', () => {
  const children: ChildServer[] = [];
  const sessions: http2.ClientHttp2Session[] = [];
  after(() => {
    for (const s of sessions) s.destroy();
    for (const c of children) c.kill();
  });
  const start = async (raw: Record<string, unknown>) => {
    const c = await spawnServerChild(raw);
    children.push(c);
    return c;
  };
  const open = (port: number, settings: http2.Settings = {}) => {
    const s = connect(port, settings);
    sessions.push(s);
    return s;
  };

  it('100 000 requests that never finish: in flight stays at its limit, memory plateaus, a probe call still answers', async () => {
    const server = await start({ limits: { max_in_flight: 500, request_body_timeout_ms: 2000 } });
    const probe = rawClient(`127.0.0.1:${server.port}`);
    const half = grpcFrame(msg(len(1, 'default'), len(2, 'x'.repeat(100)))).subarray(0, 60);
    const base = await server.memory();
    const target = 100_000;
    let attempted = 0;
    let refused = 0;
    let mid: NodeJS.MemoryUsage | undefined;
    let maxInFlight = 0;
    let worstProbeMs = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxInFlight = Math.max(maxInFlight, (await server.metric('signet_grpc_in_flight')) ?? 0);
        const t = Date.now();
        const reply = await rawCall(probe, HEALTH, Buffer.alloc(0), { timeoutMs: 20_000 });
        worstProbeMs = Math.max(worstProbeMs, Date.now() - t);
        // The probe may itself be refused while every slot is held; it must answer either way.
        assert.ok(reply.code === 0 || reply.code === 8, `probe answered ${reply.code} ${reply.details}`);
        await sleep(250);
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const session = open(server.port);
        let inFlight = 0;
        await new Promise<void>((done) => {
          const pump = () => {
            while (inFlight < 150 && attempted < target) {
              attempted++;
              inFlight++;
              openCall(session, SIGN, half, false).outcome.then(async (o) => {
                if (o.grpcStatus === 8) refused++;
                inFlight--;
                if (attempted >= target / 2 && !mid) {
                  mid = {} as NodeJS.MemoryUsage;
                  mid = await server.memory();
                }
                if (attempted >= target && inFlight === 0) done();
                else pump();
              });
            }
          };
          pump();
        });
      }),
    );
    sampling = false;
    await sampler;
    const end = await server.memory();
    probe.close();
    console.log(
      `100k half-sent: refused ${refused}, max in flight ${maxInFlight}, heap+external grew ${(grown(base, end) / MB).toFixed(1)} MB ` +
        `(${(grown(mid!, end) / MB).toFixed(1)} MB in the second half), worst probe ${worstProbeMs} ms`,
    );
    assert.equal(attempted, target);
    assert.ok(refused > 10_000, 'beyond the in-flight limit, calls are refused at once');
    assert.ok(maxInFlight <= 500, `in flight ${maxInFlight} > 500`);
    assert.ok(grown(base, end) < 150 * MB, `grew ${grown(base, end)} bytes`);
    assert.ok(grown(mid!, end) < 40 * MB, `still growing in the second half: ${grown(mid!, end)} bytes`);
    assert.ok(worstProbeMs < 15_000, `a probe took ${worstProbeMs} ms`);
  });

  it('a request whose body never ends gets DEADLINE_EXCEEDED after request_body_timeout_ms', async () => {
    const server = await start({ limits: { request_body_timeout_ms: 500 } });
    const session = open(server.port);
    const started = Date.now();
    const { outcome } = openCall(session, SIGN, grpcFrame(Buffer.from([0x0a, 0x01])).subarray(0, 6), false);
    const o = await outcome;
    assert.equal(o.grpcStatus, 4);
    assert.ok(Date.now() - started < 10_000);
    assert.ok(((await server.metric('signet_connection_events_total', 'event="request_body_timeout"')) ?? 0) >= 1);
  });

  it('500 responses never read: pending response bytes stay within their budget and are dropped after the drain timeout', async () => {
    const server = await start({ limits: { max_pending_response_mb: 16, response_drain_timeout_ms: 10_000, request_body_timeout_ms: 2000 } });
    const client = rawClient(`127.0.0.1:${server.port}`);
    const hex = 'ab'.repeat(32);
    const receipt = (i: number) => len(1, msg(len(2, `agent-${i}`), len(3, 'read'), len(4, `doc:${'x'.repeat(200)}`), len(5, hex), len(6, hex), len(8, 'success')));
    const filled = await rawCall(client, '/signet.v1.LedgerService/AppendReceipts', msg(...Array.from({ length: 1000 }, (_, i) => len(1, receipt(i)))), { timeoutMs: 60_000 });
    assert.equal(filled.code, 0, filled.details);
    client.close();
    const base = await server.memory();
    const outcomes: Promise<unknown>[] = [];
    for (let c = 0; c < 5; c++) {
      const session = open(server.port, { initialWindowSize: 0 });
      for (let i = 0; i < 100; i++) {
        const { stream, outcome } = openCall(session, '/signet.v1.LedgerService/GetEntries', grpcFrame(num(2, 1000)), true);
        stream.pause();
        outcomes.push(outcome);
      }
    }
    // Past the budget the longest-held responses are reset; what stays held stays within it, and
    // once the reset streams' buffers are released, so does the server's memory.
    let settled = 0;
    for (const o of outcomes) void o.then(() => settled++);
    let maxPending = 0;
    await until('the responses over the budget are shed', async () => {
      maxPending = Math.max(maxPending, (await server.metric('signet_pending_response_bytes')) ?? 0);
      return settled >= 400;
    });
    let during = await server.memory();
    await until('memory settles while the rest is held', async () => (during = await server.memory()) && grown(base, during) < 64 * MB, 8000).catch(() => {});
    const held = (await server.metric('signet_pending_response_bytes')) ?? 0;
    console.log(`500 unread: pending at most ${(maxPending / MB).toFixed(1)} MB, ${(held / MB).toFixed(1)} MB held; heap+external grew ${(grown(base, during) / MB).toFixed(1)} MB`);
    assert.ok(maxPending > 0 && maxPending <= 16 * MB, `pending ${maxPending}`);
    assert.ok(held > 0, 'some responses are still held, unread');
    assert.ok(grown(base, during) < 64 * MB, `grew ${grown(base, during)} bytes`);
    await Promise.race([Promise.all(outcomes), sleep(30_000).then(() => assert.fail('unread streams were not reset'))]);
    assert.equal(await server.metric('signet_pending_response_bytes'), 0);
    const shed = (await server.metric('signet_connection_events_total', 'event="pending_response_budget"')) ?? 0;
    const dropped = (await server.metric('signet_connection_events_total', 'event="response_not_read"')) ?? 0;
    assert.ok(shed > 0 && dropped > 0, `shed ${shed}, dropped after the drain timeout ${dropped}`);
  });

  it('past max_connections a new connection is closed at once; the open ones keep working', async () => {
    const server = await start({ limits: { max_connections: 3 } });
    // A channel of its own per client: grpc-js would otherwise share one connection among them.
    const own = { 'grpc.use_local_subchannel_pool': 1 };
    const clients = Array.from({ length: 3 }, () => rawClient(`127.0.0.1:${server.port}`, own));
    for (const c of clients) assert.equal((await rawCall(c, HEALTH, Buffer.alloc(0))).code, 0);
    const extra = await new Promise<string>((ok) => {
      const socket = netConnect(server.port, '127.0.0.1');
      socket.on('error', () => ok('error'));
      socket.on('close', () => ok('closed'));
      socket.setTimeout(5000, () => ok('still open'));
    });
    assert.equal(extra, 'closed');
    assert.equal((await rawCall(clients[0]!, HEALTH, Buffer.alloc(0))).code, 0);
    clients[2]!.close();
    const replacement = rawClient(`127.0.0.1:${server.port}`, own);
    await until('a new connection is accepted once one closed', async () => (await rawCall(replacement, HEALTH, Buffer.alloc(0), { timeoutMs: 2000 })).code === 0);
    for (const c of [...clients, replacement]) c.close();
    assert.ok(((await server.metric('signet_connection_events_total', 'event="connection_refused"')) ?? 0) >= 1);
  });

  it('announces max_streams_per_connection and max_metadata_bytes in its HTTP/2 SETTINGS', async () => {
    const server = await start({ limits: { max_streams_per_connection: 7, max_metadata_bytes: 4096 } });
    const session = open(server.port);
    await new Promise((ok) => session.once('remoteSettings', ok));
    assert.equal(session.remoteSettings.maxConcurrentStreams, 7);
    assert.equal(session.remoteSettings.maxHeaderListSize, 4096);
  });

  it('a peer that never answers pings is disconnected after keepalive_time_ms + keepalive_timeout_ms; an idle one after idle_connection_timeout_ms', async () => {
    const server = await start({ limits: { keepalive_time_ms: 500, keepalive_timeout_ms: 500, idle_connection_timeout_ms: 1500 } });
    const deaf = await rawPeer(server.port);
    const started = Date.now();
    await until('the deaf peer is disconnected', async () => (await server.metric('signet_connections_open')) === 0, 20_000);
    console.log(`deaf peer dropped after ${Date.now() - started} ms`);
    deaf.destroy();
    const idle = open(server.port);
    const idleStart = Date.now();
    await new Promise((ok) => idle.once('goaway', ok));
    assert.ok(Date.now() - idleStart >= 1000, 'not before the idle timeout');
  });

  it('shutdown is bounded: after the grace period every connection is destroyed and the process exits, whatever its peers do', async () => {
    const server = await start({ shutdown_grace_ms: 1000, limits: { keepalive_time_ms: 0, request_body_timeout_ms: 600_000 } });
    const peers = [await rawPeer(server.port), await rawPeer(server.port, false), netConnect(server.port, '127.0.0.1')];
    for (const p of peers) p.on('error', () => {});
    await sleep(300);
    const started = Date.now();
    server.child.kill('SIGTERM');
    const code = await Promise.race([server.exited, sleep(15_000).then(() => 'still running')]);
    const took = Date.now() - started;
    console.log(`exited (${String(code)}) ${took} ms after SIGTERM with a grace of 1000 ms`);
    assert.notEqual(code, 'still running');
    assert.ok(took < 1000 + 8000, `took ${took} ms`);
    for (const p of peers) p.destroy();
  });
});

/**
 * A raw HTTP/2 peer that sends the preface, SETTINGS and one request whose body never ends, then
 * never reads again: no SETTINGS ACK, no PING ACK, TCP backpressure on everything the server sends.
 */
async function rawPeer(port: number, withRequest = true): Promise<Socket> {
  const socket = netConnect(port, '127.0.0.1');
  await new Promise((ok) => socket.once('connect', ok));
  const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
    const head = Buffer.alloc(9);
    head.writeUIntBE(payload.length, 0, 3);
    head[3] = type;
    head[4] = flags;
    head.writeUInt32BE(stream, 5);
    return Buffer.concat([head, payload]);
  };
  const literal = (name: string, value: string) => Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
  const headers = Buffer.concat([
    literal(':method', 'POST'),
    literal(':scheme', 'http'),
    literal(':path', SIGN),
    literal(':authority', 'localhost'),
    literal('content-type', 'application/grpc'),
    literal('te', 'trailers'),
  ]);
  socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  socket.write(frame(0x4, 0, 0, Buffer.alloc(0)));
  if (withRequest) {
    socket.write(frame(0x1, 0x4, 1, headers));
    socket.write(frame(0x0, 0, 1, grpcFrame(Buffer.alloc(50)).subarray(0, 20)));
  }
  socket.pause();
  return socket;
}
