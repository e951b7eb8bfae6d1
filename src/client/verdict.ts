// The answer of every offline verifier: valid with what was verified, or the check that failed
// and why in words. Never a bare boolean, never an exception for bad input.

export type Verdict<Checked, Check extends string> = ({ valid: true } & Checked) | { valid: false; check: Check; reason: string };

export function fail<Check extends string>(check: Check, reason: string): { valid: false; check: Check; reason: string } {
  return { valid: false, check, reason };
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
