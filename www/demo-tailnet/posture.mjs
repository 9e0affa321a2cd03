// Device posture conditions as the demo tailnet reads them, written from Tailscale's "Device
// posture management" page and the policy syntax reference, in plain JS (the grammar of the
// README's "Gate access on attributes"). Where the docs are silent the demo chooses, as the Rust
// side does: tests/data/posture-grammar.json holds both to one table. Operators in any case,
// `true` and `false` in lower case, numbers in JSON's syntax; spaces optional around `==`-style
// operators; namespaces limited to the documented ones (`node:` and `ip:` to their documented
// names, each compared only with values of its type); ordering operators take a number, or a
// quoted version for `node:osVersion` and `node:tsVersion` only; `==`, `!=`, `IN` and `NOT IN`
// compare within a type (a string never equals a number or a boolean).

import { isCustomKey } from "./shared.mjs";

const NAMESPACES = new Set(["node", "ip", "custom", "falcon", "sentinelOne", "intune", "jamfPro", "kandji", "kolide", "fleet", "fleetPolicy", "huntress"]);
const NODE_ATTRIBUTES = new Set(["node:os", "node:osVersion", "node:tsVersion", "node:tsReleaseTrack", "node:tsAutoUpdate", "node:tsStateEncrypted"]);
const VERSION_ATTRIBUTES = new Set(["node:osVersion", "node:tsVersion"]);
// The documented attributes' types (the posture docs, the OpenAPI example of
// getDevicePostureAttributes): a value of another type is refused.
const ATTRIBUTE_TYPES = { "node:os": "string", "node:osVersion": "string", "node:tsVersion": "string", "node:tsReleaseTrack": "string", "node:tsAutoUpdate": "boolean", "node:tsStateEncrypted": "boolean", "ip:country": "string" };
const ORDERING = new Set(["<", "<=", ">", ">="]);

export class ConditionError extends Error {}

/** `<ns>:<name> <op> [value]` -> `{ attribute, operator, value }` (operators upper case; a list
 *  for IN and NOT IN; no value for IS SET and NOT SET). Throws ConditionError naming a column. */
export function parseCondition(text) {
  let i = 0;
  const fail = (message, at = i) => {
    throw new ConditionError(`column ${at + 1}: ${message}`);
  };
  const space = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  const token = (re) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i += m[0].length;
    return m?.[0];
  };
  const word = () => token(/[A-Za-z]+/y);

  function scalar() {
    const at = i;
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) fail("unterminated string: strings end with '", at);
      i = end + 1;
      return text.slice(at + 1, end);
    }
    if (text[i] === '"') fail("strings are in single quotes");
    if (text[i] === "-" || (text[i] >= "0" && text[i] <= "9")) {
      // JSON's numbers; the whole run must be one, so `1.60.2` is refused, not read as 1.6.
      const run = token(/[A-Za-z0-9_.+-]+/y);
      if (!/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(run)) fail(`"${run}" is not a number: a version or other text is quoted, such as '${run}'`, at);
      if (!Number.isFinite(Number(run))) fail("number out of range", at);
      return Number(run);
    }
    const w = word();
    if (w === "true") return true;
    if (w === "false") return false;
    if (w?.toLowerCase() === "true" || w?.toLowerCase() === "false") fail("true and false are written in lower case", at);
    fail(w ? `unexpected ${JSON.stringify(w)}: strings are in single quotes` : "expected a value: 'text', a number, true or false", at);
  }

  space();
  const attributeAt = i;
  const attribute = token(/[A-Za-z][A-Za-z0-9]*:[A-Za-z0-9_:.-]+/y);
  if (!attribute) fail("expected an attribute such as node:os or custom:tier");
  const namespace = attribute.slice(0, attribute.indexOf(":"));
  if (!NAMESPACES.has(namespace)) fail(`unknown attribute namespace "${namespace}:"`, attributeAt);
  if (namespace === "node" && !NODE_ATTRIBUTES.has(attribute)) fail(`unknown node attribute "${attribute}"`, attributeAt);
  if (namespace === "ip" && attribute !== "ip:country") fail(`unknown ip attribute "${attribute}": only ip:country`, attributeAt);
  if (namespace === "custom" && !isCustomKey(attribute)) fail(`"${attribute}" is not a custom attribute key: letters, digits, _ and :, at most 128 characters`, attributeAt);

  space();
  const operatorAt = i;
  let operator = token(/==|!=|<=|>=|<|>/y);
  if (!operator) {
    const first = word() ?? "";
    const upper = first.toUpperCase();
    if (upper === "IN") operator = "IN";
    else if (upper === "NOT" || upper === "IS") {
      space();
      const second = (word() ?? "").toUpperCase();
      if (upper === "NOT" && (second === "IN" || second === "SET")) operator = `NOT ${second}`;
      else if (upper === "IS" && second === "SET") operator = "IS SET";
      else fail(upper === "IS" ? 'expected "SET" after "IS"' : 'expected "IN" or "SET" after "NOT"', operatorAt);
    } else fail(first ? `unknown operator "${first}"` : "expected an operator: ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET", operatorAt);
  }

  let value;
  if (operator !== "IS SET" && operator !== "NOT SET") {
    space();
    const valueAt = i;
    if (text[i] === "[") {
      if (operator !== "IN" && operator !== "NOT IN") fail(`a list goes with IN and NOT IN, not ${operator}`);
      i++;
      value = [];
      space();
      if (text[i] === "]") fail("an empty list");
      for (;;) {
        space();
        value.push(scalar());
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "]") break;
        else fail('expected "," or "]"');
      }
      i++;
    } else {
      if (operator === "IN" || operator === "NOT IN") fail(`${operator} takes a bracketed list, such as ['macos', 'linux']`);
      value = scalar();
      if (ORDERING.has(operator)) {
        if (typeof value === "boolean") fail(`${operator} compares numbers and versions, not true or false`, valueAt);
        if (typeof value === "string" && !VERSION_ATTRIBUTES.has(attribute)) fail(`${operator} compares quoted values only as versions, of node:osVersion and node:tsVersion`, valueAt);
        if (typeof value === "number" && VERSION_ATTRIBUTES.has(attribute)) fail(`a version is quoted, such as '1.60'`, valueAt);
        if (typeof value === "string" && !/^[0-9]/.test(value)) fail(`${operator} compares versions, which start with a digit`, valueAt);
      }
    }
    const type = ATTRIBUTE_TYPES[attribute];
    if (type && [value].flat().some((v) => typeof v !== type)) fail(`${attribute} is a ${type}`, valueAt);
  }
  space();
  if (i < text.length) fail(`unexpected ${JSON.stringify(text.slice(i))}`);
  return { attribute, operator, value };
}

