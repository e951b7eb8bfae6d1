// Delegation (RFC 8693 §4.1): the `act` claim names the current actor, and nested `act` members
// the actors before it, so a credential says who acts for whom, all the way back.
import { invalidArgument } from '../lib/errors.js';
import { canonicalText } from './canonical.js';

export interface Actor {
  sub: string;
  iss?: string;
}

export interface ActClaim {
  sub: string;
  iss?: string;
  act?: ActClaim;
}

const MAX_CHAIN = 8;

/** `actors` runs from the current actor to the original one; returns the nested claim. */
export function actClaim(actors: readonly Actor[] | undefined): ActClaim | undefined {
  if (!actors || actors.length === 0) return undefined;
  if (actors.length > MAX_CHAIN) throw invalidArgument('delegation', `at most ${MAX_CHAIN} actors`);
  let claim: ActClaim | undefined;
  for (let i = actors.length - 1; i >= 0; i--) {
    const a = actors[i]!;
    // Policy matches these subjects (rules' delegation patterns): one canonical spelling each.
    canonicalText(a.sub, `delegation[${i}].sub`, 256);
    if (a.iss !== undefined && a.iss !== '') canonicalText(a.iss, `delegation[${i}].iss`, 256);
    claim = { sub: a.sub, ...(a.iss ? { iss: a.iss } : {}), ...(claim ? { act: claim } : {}) };
  }
  return claim;
}

/** The chain of a claim, current actor first (for the ledger and for verifiers' answers). */
export function actorsOf(act: unknown): string[] {
  const out: string[] = [];
  let node = act as ActClaim | undefined;
  while (node && typeof node === 'object' && typeof node.sub === 'string' && out.length < MAX_CHAIN) {
    out.push(node.sub);
    node = node.act;
  }
  return out;
}
