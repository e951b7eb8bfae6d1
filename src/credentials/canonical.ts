// The one canonical form of actions, resources and the other names policy matches (audiences,
// delegation subjects, policy patterns). Whatever is not already canonical is refused, never
// normalised: a policy compares text, so two spellings of one thing must not both get through.
import { invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';

export const MAX_NAME_LENGTH = 1024;

/**
 * Characters no canonical name holds: controls (C0, DEL, C1), format characters (zero-width
 * joiners and spaces, bidi controls, soft hyphen, BOM), default-ignorables (variation selectors,
 * CGJ), lone surrogates, private-use and unassigned code points, whitespace other than U+0020.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]|(?! )\p{White_Space}/u;
/** A combining mark with nothing of its own script to sit on: at a segment start, or on ASCII. */
const STRAY_MARK = /(?:^|[\x00-\x7f])\p{M}/u;
/**
 * A generic combining mark (script Inherited: accents, overlays, dots above) after NFC: it can
 * stack on any letter (ñ̸, q́) and mean nothing to the resource's owner. Marks that belong to a
 * script (Devanagari vowel signs, Thai vowels) are allowed after a letter of that script.
 */
const GENERIC_MARK = /(?=\p{M})\p{Script=Inherited}/u;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\/?/;

/**
 * Text rules shared by every canonical name; returns what is wrong, or undefined. `%` is refused
 * outright: percent-encoding (and double encoding) would give one name several spellings.
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('%')) return 'contains "%": percent-encoding is not allowed; write the character itself';
  const bad = FORBIDDEN.exec(value);
  if (bad) return `contains U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (a control, format, invisible or space character)`;
  if (value !== value.trim()) return 'starts or ends with a space';
  if (value.normalize('NFC') !== value) return 'is not in Unicode NFC (compose accented letters: é, not e + U+0301)';
  if (value.normalize('NFKC') !== value) return 'is not NFKC-stable (fullwidth letters, ligatures, superscripts and other compatibility characters have a plain spelling)';
  if (STRAY_MARK.test(value)) return 'has a combining mark on an ASCII character or at its start';
  if (GENERIC_MARK.test(value)) return 'has a generic combining mark (an accent or overlay not part of a precomposed letter)';
  return undefined;
}

/** Path rules: one path as written, so a deny rule's prefix cannot be escaped. */
function pathProblem(value: string, segmentMarks: boolean): string | undefined {
  if (value.includes('\\')) return 'backslashes are not allowed';
  const scheme = SCHEME.exec(value)?.[0];
  if (scheme && scheme !== scheme.toLowerCase()) return `the scheme "${scheme}" is written in lower case`;
  const path = scheme ? value.slice(scheme.length) : value;
  for (const segment of path.split('/')) {
    if (segment === '') return 'empty path segments (a leading, trailing or doubled "/") are not allowed';
    if (segment === '.' || segment === '..') return '"." and ".." path segments are not allowed';
    if (segmentMarks && /^\p{M}/u.test(segment)) return 'a path segment starts with a combining mark';
  }
  return undefined;
}

/** Schemes whose URLs every WHATWG parser (fetch, Node's URL, browsers) rewrites on reading. */
const SPECIAL_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp', 'file']);
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * URL rules for the special schemes, where a parser reads `https:/h`, `HTTPS:h`, `https:///h`,
 * `https://H:443`, `https://u@h`, `https://h。x` or `https://2130706433` as another URL's spelling:
 * only the spelling a parser would print is accepted. `pattern`: check scheme and a wildcard-free
 * host only (in a pattern `?` is a wildcard, and the path may hold globs).
 */
function urlProblem(value: string, pattern = false): string | undefined {
  const m = SCHEME_PREFIX.exec(value);
  const scheme = m?.[1]!.toLowerCase();
  if (!scheme || !SPECIAL_SCHEMES.has(scheme)) return undefined;
  if (!value.startsWith(`${scheme}://`)) {
    return `a ${scheme}: URL is written "${scheme}://" (lower case, two slashes): a URL parser reads other spellings as the same URL`;
  }
  const rest = value.slice(scheme.length + 3);
  const end = rest.search(pattern ? /\// : /[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const after = end < 0 ? '' : rest.slice(end);
  if (!pattern) {
    if (value.includes('#')) return 'a URL fragment ("#…") is never sent to the server: leave it out';
    if (after.startsWith('?')) return `a query follows a path: write ${scheme}://HOST/?…`;
    if (after.endsWith('?')) return 'an empty query ("?" at the end) is the same URL as none: leave it out';
  } else if (/[*?]/.test(authority)) {
    return undefined;
  }
  if (scheme !== 'file' && authority === '') return `a ${scheme}: URL has a host after "//"`;
  if (/\.(?::|$)/.test(authority)) return 'a host with a trailing dot is the same host without it: leave the dot out';
  let host: string;
  try {
    host = new URL(`${scheme}://${authority}/`).host;
  } catch {
    return `${quoted(authority)} is not a URL host`;
  }
  if (host !== authority) {
    return `the host ${quoted(authority)} is written ${quoted(host)}: one spelling per URL (lower case, xn-- labels for other scripts, no userinfo, no default port, IP addresses as usual)`;
  }
  return undefined;
}

/** A canonical name: a non-empty string of at most `max` characters that passes textProblem. */
export function canonicalText(value: unknown, field: string, max = MAX_NAME_LENGTH): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(field, 'required');
  if (value.length > max) throw invalidArgument(field, `at most ${max} characters`);
  const problem = textProblem(value);
  if (problem) throw invalidArgument(field, `${problem} (names have one canonical form: docs/credentials.md)`);
  return value;
}

/** An action (`repo:read`, `tools/call`): canonical text, and canonical as a path. */
export function canonicalAction(value: unknown, field: string): string {
  const text = canonicalText(value, field);
  const problem = pathProblem(text, true);
  if (problem) throw invalidArgument(field, problem);
  return text;
}

/**
 * A resource (`github.com/acme/app`, `mcp://search/web`, `https://api.example.com/v1/x`):
 * canonical text, a lower-case scheme when it has one, no `.`/`..`/empty segments, no backslash.
 */
export function canonicalResource(value: unknown, field: string): string {
  const text = canonicalText(value, field);
  const problem = urlProblem(text) ?? pathProblem(text, true);
  if (problem) throw invalidArgument(field, problem);
  return text;
}

/**
 * What is wrong with a policy pattern (the text rules; wildcards are plain ASCII), or undefined.
 * `resources`: a resource pattern, whose special-scheme URL prefix must be spelled as resources are.
 */
export function patternProblem(pattern: string, options: { resources?: boolean } = {}): string | undefined {
  if (pattern.length > MAX_NAME_LENGTH) return `is ${pattern.length} characters; a pattern has at most ${MAX_NAME_LENGTH}`;
  const problem = textProblem(pattern);
  if (problem) return `${problem}; such a pattern could never match a canonical name`;
  const scheme = SCHEME.exec(pattern)?.[0];
  if (scheme && scheme !== scheme.toLowerCase()) return `the scheme "${scheme}" is written in lower case`;
  const url = options.resources ? urlProblem(pattern, true) : undefined;
  if (url) return `${url}; such a pattern could never match a canonical name`;
  return undefined;
}
