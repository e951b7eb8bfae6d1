// Reads and validates the YAML policy file: every fault is a CONFIG error naming file:line and
// the path in the document (rules[2].max_ttl …), so an operator can fix it from the message.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { checkYamlBounds, FILE_YAML_BOUNDS } from '../lib/bounded-yaml.js';
import { canonicalize } from '../lib/jcs.js';
import { SignetError } from '../lib/errors.js';
import { patternProblem } from './canonical.js';
import type { AgentSelector, Policy, PolicyRule } from './policy.js';

type Path = (string | number)[];

const TOP = new Set(['version', 'defaults', 'rules']);
const DEFAULTS = new Set(['max_ttl', 'require_pop', 'single_use']);
const RULE = new Set(['name', 'effect', 'agents', 'actions', 'resources', 'resource_case', 'delegation', 'audiences', 'max_ttl', 'require_pop', 'single_use']);

export interface PolicyLimits {
  /** The server's ceiling: no rule may grant more (credentials.max_ttl). */
  maxTtlSeconds: number;
  /** Used by rules that name no max_ttl and no default (credentials.default_ttl). */
  defaultTtlSeconds: number;
}

/** An empty policy: every question is answered with the default deny. */
export function emptyPolicy(source = '(no policy file)'): Policy {
  return { rules: [], digest: digestOf([]), source };
}

export function parsePolicy(text: string, source: string, limits: PolicyLimits): Policy {
  checkYamlBounds(text, source);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    throw new SignetError('CONFIG', `${source}:${line}: ${e.message.split('\n')[0]}`);
  }
  const v = new Validator(doc, lineCounter, source);
  const root = v.object(doc.toJS() as unknown, [], TOP);
  const version = root.version ?? 1;
  if (version !== 1) v.fail(['version'], 'only version 1 is known');
  const defaultsRaw = root.defaults === undefined ? {} : v.object(root.defaults, ['defaults'], DEFAULTS);
  const defaults = {
    maxTtlSeconds: defaultsRaw.max_ttl === undefined ? limits.defaultTtlSeconds : v.ttl(defaultsRaw.max_ttl, ['defaults', 'max_ttl'], limits),
    requirePop: v.bool(defaultsRaw.require_pop, ['defaults', 'require_pop']) ?? false,
    singleUse: v.bool(defaultsRaw.single_use, ['defaults', 'single_use']) ?? false,
  };
  if (root.rules === undefined) v.fail([], 'has no rules: (an empty list denies everything; write rules: [] to mean it)');
  if (!Array.isArray(root.rules)) v.fail(['rules'], 'must be a list of rules');
  const names = new Set<string>();
  const rules = (root.rules as unknown[]).map((raw, i): PolicyRule => {
    const p: Path = ['rules', i];
    const r = v.object(raw, p, RULE);
    const name = v.string(r.name, [...p, 'name']);
    if (names.has(name)) v.fail([...p, 'name'], `rule name "${name}" is used twice`);
    names.add(name);
    const effect = r.effect ?? 'allow';
    if (effect !== 'allow' && effect !== 'deny') v.fail([...p, 'effect'], 'is allow or deny');
    const rule: PolicyRule = {
      name,
      effect,
      agents: v.selectors(r.agents, [...p, 'agents']),
      actions: v.patterns(r.actions, [...p, 'actions']),
      resources: v.patterns(r.resources, [...p, 'resources'], { resources: true }),
      maxTtlSeconds: r.max_ttl === undefined ? defaults.maxTtlSeconds : v.ttl(r.max_ttl, [...p, 'max_ttl'], limits),
      requirePop: v.bool(r.require_pop, [...p, 'require_pop']) ?? defaults.requirePop,
      singleUse: v.bool(r.single_use, [...p, 'single_use']) ?? defaults.singleUse,
    };
    if (r.audiences !== undefined) rule.audiences = v.patterns(r.audiences, [...p, 'audiences']);
    const resourceCase = r.resource_case ?? 'sensitive';
    if (resourceCase !== 'sensitive' && resourceCase !== 'insensitive') v.fail([...p, 'resource_case'], 'is sensitive (the default) or insensitive');
    // Only when set, so the digest of a policy that does not use it stays what it was.
    if (resourceCase === 'insensitive') rule.resourceCaseInsensitive = true;
    if (r.delegation !== undefined) rule.delegation = v.patterns(r.delegation, [...p, 'delegation']);
    return rule;
  });
  return { rules, digest: digestOf(rules), source };
}

