// Signet's configuration: a YAML/JSON file, environment overrides, embedded defaults, and
// validation that turns every mistake into one line saying what to fix.
import { readFileSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkYamlBounds, FILE_YAML_BOUNDS } from '../lib/bounded-yaml.js';
import { SignetError } from '../lib/errors.js';
import { cosignerFromVkey } from '../ledger/cosignature.js';
import { LIMIT_SETTINGS, resolveLimits, type ServerLimits } from './limits.js';
import { parseIdentityPattern, usableIdentityValue, type IdentityPattern } from './caller.js';

export interface AuthorizationRule {
  /** Typed caller identity (`uri:…`, `dns:…`, `cn:…`, globs allowed) or any authenticated caller (`*`). */
  identity: IdentityPattern;
  /** Full method names or globs: 'signet.v1.SigningService/Sign', 'signet.v1.LedgerService/*', '*'. */
  rpcs: string[];
  /** Key names the caller may use ('*' for all). */
  keys: string[];
  /**
   * Agents the caller may speak for — the `agent` of the receipts it appends, the `agent_id` of
   * Authorize, Issue and IssuePassport — as globs; absent or '*': any agent.
   */
  agents?: string[];
}

/** Keys reserved for a purpose, by name → purpose; Sign and SignBatch refuse them. */
export function reservedKeys(config: SignetConfig): Map<string, string> {
  const reserved = new Map<string, string>();
  if (config.ledger.enabled) reserved.set(config.ledger.key, 'ledger checkpoints');
  if (config.credentials.enabled) {
    const prior = reserved.get(config.credentials.key);
    reserved.set(config.credentials.key, prior ? `${prior} and credentials` : 'credentials');
  }
  return reserved;
}

export interface SignetConfig {
  /** host:port for gRPC. */
  listen: string;
  /** Where embedded defaults keep their files (dev key, ledger database). */
  dataDir: string;
  /** Key name → key URI. */
  keys: Record<string, string>;
  tls:
    | {
        cert: string;
        key: string;
        clientCa: string | undefined;
        requireClientCert: boolean;
        /** The subject CN is a `cn:` identity (only for certificates without URI/DNS SANs). Default false. */
        cnIdentity: boolean;
      }
    | undefined;
  /** When present, every call must match a rule (default deny). Absent: every caller may call every RPC. */
  authorization: AuthorizationRule[] | undefined;
  /** With authorization rules: may every caller with a verified certificate call grpc.health.v1.Health? */
  health: { openToAuthenticated: boolean };
  limits: ServerLimits;
  ledger: {
    enabled: boolean;
    /** sqlite: one process, `path`; postgres: replicas share one ledger through `postgres`. */
    store: StoreKind;
    path: string;
    /** Name of the key (in `keys`) that signs checkpoints; never served by Sign. Empty when disabled. */
    key: string;
    origin: string;
    batch: { maxDelayMs: number; maxEntries: number; maxPending: number };
    /** Keys that signed earlier checkpoints (after a rotation): PEM file paths or note vkeys. */
    previousKeys: string[];
    /** VerifyChain calls at once; more get RESOURCE_EXHAUSTED. */
    maxConcurrentVerifications: number;
    /** Witnesses whose cosignatures AddCosignature accepts: cosignature/v1 vkeys (name+keyid+base64). */
    witnesses: string[];
    /** Where accepted cosignatures are kept (SQLite). */
    witnessDb: string;
  };
  credentials: {
    enabled: boolean;
    /** Where agents, revocations, single use, ring keys and nonces live (default: ledger.store). */
    store: StoreKind;
    key: string;
    issuer: string;
    /** Path of the policy file; absent → default deny for every issuance. */
    policy: string | undefined;
    db: string;
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
    skewSeconds: number;
    popMode: 'strict' | 'permissive';
    /** Seconds a signed request's timestamp may differ from now; nonces are remembered this long. */
    popWindowSeconds: number;
    /** Lifetime of passports, seconds (at most 7 days). */
    passportTtlSeconds: number;
    /** host:port for the optional /.well-known/jwks.json listener. */
    jwksHttp: string | undefined;
    /** certified: short-lived issuing keys certified by the custody key; direct: the custody key signs each credential. */
    signing: 'certified' | 'direct';
    /** Certified mode: how long one issuing key signs, seconds. */
    issuingKeySeconds: number;
  };
  /** The shared database, when a store is postgres. The URL may hold a password: log it redacted. */
  postgres: { url: string; schema: string; poolSize: number; lockTimeoutMs: number } | undefined;
  metrics: { listen: string | undefined };
  log: { level: string };
  shutdownGraceMs: number;
  /**
   * Serve without TLS. Start-up allows it only on a loopback address, and only when said: by the
   * config (`plaintext: true`, SIGNET_PLAINTEXT=true) or by the embedded defaults (no config file).
   */
  plaintext: boolean;
}

