// Runs every ```js and ```cjs block of the README, as written, against the demo tailnet, and
// type-checks them under `strict` against the installed tarball's declarations, with the
// ```javascript block (the provisioning routes, which need a person at the consent screen).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, federatedCredentials } from "./helpers.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```(js|cjs)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1], code: m[2] }));
const sketches = [...readme.matchAll(/```javascript\n([\s\S]*?)```/g)].map((m) => m[1]);

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
const federated = await federatedCredentials(admin);
const work = `${here}.work`;
mkdirSync(work, { recursive: true });
writeFileSync(`${work}/id-token`, federated.idToken);

test("the README has runnable examples", () => assert.ok(blocks.length >= 4, `${blocks.length} blocks`));

blocks.forEach((block, i) => {
  test(`README example ${i + 1} (${block.kind}) runs`, async () => {
    // Inside tests/js so that "tailscale-wasm" resolves to the installed tarball.
    const file = `${work}/example-${i + 1}.${block.kind === "cjs" ? "cjs" : "mjs"}`;
    writeFileSync(file, block.code);
    const before = tailnet.requests.length;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", `${here}rewrite-origin.mjs`, file], {
      env: {
        ...process.env,
        DEMO_TAILNET_URL: baseUrl,
        TAILSCALE_API_KEY: tailnet.credentials.apiKey,
        TS_OAUTH_CLIENT_ID: tailnet.credentials.oauth.clientId,
        TS_OAUTH_CLIENT_SECRET: tailnet.credentials.oauth.clientSecret,
        TS_FEDERATED_CLIENT_ID: federated.clientId,
        ID_TOKEN_FILE: `${work}/id-token`,
      },
    });
    assert.ok(stdout.length > 0, "the example printed something");
    assert.ok(tailnet.requests.length > before, "the example talked to the API");
  });
});

// The web framework a sketch assumes, declared: the rest must compile as written.
const FRAMEWORK = "\ndeclare const session: { state?: string }; declare const req: { url: string }; declare const res: { redirect(url: string): void };\n";

test("the README's examples compile under strict TypeScript (ESM as .mts, CommonJS as checked .cjs)", () => {
  assert.ok(sketches.length >= 1, "the provisioning sketch is there");
  const dir = `${work}/types`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // ESM blocks as TypeScript modules, as a TS user would paste them; the CommonJS block as a
  // checked JS file, since only there does TypeScript read `require` as an import.
  const files = [
    ...blocks.map((b, i) => [`${dir}/example-${i + 1}.${b.kind === "cjs" ? "cjs" : "mts"}`, b.code]),
    ...sketches.map((code, i) => [`${dir}/sketch-${i + 1}.mts`, code + FRAMEWORK]),
  ];
  for (const [file, code] of files) writeFileSync(file, code);
  const program = ts.createProgram(
    files.map(([file]) => file),
    {
      strict: true,
      noEmit: true,
      allowJs: true,
      checkJs: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      types: ["node"],
      typeRoots: [fileURLToPath(new URL("../../node_modules/@types", import.meta.url))],
      skipLibCheck: true,
    },
  );
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  assert.deepEqual(problems, []);
});
