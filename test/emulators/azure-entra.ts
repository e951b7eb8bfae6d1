// A Microsoft Entra ID stand-in for the Azure emulators: as much as MSAL's client-credentials flow
// needs (OpenID configuration, the v2.0 token endpoint), issuing opaque tokens for one client.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, reply } from './azure-http.js';

export class EntraAuthority {
  readonly tenantId = randomUUID();
  readonly clientId = randomUUID();
  readonly clientSecret = randomBytes(24).toString('base64url');
  /** Token requests seen. */
  requests = 0;
  readonly #resource: string;
  readonly #tokens = new Set<string>();

  /** `resource`: the audience tokens are for; clients ask for the scope `${resource}/.default`. */
  constructor(resource: string) {
    this.#resource = resource;
  }

  isValid(token: string): boolean {
    return this.#tokens.has(token);
  }

  revokeAll(): void {
    this.#tokens.clear();
  }

  issued(): string[] {
    return [...this.#tokens];
  }

  /** Serves `/{tenant}/…` (`path` is what follows the tenant); `endpoint` is the server's base URL. */
  async handle(req: IncomingMessage, res: ServerResponse, endpoint: string, path: string): Promise<void> {
    const base = `${endpoint}/${this.tenantId}`;
    if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      return reply(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
    }
    if (req.method === 'POST' && path === 'oauth2/v2.0/token') {
      this.requests++;
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
      if (form.get('client_id') !== this.clientId) return oauthError(res, 400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
      if (form.get('client_secret') !== this.clientSecret) return oauthError(res, 401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      const scopes = (form.get('scope') ?? '').split(' ');
      if (!scopes.includes(`${this.#resource}/.default`)) return oauthError(res, 400, 'invalid_scope', 'AADSTS70011: The provided value for scope is not valid.');
      const token = randomBytes(32).toString('base64url');
      this.#tokens.add(token);
      return reply(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    return reply(res, 404, { error: 'not_found', error_description: `No authority route for ${path}` });
  }
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  reply(res, status, { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() });
}
