// HuJSON as the demo tailnet reads it, written from tailscale/hujson's grammar in plain JS:
// JSON (RFC 8259) plus `//` and `/* */` comments and a comma after the last element of an
// object or array; nothing else (no single quotes, unquoted names, hex, NaN or BOM). A `//`
// comment ends at "\n" only and must end: `null//` is an error, as in hujson. The same reader
// with `hujson: false` is a strict JSON reader, so both kinds of body get errors that name a
// line and a column. tests/js/hujson-conformance.test.mjs holds it to tailscale/hujson's own
// test tables and to tests/data/hujson-grammar.json, the table the Rust parser passes too.
//
// Choices where hujson is silent:
// - More than MAX_DEPTH arrays and objects open at once is an error, so that a 1 MiB body of
//   `[` cannot exhaust the stack (hujson sets no limit; Go's encoding/json, which reads its
//   output, stops at 10,000; the Rust parser stops at 1000 too).
// - With `uniqueNames`, a member name that appears twice in one object is an error (hujson
//   and Go's encoding/json keep both and read the last; the policy routes refuse them, as a
//   policy with two "acls" is a mistake).
// - `standardize` is hujson's Standardize: every comment byte but tab, CR and LF, and each
//   trailing comma, becomes a space (a character as many spaces as its UTF-8 bytes), so byte
//   offsets and line numbers both hold.

export const MAX_DEPTH = 1000;

export class HujsonError extends Error {
  constructor(message, line, column) {
    super(`line ${line}, column ${column}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

/** 1-based line and column (in UTF-16 units) of `offset` in `text`. */
export function position(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const describe = (c) => (c === undefined ? "end of input" : JSON.stringify(c));

/**
 * Parses `text`. Returns `{ value, root, extras }`: the plain value (of a name given twice, the
 * last), a tree of nodes (`{ type, start, end, value, members?: { name, nameStart, node }[],
 * elements?: node[] }`, offsets into `text`) and the `[start, end)` ranges of comments and
 * trailing commas. Throws HujsonError; with `uniqueNames`, also for a name given twice.
 */
export function parseHujson(text, { hujson = true, uniqueNames = false } = {}) {
  let i = 0;
  const extras = [];
  const fail = (message, at = i) => {
    const { line, column } = position(text, at);
    throw new HujsonError(message, line, column);
  };

  function skip() {
    for (;;) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
      else if (c === "/" && hujson && text[i + 1] === "/") {
        const start = i;
        const nl = text.indexOf("\n", i);
        if (nl < 0) fail("unterminated // comment: the text ends before its line break", start);
        i = nl;
        extras.push([start, i]);
      } else if (c === "/" && hujson && text[i + 1] === "*") {
        const start = i;
        const close = text.indexOf("*/", i + 2);
        if (close < 0) fail("unterminated /* comment", start);
        i = close + 2;
        extras.push([start, i]);
      } else if (c === "/") fail(hujson ? 'unexpected "/": comments start with // or /*' : 'unexpected "/": comments are not JSON');
      else return;
    }
  }

  function string() {
    const start = i;
    i++;
    let out = "";
    let from = i;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("unterminated string", start);
      if (c === '"') {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c < " ") fail("control character in a string: escape it");
      if (c === "\\") {
        out += text.slice(from, i);
        const e = text[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(`invalid escape ${describe("\\" + (e ?? ""))}`);
        from = i;
      } else i++;
    }
  }

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

  /** A value inside `depth` open arrays and objects. */
  function value(depth) {
    skip();
    const start = i;
    const c = text[i];
    if ((c === "{" || c === "[") && depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (c === "{") return object(start, depth);
    if (c === "[") return array(start, depth);
    if (c === '"') {
      const v = string();
      return { type: "string", start, end: i, value: v };
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail("invalid number");
      i += m[0].length;
      return { type: "number", start, end: i, value: Number(m[0]) };
    }
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { type: v === null ? "null" : "boolean", start, end: i, value: v };
      }
    }
    fail(c === "'" ? "strings are in double quotes" : `unexpected ${describe(c)}`);
  }

  /** After an element: a comma (perhaps trailing, before `close`) or `close`. True when done. */
  function next(close) {
    skip();
    if (text[i] === ",") {
      const comma = i;
      i++;
      skip();
      if (text[i] !== close) return false;
      if (!hujson) fail("trailing comma", comma);
      extras.push([comma, comma + 1]);
    } else if (text[i] !== close) fail(`expected "," or "${close}", found ${describe(text[i])}`);
    i++;
    return true;
  }

  function object(start, depth) {
    i++;
    const members = [];
    const obj = {};
    skip();
    if (text[i] === "}") {
      i++;
      return { type: "object", start, end: i, value: obj, members };
    }
    for (;;) {
      skip();
      if (text[i] !== '"') fail(`expected a member name in double quotes, found ${describe(text[i])}`);
      const nameStart = i;
      const name = string();
      if (uniqueNames && Object.hasOwn(obj, name)) fail(`duplicate member name ${JSON.stringify(name)}`, nameStart);
      skip();
      if (text[i] !== ":") fail(`expected ":" after the member name, found ${describe(text[i])}`);
      i++;
      const node = value(depth + 1);
      members.push({ name, nameStart, node });
      // defineProperty, so that a member named "__proto__" is a member like any other.
      Object.defineProperty(obj, name, { value: node.value, enumerable: true, writable: true, configurable: true });
      if (next("}")) return { type: "object", start, end: i, value: obj, members };
    }
  }

  function array(start, depth) {
    i++;
    const elements = [];
    skip();
    if (text[i] === "]") {
      i++;
      return { type: "array", start, end: i, value: [], elements };
    }
    for (;;) {
      elements.push(value(depth + 1));
      if (next("]")) return { type: "array", start, end: i, value: elements.map((e) => e.value), elements };
    }
  }

  const root = value(0);
  skip();
  if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the value`);
  // A trailing comma is known only after the comments that follow it: put them back in order.
  extras.sort((a, b) => a[0] - b[0]);
  return { value: root.value, root, extras };
}

/** The text with comments and trailing commas replaced by spaces but for tabs, CRs and LFs in
 *  comments, as hujson's Standardize (offsets and lines hold). Throws HujsonError when `text`
 *  is not HuJSON. */
export function standardize(text) {
  const { extras } = parseHujson(text);
  let out = "";
  let at = 0;
  for (const [start, end] of extras) {
    out += text.slice(at, start);
    for (const ch of text.slice(start, end)) out += ch === "\t" || ch === "\n" || ch === "\r" ? ch : " ".repeat(Buffer.byteLength(ch));
    at = end;
  }
  return out + text.slice(at);
}