export type StoreKind = 'sqlite' | 'postgres';

/** Where the configuration came from, for the start-up log. */
export interface LoadedConfig {
  config: SignetConfig;
  source: string;
}

export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = path ?? env.SIGNET_CONFIG;
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > FILE_YAML_BOUNDS.maxBytes) throw new SignetError('CONFIG', `config: ${file} is ${size} bytes; at most ${FILE_YAML_BOUNDS.maxBytes}`);
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (err instanceof SignetError) throw err;
      throw new SignetError('CONFIG', `config: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    checkYamlBounds(text, `config: ${file}`);
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new SignetError('CONFIG', `config: ${file} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { config: resolveConfig(raw, env, { embedded: !file }), source: file ?? 'embedded defaults' };
}

const TOP_LEVEL = new Set(['listen', 'data_dir', 'keys', 'tls', 'plaintext', 'authorization', 'health', 'limits', 'ledger', 'credentials', 'postgres', 'metrics', 'log', 'shutdown_grace_ms']);

export interface ResolveOptions {
  /** No config file: the embedded defaults, which serve plaintext on loopback unless TLS is given. */
  embedded?: boolean;
}

export function resolveConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): SignetConfig {
  const r = new Reader(raw, '');
  r.onlyKeys(TOP_LEVEL);
  const dataDir = resolve(env.SIGNET_DATA_DIR ?? r.string('data_dir') ?? '.signet');

  const keys: Record<string, string> = {};
  const keysSection = r.section('keys');
  for (const name of keysSection.keys()) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw configError(`keys.${name}`, 'key names are 1–64 of A-Z a-z 0-9 _ . -');
    keys[name] = keysSection.requiredString(name);
  }
  for (const [k, v] of Object.entries(env)) {
    const m = /^SIGNET_KEY_([A-Z0-9_]+)$/.exec(k);
    if (m && v) keys[m[1]!.toLowerCase()] = v;
  }
  if (Object.keys(keys).length === 0) {
    // Development defaults: software keys, one per purpose, created on first start.
    keys.default = `file:${join(dataDir, 'dev-ed25519.pem')}?create=true&alg=ed25519`;
    keys.ledger = `file:${join(dataDir, 'dev-ledger-ed25519.pem')}?create=true&alg=ed25519`;
    keys.issuer = `file:${join(dataDir, 'dev-issuer-ed25519.pem')}?create=true&alg=ed25519`;
  }

  const tlsSection = r.optionalSection('tls');
  const certPath = env.SIGNET_TLS_CERT ?? tlsSection?.string('cert');
  const keyPath = env.SIGNET_TLS_KEY ?? tlsSection?.string('key');
  const clientCa = env.SIGNET_TLS_CLIENT_CA ?? tlsSection?.string('client_ca');
  tlsSection?.onlyKeys(new Set(['cert', 'key', 'client_ca', 'require_client_cert', 'cn_identity']));
  if ((certPath === undefined) !== (keyPath === undefined)) throw configError('tls', 'give both cert and key');
  if (clientCa && !certPath) throw configError('tls.client_ca', 'mutual TLS needs tls.cert and tls.key too');
  const tls = certPath
    ? {
        cert: certPath,
        key: keyPath!,
        clientCa,
        requireClientCert: tlsSection?.boolean('require_client_cert') ?? clientCa !== undefined,
        cnIdentity: tlsSection?.boolean('cn_identity') ?? false,
      }
    : undefined;
  if (!tls && tlsSection?.has('cn_identity')) throw configError('tls.cn_identity', 'needs tls.cert and tls.key (identities come from client certificates)');
  // Without our own CA, "required" client certificates would be checked against the public roots.
  if (tls?.requireClientCert && !clientCa) throw configError('tls.require_client_cert', 'needs tls.client_ca, the CA that issues client certificates');

  const authorization = r.has('authorization') ? parseAuthorization(r.get('authorization'), keys, tls?.cnIdentity ?? false) : undefined;
  if (authorization && !tls?.requireClientCert) {
    throw configError('authorization', 'needs mutual TLS (tls.cert, tls.key, tls.client_ca): identities come from client certificates');
  }

  const health = r.section('health');
  health.onlyKeys(new Set(['open_to_authenticated']));
  const limits = r.section('limits');
  limits.onlyKeys(new Set(LIMIT_SETTINGS.map((l) => l.name)));
  const ledger = r.section('ledger');
  ledger.onlyKeys(new Set(['enabled', 'store', 'path', 'key', 'origin', 'batch', 'previous_keys', 'max_concurrent_verifications', 'witnesses', 'witness_db']));
  const batch = ledger.section('batch');
  batch.onlyKeys(new Set(['max_delay_ms', 'max_entries', 'max_pending']));
  const cred = r.section('credentials');
  cred.onlyKeys(new Set(['enabled', 'store', 'key', 'issuer', 'policy', 'db', 'default_ttl', 'max_ttl', 'skew', 'pop_mode', 'pop_window', 'passport_ttl', 'jwks_http', 'signing', 'issuing_key_ttl']));
  const ledgerEnabled = ledger.boolean('enabled') ?? true;
  const credEnabled = cred.boolean('enabled') ?? true;
  // The keys that sign checkpoints and credentials are never served by Sign: a caller who could
  // sign arbitrary bytes with them could forge both. Each defaults to a key named for its purpose.
  const ledgerKey = ledger.string('key') ?? (keys.ledger ? 'ledger' : keys.issuer ? 'issuer' : undefined);
  const credKey = cred.string('key') ?? (keys.issuer ? 'issuer' : ledgerKey);
  if (ledgerEnabled && !ledgerKey) {
    throw configError('ledger.key', 'is required: name the key (in keys) that signs ledger checkpoints, e.g. a key named "ledger"; Sign does not serve it');
  }
  if (credEnabled && !credKey) {
    throw configError('credentials.key', 'is required: name the key (in keys) that signs credentials, e.g. a key named "issuer"; Sign does not serve it');
  }
  const signing = cred.string('signing') ?? 'certified';
  if (signing !== 'certified' && signing !== 'direct') throw configError('credentials.signing', 'is certified (a short-lived issuing key the custody key certifies) or direct (the custody key signs every credential)');
  const popMode = cred.string('pop_mode') ?? 'strict';
  if (popMode !== 'strict' && popMode !== 'permissive') throw configError('credentials.pop_mode', 'is strict or permissive');
  const defaultTtl = cred.int('default_ttl', 1, 86_400) ?? 60;
  const maxTtl = cred.int('max_ttl', 1, 86_400) ?? 3600;
  if (defaultTtl > maxTtl) throw configError('credentials.default_ttl', `is more than max_ttl (${maxTtl})`);
  for (const [field, name] of [['ledger.key', ledgerKey], ['credentials.key', credKey]] as const) {
    if (name !== undefined && !(name in keys)) throw configError(field, `names key "${name}", which is not in keys (${Object.keys(keys).join(', ')})`);
  }
  const ledgerStore = storeKind(ledger.string('store'), 'ledger.store') ?? 'sqlite';
  const credStore = storeKind(cred.string('store'), 'credentials.store') ?? ledgerStore;
  const postgres = parsePostgres(r.section('postgres'), env, [ledgerEnabled && ledgerStore, credEnabled && credStore].includes('postgres'));
  const metrics = r.section('metrics');
  const log = r.section('log');

  const config: SignetConfig = {
    listen: env.SIGNET_LISTEN ?? r.string('listen') ?? '127.0.0.1:7443',
    dataDir,
    keys,
    tls,
    authorization,
    health: { openToAuthenticated: health.boolean('open_to_authenticated') ?? true },
    limits: resolveLimits(
      (name, min, max) => limits.int(name, min, max),
      (variable, min, max) => envInt(env, variable, min, max),
    ),
    ledger: {
      enabled: ledgerEnabled,
      store: ledgerStore,
      path: resolve(env.SIGNET_LEDGER_PATH ?? ledger.string('path') ?? join(dataDir, 'ledger.db')),
      key: ledgerKey ?? '',
      origin: ledger.string('origin') ?? 'signet.local/ledger',
      batch: {
        maxDelayMs: batch.int('max_delay_ms', 0, 10_000) ?? 5,
        maxEntries: batch.int('max_entries', 1, 1_000_000) ?? 4096,
        maxPending: batch.int('max_pending', 1, 10_000_000) ?? 100_000,
      },
      previousKeys: ledger.stringList('previous_keys') ?? [],
      maxConcurrentVerifications: ledger.int('max_concurrent_verifications', 1, 64) ?? 1,
      witnesses: (ledger.stringList('witnesses') ?? []).map((vkey, i) => {
        try {
          cosignerFromVkey(vkey);
        } catch (err) {
          throw configError(`ledger.witnesses[${i}]`, `is not a cosignature/v1 witness vkey: ${(err as Error).message}`);
        }
        return vkey;
      }),
      witnessDb: resolve(ledger.string('witness_db') ?? join(dataDir, 'witnesses.db')),
    },
    credentials: {
      enabled: credEnabled,
      store: credStore,
      key: credKey ?? '',
      issuer: cred.string('issuer') ?? 'signet',
      policy: env.SIGNET_POLICY ?? cred.string('policy'),
      db: resolve(cred.string('db') ?? join(dataDir, 'credentials.db')),
      defaultTtlSeconds: defaultTtl,
      maxTtlSeconds: maxTtl,
      skewSeconds: cred.int('skew', 0, 300) ?? 5,
      popMode,
      popWindowSeconds: cred.int('pop_window', 1, 600) ?? 30,
      passportTtlSeconds: cred.int('passport_ttl', 60, 7 * 86_400) ?? 86_400,
      jwksHttp: env.SIGNET_JWKS_HTTP ?? cred.string('jwks_http'),
      signing,
      issuingKeySeconds: cred.int('issuing_key_ttl', 60, 86_400) ?? 3600,
    },
    postgres,
    metrics: { listen: env.SIGNET_METRICS_LISTEN ?? metrics.string('listen') },
    log: { level: logLevel(env.SIGNET_LOG_LEVEL, log.string('level')) },
    shutdownGraceMs: envInt(env, 'SIGNET_SHUTDOWN_GRACE_MS', 0, 600_000) ?? r.int('shutdown_grace_ms', 0, 600_000) ?? 10_000,
    plaintext: envBoolean(env.SIGNET_PLAINTEXT, 'SIGNET_PLAINTEXT') ?? r.boolean('plaintext') ?? (options.embedded === true && tls === undefined),
  };
  parseHostPort(config.listen, 'listen');
  if (config.metrics.listen) parseHostPort(config.metrics.listen, 'metrics.listen');
  if (config.credentials.jwksHttp) parseHostPort(config.credentials.jwksHttp, 'credentials.jwks_http');
  return config;
}

function envBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw configError(name, `is "${value.slice(0, 20)}"; use true or false`);
  return value === 'true';
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function logLevel(fromEnv: string | undefined, fromFile: string | undefined): string {
  const [field, value] = fromEnv !== undefined ? ['SIGNET_LOG_LEVEL', fromEnv] : ['log.level', fromFile ?? 'info'];
  if (!LOG_LEVELS.includes(value)) throw configError(field, `is ${JSON.stringify(value.slice(0, 40))}; use one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

export function parseHostPort(value: string, field: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw configError(field, `"${value}" is not host:port`);
  return { host: m[1]!, port };
}

function storeKind(value: string | undefined, field: string): StoreKind | undefined {
  if (value === undefined || value === 'sqlite' || value === 'postgres') return value;
  throw configError(field, 'is sqlite or postgres');
}

/** The `postgres` section; SIGNET_DATABASE_URL overrides postgres.url. Never echoes the URL. */
function parsePostgres(section: Reader, env: NodeJS.ProcessEnv, needed: boolean): SignetConfig['postgres'] {
  section.onlyKeys(new Set(['url', 'schema', 'pool_size', 'lock_timeout_ms']));
  const url = env.SIGNET_DATABASE_URL || section.string('url');
  if (!url) {
    if (needed) throw configError('postgres.url', 'is required when a store is postgres (or set SIGNET_DATABASE_URL)');
    return undefined;
  }
  if (!/^postgres(ql)?:\/\/[^/]/.test(url)) throw configError('postgres.url', 'must be a postgres:// or postgresql:// URL');
  const schema = section.string('schema') ?? 'signet';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw configError('postgres.schema', 'is 1–63 of a-z 0-9 _, not starting with a digit');
  return {
    url,
    schema,
    poolSize: section.int('pool_size', 1, 1000) ?? 10,
    lockTimeoutMs: section.int('lock_timeout_ms', 100, 600_000) ?? 10_000,
  };
}

function parseAuthorization(value: unknown, keys: Record<string, string>, cnIdentity: boolean): AuthorizationRule[] {
  if (!Array.isArray(value)) throw configError('authorization', 'is a list of {identity, rpcs, keys} rules');
  return value.map((item, i) => {
    const r = new Reader(item, `authorization[${i}]`);
    r.onlyKeys(new Set(['identity', 'rpcs', 'keys', 'agents']));
    const identity = parseIdentityPattern(r.requiredString('identity'), `authorization[${i}].identity`, { cnIdentity });
    const rule = { identity, rpcs: r.stringList('rpcs') ?? ['*'], keys: r.stringList('keys') ?? ['*'], agents: r.stringList('agents') ?? ['*'] };
    for (const a of rule.agents) {
      if (!usableIdentityValue(a) || a.trim() !== a) {
        throw configError(`authorization[${i}].agents`, `"${a}" is not an agent pattern: an agent id or a glob, without control characters or surrounding spaces`);
      }
    }
    for (const p of rule.rpcs) {
      if (p !== '*' && !RPC_PATTERN.test(p)) {
        throw configError(`authorization[${i}].rpcs`, `"${p}" is not an RPC: write package.Service/Method (globs allowed, e.g. signet.v1.LedgerService/*) or *`);
      }
    }
    for (const k of rule.keys) {
      if (k !== '*' && !(k in keys)) throw configError(`authorization[${i}].keys`, `names key "${k}", which is not in keys`);
    }
    return rule;
  });
}

const RPC_PATTERN = /^[A-Za-z0-9_.*?]+\/[A-Za-z0-9_*?]+$/;

/** A whole-number setting from the environment, which wins over the file. */
function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw configError(name, `must be a whole number from ${min} to ${max}`);
  return value;
}

function configError(field: string, message: string): SignetError {
  return new SignetError('CONFIG', `config: ${field} ${message}`, { field });
}

/** Typed, path-aware access to one object of the raw config. */
class Reader {
  readonly #obj: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string) {
    if (value === undefined || value === null) value = {};
    if (typeof value !== 'object' || Array.isArray(value)) throw configError(path || 'config', 'must be a mapping');
    this.#obj = value as Record<string, unknown>;
    this.#path = path;
  }

  #field(name: string): string {
    return this.#path ? `${this.#path}.${name}` : name;
  }
  keys(): string[] {
    return Object.keys(this.#obj);
  }
  has(name: string): boolean {
    return this.#obj[name] !== undefined && this.#obj[name] !== null;
  }
  get(name: string): unknown {
    return this.#obj[name];
  }
  onlyKeys(allowed: Set<string>): void {
    for (const k of Object.keys(this.#obj)) {
      if (!allowed.has(k)) throw configError(this.#field(k), `is not a known setting (known: ${[...allowed].join(', ')})`);
    }
  }
  section(name: string): Reader {
    return new Reader(this.#obj[name], this.#field(name));
  }
  optionalSection(name: string): Reader | undefined {
    return this.has(name) ? this.section(name) : undefined;
  }
  string(name: string): string | undefined {
    const v = this.#obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw configError(this.#field(name), 'must be a non-empty string');
    return v;
  }
  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw configError(this.#field(name), 'is required');
    return v;
  }
  stringList(name: string): string[] | undefined {
    const v = this.#obj[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw configError(this.#field(name), 'must be a list of strings');
    return v as string[];
  }
  boolean(name: string): boolean | undefined {
    const v = this.#obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw configError(this.#field(name), 'must be true or false');
    return v;
  }
  int(name: string, min: number, max: number): number | undefined {
    const v = this.#obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw configError(this.#field(name), `must be a whole number from ${min} to ${max}`);
    }
    return v;
  }
}
