// How the client reaches a Signet server: the address, plaintext only to loopback unless asked,
// TLS with a private CA, mutual TLS with a client certificate, extra channel options.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

/** PEM text, PEM bytes, or `{ path }` of a PEM file. */
export type PemSource = string | Uint8Array | { path: string };

export interface TlsOptions {
  /** CA certificate(s) that issued the server's certificate; absent: the system roots. */
  ca?: PemSource;
  /** Client certificate and key, for mutual TLS (both or neither). */
  cert?: PemSource;
  key?: PemSource;
  /** The name the server certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

export interface ChannelConfig {
  /** host:port of the Signet server. */
  address: string;
  /** TLS (true: system roots). Without it the channel is plaintext, allowed only to loopback unless `insecure`. */
  tls?: TlsOptions | true;
  /** Allow plaintext to a non-loopback address (e.g. inside a private network you trust). */
  insecure?: boolean;
  /** Ready-made credentials; overrides `tls`. */
  credentials?: grpc.ChannelCredentials;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

function pem(source: PemSource | undefined, what: string): Buffer | null {
  if (source === undefined) return null;
  if (typeof source === 'string') return Buffer.from(source, 'utf8');
  if (source instanceof Uint8Array) return Buffer.from(source);
  try {
    return readFileSync(source.path);
  } catch (err) {
    throw new TypeError(`signet client: cannot read the ${what} file ${source.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** host of "host:port", "[v6]:port", or a dns:/ipv4:/unix: target. */
function hostOf(address: string): string {
  const target = address.replace(/^(dns|ipv4|ipv6):(\/\/[^/]*\/)?/, '');
  if (target.startsWith('unix:')) return 'unix';
  const v6 = /^\[([^\]]+)\]/.exec(target);
  if (v6) return v6[1]!;
  return target.split(':')[0]!;
}

export function isLoopback(address: string): boolean {
  const host = hostOf(address).toLowerCase();
  return host === 'localhost' || host === 'unix' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function channelCredentials(config: ChannelConfig): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  if (typeof config.address !== 'string' || !/^\S+$/.test(config.address)) throw new TypeError('signet client: address must be host:port');
  const options: grpc.ChannelOptions = { ...config.channelOptions };
  if (config.credentials) return { credentials: config.credentials, options };
  if (config.tls === undefined) {
    if (!config.insecure && !isLoopback(config.address)) {
      throw new TypeError(`signet client: plaintext to ${config.address} would expose credentials and receipts; give tls, or insecure: true`);
    }
    return { credentials: grpc.credentials.createInsecure(), options };
  }
  const tls = config.tls === true ? {} : config.tls;
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new TypeError('signet client: mutual TLS needs both cert and key');
  if (tls.serverName) options['grpc.ssl_target_name_override'] = tls.serverName;
  return { credentials: grpc.credentials.createSsl(pem(tls.ca, 'CA'), pem(tls.key, 'client key'), pem(tls.cert, 'client certificate')), options };
}
