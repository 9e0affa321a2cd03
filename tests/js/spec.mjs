// Tailscale's OpenAPI spec for the conformance and drift tests: the copy in spec/ (or the file at
// $TAILSCALE_OPENAPI), with every object schema closed, since the API rejects unknown fields. A
// missing spec fails the tests that import this: there is nothing to skip on a clean clone.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const specPath = process.env.TAILSCALE_OPENAPI || fileURLToPath(new URL("../../spec/tailscale-openapi.json", import.meta.url));
export const spec = JSON.parse(readFileSync(specPath, "utf8"));

/** A copy of the spec where every object schema with `properties` refuses other properties. */
export function closed(node) {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== "object") return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closed(v)]));
  if (out.properties && out.additionalProperties === undefined && out.patternProperties === undefined) out.additionalProperties = false;
  return out;
}

const ID = "https://spec.invalid/openapi.json";
let ajv;
export function validator(pointer) {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat("password", true);
    ajv.addSchema({ ...closed(spec), $id: ID });
  }
  return ajv.getSchema(`${ID}#${pointer}`) ?? (() => { throw new Error(`no schema at ${pointer}`); })();
}

export const escape = (s) => s.replaceAll("~", "~0").replaceAll("/", "~1");

/** Follows a `$ref` between response objects (the spec shares them under components). */
export function resolve(node) {
  while (node?.$ref) node = node.$ref.slice(2).split("/").reduce((n, k) => n?.[k.replaceAll("~1", "/").replaceAll("~0", "~")], spec);
  return node;
}

/** The documented operation for a request, or null: matches method and path template. */
export function operationFor(method, path) {
  const rel = path.replace(/^\/api\/v2/, "");
  for (const [template, item] of Object.entries(spec.paths)) {
    const re = new RegExp("^" + template.replace(/\{[^}]+\}/g, "[^/]+") + "$");
    if (re.test(rel) && item[method.toLowerCase()]) return { template, method: method.toLowerCase(), op: item[method.toLowerCase()] };
  }
  return null;
}

/** Where the schema of an answer lives: its declared response's (through a shared `$ref` or
 *  inline), or the `Error` schema for a status the operation does not declare. */
export function responsePointer({ template, method, op }, status, media = "application~1json") {
  const declared = op.responses[String(status)];
  if (!resolve(declared)) return "/components/schemas/Error";
  if (declared.$ref) return `${declared.$ref.slice(1)}/content/${media}/schema`;
  return `/paths/${escape(template)}/${method}/responses/${status}/content/${media}/schema`;
}
