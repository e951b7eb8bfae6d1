// The TLS flags every command that dials a Signet server shares (connect, health), and the client
// `tls` option they mean: any of --tls, --tls-ca, --tls-cert or --tls-server-name turns TLS on.
import type { TlsOptions } from '../client/channel.js';

export const TLS_OPTIONS = {
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-server-name': { type: 'string' },
  tls: { type: 'boolean' },
  insecure: { type: 'boolean' },
} as const;

export interface TlsFlags {
  tls?: boolean | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  serverName?: string | undefined;
}

/** The client's `tls` option for these flags, or nothing when none asks for TLS. */
export function tlsOption(f: TlsFlags): { tls?: TlsOptions } {
  const wantsTls = f.tls || f.ca !== undefined || f.cert !== undefined || f.serverName !== undefined;
  if (!wantsTls) return {};
  return {
    tls: {
      ...(f.ca ? { ca: { path: f.ca } } : {}),
      ...(f.cert ? { cert: { path: f.cert } } : {}),
      ...(f.key ? { key: { path: f.key } } : {}),
      ...(f.serverName ? { serverName: f.serverName } : {}),
    },
  };
}