function digestOf(rules: PolicyRule[]): string {
  return createHash('sha256').update(canonicalize(rules)).digest('hex');
}

/** Parses a duration: whole seconds, or "90s", "5m", "1h". */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)\s*(s|m|h)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  return n > 0 ? n : undefined;
}

class Validator {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #source: string;

  constructor(doc: Document, lines: LineCounter, source: string) {
    this.#doc = doc;
    this.#lines = lines;
    this.#source = source;
  }

  /** Throws CONFIG naming file:line of the nearest node on `path`, and the path itself. */
  fail(path: Path, message: string): never {
    let line = 1;
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.#doc.contents : this.#doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        line = this.#lines.linePos(range[0]).line;
        break;
      }
    }
    const where = path.length ? ` ${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}` : '';
    throw new SignetError('CONFIG', `${this.#source}:${line}:${where} ${message}`);
  }

  object(value: unknown, path: Path, allowed: Set<string>): Record<string, any> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be a mapping');
    for (const key of Object.keys(value as object)) {
      if (!allowed.has(key)) this.fail([...path, key], `is not a known field (known: ${[...allowed].join(', ')})`);
    }
    return value as Record<string, any>;
  }

  string(value: unknown, path: Path): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'must be a non-empty string');
    return value as string;
  }

  bool(value: unknown, path: Path): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value as boolean;
  }

  ttl(value: unknown, path: Path, limits: PolicyLimits): number {
    const seconds = parseDuration(value);
    if (seconds === undefined) this.fail(path, 'must be a duration: whole seconds, or like 90s, 5m, 1h');
    if (seconds! > limits.maxTtlSeconds) this.fail(path, `is ${seconds}s, more than the server's maximum of ${limits.maxTtlSeconds}s`);
    return seconds!;
  }

  patterns(value: unknown, path: Path, options: { resources?: boolean } = {}): string[] {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0) this.fail(path, 'must be a pattern or a non-empty list of patterns');
    return (list as unknown[]).map((p, i) => {
      const at = typeof value === 'string' ? path : [...path, i];
      const pattern = this.string(p, at);
      // Patterns obey the canonical form of the names they match (canonical.ts), and are at most
      // 1024 characters: matching costs |pattern|·|value| steps, and values are at most 1024.
      const problem = patternProblem(pattern, options);
      if (problem) this.fail(at, problem);
      return pattern;
    });
  }

  selectors(value: unknown, path: Path): AgentSelector[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(path, 'must be a non-empty list of selectors: "*", {id: …}, {group: …} or {labels: {…}}');
    }
    return (value as unknown[]).map((s, i): AgentSelector => {
      const p = [...path, i];
      if (s === '*') return { any: true };
      const o = this.object(s, p, new Set(['id', 'group', 'labels']));
      const keys = Object.keys(o);
      if (keys.length !== 1) this.fail(p, 'a selector has exactly one of id, group, labels');
      if (o.id !== undefined) {
        const id = this.string(o.id, [...p, 'id']);
        if (!id.startsWith('did:key:z')) this.fail([...p, 'id'], 'an agent id is a did:key (did:key:z6Mk…)');
        return { id };
      }
      if (o.group !== undefined) return { group: this.string(o.group, [...p, 'group']) };
      const labels = o.labels;
      if (labels === null || typeof labels !== 'object' || Array.isArray(labels) || Object.keys(labels).length === 0) {
        this.fail([...p, 'labels'], 'must be a non-empty mapping of label: value');
      }
      for (const [k, v] of Object.entries(labels as object)) {
        if (typeof v !== 'string') this.fail([...p, 'labels', k], 'label values are strings');
      }
      return { labels: labels as Record<string, string> };
    });
  }
}

/** Reads and parses the policy file; throws CONFIG naming the file (and line) on any fault. */
export function readPolicy(path: string, limits: PolicyLimits): Policy {
  let text: string;
  try {
    // Bounded before read: a policy path pointing at a huge file is refused, not loaded.
    const size = statSync(path).size;
    if (size > FILE_YAML_BOUNDS.maxBytes) throw new SignetError('CONFIG', `policy: ${path} is ${size} bytes; at most ${FILE_YAML_BOUNDS.maxBytes}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof SignetError) throw err;
    throw new SignetError('CONFIG', `policy: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return parsePolicy(text, path, limits);
}
