// `make spec-update SPEC=/path/to/downloaded.json`: replaces the vendored OpenAPI spec with a
// file the user downloaded, once it parses as OpenAPI 3, and records the day in spec/README.md.
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";

const [from] = process.argv.slice(2);
const target = new URL("../spec/tailscale-openapi.json", import.meta.url);
const readme = new URL("../spec/README.md", import.meta.url);
const fail = (why) => {
  console.error(`spec-update: ${why}`);
  process.exit(1);
};
if (!from) fail("name the downloaded file: make spec-update SPEC=/path/to/tailscale-openapi.json (spec/README.md says where to get it)");

let text, spec;
try {
  text = readFileSync(from, "utf8");
} catch (e) {
  fail(`cannot read ${from}: ${e.message}`);
}
try {
  spec = JSON.parse(text);
} catch (e) {
  fail(`${from} is not JSON (${e.message}); download the JSON form of the spec`);
}
if (typeof spec?.openapi !== "string" || !spec.openapi.startsWith("3.")) fail(`${from} is not an OpenAPI 3 document (its "openapi" is ${JSON.stringify(spec?.openapi)})`);
if (typeof spec.info?.version !== "string") fail(`${from} has no info.version`);
if (!spec.paths || typeof spec.paths !== "object" || !spec.components?.schemas) fail(`${from} has no paths or no components.schemas`);

const before = JSON.parse(readFileSync(target, "utf8"));
writeFileSync(target, text);
const day = new Date().toISOString().slice(0, 10);
const sha = createHash("sha256").update(text).digest("hex");
const notes = readFileSync(readme, "utf8").replace(/^Copied: .*$/m, `Copied: ${day}; sha256 ${sha}.`);
writeFileSync(readme, notes);
const count = (s) => Object.values(s.paths).reduce((n, item) => n + Object.keys(item).filter((m) => ["get", "post", "put", "patch", "delete"].includes(m)).length, 0);
console.log(`spec/tailscale-openapi.json: OpenAPI ${spec.openapi}, info.version ${spec.info.version} (was ${before.info?.version}), ${count(spec)} operations (was ${count(before)})`);
console.log("Now run `make test`: the drift and conformance checks name every field the new spec adds or drops.");
