// Azure credentials and TLS trust for the azurekms driver, from the key URI and the environment:
// a client secret (URI params or AZURE_* variables) or DefaultAzureCredential. Secrets never logged.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { AzureAuthorityHosts, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SignetError } from '../../lib/errors.js';
import { readSecret } from '../secrets.js';
import type { AzureKmsKeyUri } from '../uri.js';

export interface ResolvedCredential {
  credential: TokenCredential;
  /** For messages: which kind of credential, never its secret. */
  description: string;
}

const MICROSOFT_AUTHORITIES = new Set<string>(Object.values(AzureAuthorityHosts).map((h) => h.replace(/\/$/, '')));

/**
 * Client secret from `tenant-id`, `client-id` and `client-secret-source` (env:NAME or file:/path)
 * in the URI, else AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET; otherwise
 * DefaultAzureCredential (workload or managed identity, Azure CLI …).
 */
export function resolveCredential(uri: AzureKmsKeyUri, env: NodeJS.ProcessEnv, agent: Agent | undefined): ResolvedCredential {
  const p = uri.params;
  const authorityHost = p.get('authority-host') ?? env.AZURE_AUTHORITY_HOST;
  const common = {
    ...(authorityHost ? { authorityHost } : {}),
    // Instance discovery asks login.microsoftonline.com about the authority: not for private ones.
    ...(authorityHost && !MICROSOFT_AUTHORITIES.has(authorityHost.replace(/\/$/, '')) ? { disableInstanceDiscovery: true } : {}),
    ...(agent ? { agent } : {}),
  };
  const tenantId = p.get('tenant-id') ?? env.AZURE_TENANT_ID;
  const clientId = p.get('client-id') ?? env.AZURE_CLIENT_ID;
  const secret = clientSecret(uri, env);
  if (secret !== undefined) {
    if (!tenantId || !clientId) {
      throw new SignetError('CONFIG', `${uri.redacted}: a client secret needs tenant-id and client-id (or AZURE_TENANT_ID and AZURE_CLIENT_ID)`);
    }
    return {
      credential: new ClientSecretCredential(tenantId, clientId, secret, common),
      description: `client secret of application ${clientId} in tenant ${tenantId}`,
    };
  }
  return {
    credential: new DefaultAzureCredential({ ...common, ...(tenantId ? { tenantId } : {}) }),
    description: 'DefaultAzureCredential',
  };
}

function clientSecret(uri: AzureKmsKeyUri, env: NodeJS.ProcessEnv): string | undefined {
  const source = uri.params.get('client-secret-source');
  if (source) return readSecret(source, `${uri.redacted} client secret`, env);
  return uri.params.get('client-secret') ?? (env.AZURE_CLIENT_SECRET || undefined);
}


/** An https agent that also trusts the PEM CA certificates in `ca-file` (a private endpoint, a test CA). */
export function trustAgent(uri: AzureKmsKeyUri): Agent | undefined {
  const caFile = uri.params.get('ca-file');
  if (!caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new SignetError('CONFIG', `${uri.redacted}: cannot read ca-file ${caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new SignetError('CONFIG', `${uri.redacted}: ca-file ${caFile} holds no PEM certificate`);
  // One secure context for every connection: given `ca` alone, each TLS connection would parse
  // the ~140 system roots again.
  return new Agent({ secureContext: createSecureContext({ ca: [...rootCertificates, pem] }), keepAlive: true });
}
