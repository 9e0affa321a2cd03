// Runs every ```js and ```cjs block of the README, as written, against the demo tailnet.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, federatedCredentials } from "./helpers.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```(js|cjs)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1], code: m[2] }));

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
        TS_CLIENT_ID: tailnet.credentials.oauth.clientId,
        TS_CLIENT_SECRET: tailnet.credentials.oauth.clientSecret,
        TS_FEDERATED_ID: federated.clientId,
        ID_TOKEN_FILE: `${work}/id-token`,
      },
    });
    assert.ok(stdout.length > 0, "the example printed something");
    assert.ok(tailnet.requests.length > before, "the example talked to the API");
  });
});
