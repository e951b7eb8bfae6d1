// Caller input inside an error or log line: quoted, and only a short prefix of it, so a 100 KB
// value can neither bloat a reply's trailer nor a log line.

/** `"value"`, or `"prefix"… (N characters)` beyond `max`; control characters and lone surrogates escaped. */
export function quoted(value: unknown, max = 64): string {
  const text = typeof value === 'string' ? value : String(value);
  if (text.length <= max) return JSON.stringify(text);
  const code = text.charCodeAt(max - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? max - 1 : max; // never split a surrogate pair
  return `${JSON.stringify(text.slice(0, cut))}… (${text.length} characters)`;
}

/** Caps a message built elsewhere (an error's text) at `max` characters. */
export function capped(message: string, max = 512): string {
  if (message.length <= max) return message;
  const code = message.charCodeAt(max - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${message.slice(0, cut)}… (${message.length} characters)`;
}
