// Bounds on YAML (and JSON) files before they are parsed: size first, then nesting, found by the
// yaml package's linear lexer, because its parser and toJS recurse once per level of nesting.
import { CST, Lexer } from 'yaml';
import { SignetError } from './errors.js';

export interface YamlBounds {
  /** UTF-8 bytes of the text. */
  maxBytes: number;
  /** Levels of flow nesting ([ and {). */
  maxFlowDepth: number;
  /** Columns of indentation and block indicators (`- - - x`) before a line's first content. */
  maxBlockIndent: number;
}

/** What a configuration or policy file may be: far beyond any real file, far below a stack overflow. */
export const FILE_YAML_BOUNDS: YamlBounds = { maxBytes: 1024 * 1024, maxFlowDepth: 64, maxBlockIndent: 256 };

/**
 * Throws CONFIG (naming `source` and the line) when the text is larger than maxBytes or nests
 * deeper than the bounds. Runs in time linear in the text, which is itself bounded first.
 */
export function checkYamlBounds(text: string, source: string, bounds: YamlBounds = FILE_YAML_BOUNDS): void {
  if (text.length > bounds.maxBytes || Buffer.byteLength(text, 'utf8') > bounds.maxBytes) {
    throw new SignetError('CONFIG', `${source}: larger than ${bounds.maxBytes} bytes`);
  }
  let line = 1;
  let flow = 0;
  /** Columns of indentation and block indicators so far on this line; -1 once content started. */
  let prefix = 0;
  for (const token of new Lexer().lex(text)) {
    // CST.tokenType looks at the first character only (a block scalar's body starts with spaces).
    const type = CST.tokenType(token);
    if (type === 'newline') {
      line++;
      prefix = 0;
    } else if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++flow > bounds.maxFlowDepth) throw new SignetError('CONFIG', `${source}:${line}: nests deeper than ${bounds.maxFlowDepth} levels of [ and {`);
      prefix = -1;
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') {
      flow = Math.max(0, flow - 1);
      prefix = -1;
    } else if (token === '-' || token === '?' || token === ':' || /^[ \t]+$/.test(token)) {
      if (prefix < 0) continue;
      prefix += token.length;
      if (prefix > bounds.maxBlockIndent) throw new SignetError('CONFIG', `${source}:${line}: indented or nested deeper than ${bounds.maxBlockIndent} columns`);
    } else if (type !== 'byte-order-mark' && type !== 'doc-mode' && type !== 'flow-error-end' && type !== 'scalar') {
      // Content. Scalars may span lines (quoted, block); a block scalar's body ends with its newline.
      let newlines = 0;
      for (let i = token.indexOf('\n'); i >= 0; i = token.indexOf('\n', i + 1)) newlines++;
      line += newlines;
      prefix = newlines > 0 && token.endsWith('\n') ? 0 : -1;
    }
  }
}
