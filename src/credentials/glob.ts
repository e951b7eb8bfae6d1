// Glob patterns of the policy file and of authorization rules: `*` within one `/`-separated
// segment, `**` across segments, `?` one character other than `/`; everything else is literal.
// A wildcard never matches a whole `.` or `..` segment (no escaping a prefix). Matching is the
// linear-time NFA of src/lib/glob.ts: no pattern and value can make it backtrack.
import { Glob, type GlobSteps } from '../lib/glob.js';

export interface MatchOptions {
  /** Compare without regard to letter case (hosts, GitHub owners and repositories). */
  caseInsensitive?: boolean;
  /** Counts the matcher's work (tests bound it). */
  counter?: GlobSteps;
}

export function globMatch(pattern: string, value: string, options: MatchOptions = {}): boolean {
  return Glob.compile(pattern, { syntax: 'path', caseInsensitive: options.caseInsensitive }).matches(value, options.counter);
}

export function anyGlob(patterns: readonly string[], value: string, options: MatchOptions = {}): boolean {
  return patterns.some((p) => globMatch(p, value, options));
}
