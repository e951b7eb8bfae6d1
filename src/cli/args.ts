// Strict command-line parsing for every `signet` command (node:util parseArgs): an unknown flag or
// a stray argument is one line naming it and exit 2, never silently ignored; `--help` prints usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage mistake: one line on stderr and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = { [K in keyof O]?: O[K] extends { multiple: true } ? (O[K]['type'] extends 'boolean' ? boolean[] : string[]) : O[K]['type'] extends 'boolean' ? boolean : string };

export interface CommandSpec<O extends Options> {
  /** "signet serve", "signet keys generate": how errors name the command. */
  command: string;
  usage: string;
  options: O;
  /** Names of the positional arguments, in order; a trailing "…" repeats the last. */
  positionals?: readonly string[];
  /** How many positionals are required (default: all named ones, or none when the last repeats). */
  required?: number;
}

export type Parsed<O extends Options> = { help: true } | { help: false; values: Values<O>; positionals: string[] };

/** Parses argv strictly; throws UsageError with one line for anything it does not understand. */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]): Parsed<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as Options;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${spec.command}: ${describe(err as NodeJS.ErrnoException, argv, spec)} (see ${spec.command} --help)`);
  }
  if (parsed.values.help) return { help: true };
  const names = spec.positionals ?? [];
  const repeats = names.at(-1)?.endsWith('…') ?? false;
  const required = spec.required ?? (repeats ? names.length - 1 : names.length);
  const given = parsed.positionals;
  if (!repeats && given.length > names.length) {
    throw new UsageError(`${spec.command}: unexpected argument "${given[names.length]}" (see ${spec.command} --help)`);
  }
  if (given.length < required) {
    throw new UsageError(`${spec.command}: ${names[given.length]!.replace('…', '')} is required (see ${spec.command} --help)`);
  }
  const values = { ...parsed.values };
  delete values.help;
  return { help: false, values: values as Values<O>, positionals: given };
}

function describe(err: NodeJS.ErrnoException, argv: string[], spec: CommandSpec<Options>): string {
  const message = err.message.split('\n')[0] ?? 'bad arguments';
  const flag = /'(-[^']*)'/.exec(message)?.[1]?.split(/[= ]/)[0];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = flag?.startsWith('--') ? closest(flag.slice(2), Object.keys(spec.options)) : undefined;
      return `unknown option ${flag ?? argv.join(' ')}${guess ? `; did you mean --${guess}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (flag && /argument missing/.test(message)) return `${flag} needs a value`;
      return flag && /does not take an argument/.test(message) ? `${flag} takes no value` : message.replace(/\.$/, '');
    default:
      return message.replace(/\.$/, '');
  }
}

/** The known option nearest the misspelling (edit distance ≤ 2), for "did you mean". */
function closest(word: string, known: string[]): string | undefined {
  let best: [string, number] | undefined;
  for (const k of known) {
    const d = distance(word, k);
    if (d <= 2 && (!best || d < best[1])) best = [k, d];
  }
  return best?.[0];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** Parses a count argument: a non-negative decimal integer, nothing else. */
export function countArg(value: string | undefined, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) throw new UsageError(`${command}: ${flag} must be a non-negative integer, not "${value}"`);
  return Number(value);
}
