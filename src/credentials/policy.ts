// The issuance policy and its decisions: ordered rules, first match decides, default deny.
// Answers Authorize for an (agent, intent) or an (agent, MCP tool on a server) question.
import type { Intent } from './intent.js';
import { anyGlob } from './glob.js';

/** One way of naming agents in a rule: by id, by group, or by labels (all must match). */
export type AgentSelector = { any: true } | { id: string } | { group: string } | { labels: Record<string, string> };

export interface PolicyRule {
  name: string;
  effect: 'allow' | 'deny';
  agents: AgentSelector[];
  actions: string[];
  resources: string[];
  /** Audiences the credential may name; absent = any. */
  audiences?: string[];
  /** `resource_case: insensitive`: resources compare without regard to letter case (hosts, GitHub). */
  resourceCaseInsensitive?: true;
  /**
   * Who the agent may act for: patterns over every `sub` of a delegation chain. An allow rule with
   * it matches only requests with a chain whose every actor matches; one without it, only requests
   * without a chain. A deny rule with it matches requests with a chain where some actor matches.
   */
  delegation?: string[];
  maxTtlSeconds: number;
  requirePop: boolean;
  singleUse: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  /** SHA-256 (hex) over the JCS of the normalised rules: which policy decided, for passports and logs. */
  digest: string;
  /** Where it came from, for messages. */
  source: string;
}

export interface PolicyAgent {
  id: string;
  groups: readonly string[];
  labels: Readonly<Record<string, string>>;
}

export interface Decision {
  allow: boolean;
  /** Name of the rule that decided; empty for the default deny. */
  rule: string;
  reason: string;
  /** The deciding rule, when one matched. */
  matched?: PolicyRule;
}

/** MCP tool calls are intents too: action `tools/call`, resource `mcp://SERVER/TOOL`. */
export function mcpToolIntent(server: string, tool: string): Intent {
  return { action: 'tools/call', resource: `mcp://${server}/${tool}` };
}

export function agentMatches(selector: AgentSelector, agent: PolicyAgent): boolean {
  if ('any' in selector) return true;
  if ('id' in selector) return selector.id === agent.id;
  if ('group' in selector) return agent.groups.includes(selector.group);
  return Object.entries(selector.labels).every(([k, v]) => agent.labels[k] === v);
}

/**
 * First rule matching agent, action, resource (and audience when one is given, and the delegation
 * chain's actors when there is one) decides. A chain that no allow rule names is denied by default.
 */
export function authorize(policy: Policy, agent: PolicyAgent, intent: Intent, audience?: string, actors: readonly string[] = []): Decision {
  for (const rule of policy.rules) {
    if (!rule.agents.some((s) => agentMatches(s, agent))) continue;
    if (!anyGlob(rule.actions, intent.action) || !anyGlob(rule.resources, intent.resource, { caseInsensitive: rule.resourceCaseInsensitive })) continue;
    if (audience !== undefined && rule.audiences && !anyGlob(rule.audiences, audience)) continue;
    if (!delegationMatches(rule, actors)) continue;
    const acting = actors.length ? ` acting for ${actors.join(' ← ')}` : '';
    if (rule.effect === 'deny') {
      return { allow: false, rule: rule.name, reason: `rule "${rule.name}" denies ${intent.action} on ${intent.resource}${acting}`, matched: rule };
    }
    return { allow: true, rule: rule.name, reason: `rule "${rule.name}" allows ${intent.action} on ${intent.resource}${acting}`, matched: rule };
  }
  const aud = audience === undefined ? '' : ` for audience ${audience}`;
  const chain = actors.length ? ` with the delegation chain ${actors.join(' ← ')}` : '';
  return { allow: false, rule: '', reason: `no rule allows ${agent.id} ${intent.action} on ${intent.resource}${aud}${chain} (default deny)` };
}

/**
 * Allow rules: without `delegation` they match requests without a chain; with it, requests whose
 * every actor matches. Deny rules: without it they match every request; with it, those with some
 * matching actor.
 */
function delegationMatches(rule: PolicyRule, actors: readonly string[]): boolean {
  const patterns = rule.delegation;
  if (rule.effect === 'deny') return !patterns || actors.some((a) => anyGlob(patterns, a));
  if (!patterns) return actors.length === 0;
  return actors.length > 0 && actors.every((a) => anyGlob(patterns, a));
}
