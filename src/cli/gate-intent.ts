// How `signet mcp-gate` turns a tools/call into an intent: the tool name is the action, the
// resource comes from a configured template over argument fields, and the SHA-256 of the
// canonical arguments is a constraint, so a credential covers exactly these arguments.
import { createHash } from 'node:crypto';
import { invalidArgument } from '../lib/errors.js';
import { canonicalize } from '../lib/jcs.js';
import { parseIntent, type Intent } from '../credentials/intent.js';

/** "records/{table}/{id}": {name} takes one path segment, {name*} may span several. */
export interface ResourceTemplate {
  text: string;
  parts: ({ literal: string } | { field: string; multi: boolean })[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]{0,63})(\*?)\}/g;

export function parseTemplate(text: string): ResourceTemplate {
  if (text.length === 0 || text.length > 1024) throw invalidArgument('resource', 'a resource template is 1–1024 characters');
  const parts: ResourceTemplate['parts'] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push({ literal: text.slice(last, m.index) });
    parts.push({ field: m[1]!, multi: m[2] === '*' });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  if (parts.some((p) => 'literal' in p && /[{}]/.test(p.literal))) throw invalidArgument('resource', `"${text}": braces only around a field name, {name} or {name*}`);
  return { text, parts };
}

/** `--resource TOOL=TEMPLATE` (TOOL may be * for every tool without its own). */
export function parseResourceFlag(flag: string): [tool: string, template: ResourceTemplate] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw invalidArgument('resource', `"${flag}" is not TOOL=TEMPLATE`);
  return [flag.slice(0, eq), parseTemplate(flag.slice(eq + 1))];
}

function fieldValue(args: Record<string, unknown>, name: string): unknown {
  // Dotted names reach into nested objects: {target.path}.
  let v: unknown = args;
  for (const key of name.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function fillTemplate(template: ResourceTemplate, args: Record<string, unknown>): string {
  return template.parts
    .map((p) => {
      if ('literal' in p) return p.literal;
      const v = fieldValue(args, p.field);
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)) && typeof v !== 'boolean') {
        throw invalidArgument(`arguments.${p.field}`, 'the gate names its resource from this argument: it must be a string, number or boolean');
      }
      const text = String(v);
      if (text.length === 0) throw invalidArgument(`arguments.${p.field}`, 'must not be empty: it names the resource');
      // One segment unless the template says {name*}: a "/" must not widen what the rule sees.
      if (!p.multi && text.includes('/')) throw invalidArgument(`arguments.${p.field}`, 'must be one path segment (no "/"): it names the resource');
      return text;
    })
    .join('');
}

export interface GateTarget {
  /** Names the tool server in default resources: mcp://SERVER/TOOL. */
  server: string;
  templates: Map<string, ResourceTemplate>;
}

export interface CallIntent {
  intent: Intent;
  /** SHA-256 hex of the JCS of {name, arguments}: the receipt's request hash. */
  requestSha256: string;
  argsSha256: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The intent of one tools/call, refused (INVALID_ARGUMENT naming the field) when it cannot be formed. */
export function intentOfCall(target: GateTarget, name: unknown, args: unknown): CallIntent {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument('params.name', 'a tool name is required');
  const a = args === undefined ? {} : args;
  if (a === null || typeof a !== 'object' || Array.isArray(a)) throw invalidArgument('params.arguments', 'must be an object');
  const argsSha256 = sha256(canonicalize(a));
  const template = target.templates.get(name) ?? target.templates.get('*');
  const resource = template ? fillTemplate(template, a as Record<string, unknown>) : `mcp://${target.server}/${name}`;
  const intent = parseIntent({ action: name, resource, constraints: { args_sha256: argsSha256 } });
  return { intent, argsSha256, requestSha256: sha256(canonicalize({ name, arguments: a })) };
}