/** Tailscale's cmpver: runs of non-digits compared as text, runs of digits as integers (an
 *  empty run is 0), alternately, from the left. -1, 0 or 1. */
export function compareVersions(a, b) {
  const run = (s, digits) => {
    const m = (digits ? /^[0-9]*/ : /^[^0-9]*/).exec(s)[0];
    return [m, s.slice(m.length)];
  };
  let [x, y] = [a, b];
  while (x !== "" || y !== "") {
    let fx, fy;
    [fx, x] = run(x, false);
    [fy, y] = run(y, false);
    if (fx !== fy) return fx < fy ? -1 : 1;
    [fx, x] = run(x, true);
    [fy, y] = run(y, true);
    const [nx, ny] = [BigInt(fx || "0"), BigInt(fy || "0")];
    if (nx !== ny) return nx < ny ? -1 : 1;
  }
  return 0;
}

/** Whether a parsed condition holds for `attributes` (name -> string, number or boolean). An
 *  absent attribute matches NOT SET and nothing else. */
export function conditionMatches({ attribute, operator, value }, attributes) {
  const has = Object.hasOwn(attributes, attribute);
  if (operator === "NOT SET") return !has;
  if (!has) return false;
  const actual = attributes[attribute];
  const same = (v) => typeof v === typeof actual && v === actual;
  if (operator === "IS SET") return true;
  if (operator === "==") return same(value);
  if (operator === "!=") return !same(value);
  if (operator === "IN") return value.some(same);
  if (operator === "NOT IN") return !value.some(same);
  let order = null;
  if (typeof actual === "number" && typeof value === "number") order = Math.sign(actual - value);
  if (typeof actual === "string" && typeof value === "string") order = compareVersions(actual, value);
  if (order === null) return false;
  return { "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0 }[operator];
}


const show = (v) => (typeof v === "string" ? `'${v}'` : Array.isArray(v) ? `[${v.map(show).join(", ")}]` : String(v));

/** Why `condition` (parsed) fails for `attributes`, in words; null when it holds. */
export function conditionReason(condition, attributes) {
  if (conditionMatches(condition, attributes)) return null;
  const { attribute, operator, value } = condition;
  if (operator === "NOT SET") return `${attribute} is set (${show(attributes[attribute])})`;
  if (!Object.hasOwn(attributes, attribute)) return `${attribute} is not set`;
  return `${attribute} is ${show(attributes[attribute])}, not ${operator} ${show(value)}`;
}
