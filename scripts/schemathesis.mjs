// Runs schemathesis (from PyPI, in target/venv) against the demo tailnet for the keys,
// OAuth-apps, devices, users and policy-file operations the client sends: every generated request must get a
// documented status and a body that conforms, and never a 500. `make test` runs a short pass;
// `make conformance` a long one.
//
// The spec is used with these documented adjustments (README, "API notes"): `all` is optional,
// every operation may answer 401 (bad or missing credentials) and 400 (bad input), as the API
// does though the spec omits them, and `tailnet` and `deviceId` are pinned to names the demo
// tailnet answers to (its own devices, and one that does not exist), so that generated requests
// reach the handlers instead of stopping at "not found". The policy-file adjustments are below.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDemoTailnet } from "../www/demo-tailnet.mjs";
// The vendored spec (spec/README.md) or $TAILSCALE_OPENAPI; a missing one is an error, never a skip.
import { specPath } from "../tests/js/spec.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = process.env.MAX_EXAMPLES ?? "25";
const spec = JSON.parse(readFileSync(specPath, "utf8"));
spec.components.parameters.all.required = false;
spec.components.parameters.tailnet.schema = { type: "string", enum: ["-", "example.com"] };
spec.components.responses["401"] ??= { description: "Unauthorized.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
for (const item of Object.values(spec.paths)) {
  for (const op of Object.values(item)) {
    if (!op?.responses) continue;
    op.responses["400"] ??= { $ref: "#/components/responses/400" };
    op.responses["401"] ??= { $ref: "#/components/responses/401" };
  }
}
// The policy file: schemathesis cannot write `application/hujson` bodies, so the policy
// operations are exercised with JSON (a HuJSON text is any JSON); `details` takes any value
// ("any other value ... is treated as details=false", as the spec says); and a JSON object is a
// candidate file for the check, as its description says though its schema lists only an array
// of tests or a string (README, "API notes").
const acl = spec.paths["/tailnet/{tailnet}/acl"];
for (const op of [acl.post, spec.paths["/tailnet/{tailnet}/acl/preview"].post, spec.paths["/tailnet/{tailnet}/acl/validate"].post]) delete op.requestBody.content["application/hujson"];
for (const p of acl.get.parameters) if (p.name === "details") p.schema = {};
const check = spec.paths["/tailnet/{tailnet}/acl/validate"].post.requestBody.content["application/json"].schema;
check.oneOf.push({ type: "object", description: "A candidate policy file." });
const tailnet = createDemoTailnet();
const base = await tailnet.listen();
spec.components.parameters.deviceId.schema = { type: "string", enum: [...tailnet.state.devices.keys(), "nMISSINGCNTRL"] };
mkdirSync(`${root}target`, { recursive: true });
const patched = `${root}target/openapi-conformance.json`;
writeFileSync(patched, JSON.stringify(spec));

const args = [
  "run", patched,
  "--url", `${base}/api/v2`,
  "--include-operation-id-regex", "^(listTailnetKeys|createKey|getKey|setKey|deleteKey|listOAuthApps|createOAuthApp|getOAuthApp|updateOAuthApp|deleteOAuthApp|listTailnetDevices|getDevice|getDevicePostureAttributes|setCustomDevicePostureAttributes|deleteCustomDevicePostureAttributes|batchUpdateCustomDevicePostureAttributes|getPolicyFile|setPolicyFile|validateAndTestPolicyFile|previewRuleMatches|listUsers|getUser)$",
  "-H", `Authorization: Bearer ${tailnet.credentials.apiKey}`,
  "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection",
  "--max-examples", examples,
  "--seed", process.env.SEED ?? "20261128",
  "--generation-database", "none",
  "--phases", "examples,coverage,fuzzing",
  "--workers", "1",
];
const child = spawn(`${root}target/venv/bin/schemathesis`, args, { stdio: "inherit", env: { ...process.env, SCHEMATHESIS_TELEMETRY: "false" } });
const code = await new Promise((resolve) => child.on("exit", resolve));
const served = tailnet.requests.length;

const crashes = tailnet.requests.filter((r) => r.status >= 500).length;
await tailnet.close();
console.log(`schemathesis: ${served} requests to the demo tailnet, ${crashes} answered 5xx, exit ${code}`);
process.exit(code === 0 && crashes === 0 ? 0 : 1);
