// The policy file's costs, for `make bench`: PolicyDocument against Microsoft's jsonc-parser
// (the JS library for the same job) on a 1 MB commented policy, parse alone against JSON.parse
// of the standardized text, and evaluatePostures over 10,000 devices × 10 postures against a
// demo tailnet in a child process (so that its work is not timed here).
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A policy of about `bytes` bytes with comments in the places people put them. */
export function bigPolicy(bytes) {
  const rules = [];
  for (let i = 0; rules.join("").length < bytes; i++) {
    rules.push(`    // Team ${i}: reaches its own services, from provisioned devices only.
    {
        "src": ["group:team${i}", "tag:ci${i % 7}"], // people and their CI
        "dst": ["tag:svc${i}"],
        "ip": ["tcp:443", "tcp:${8000 + (i % 100)}"],
        "srcPosture": ["posture:p${i % 10}"], /* any listed posture admits */
    },
`);
  }
  const postures = Array.from({ length: 10 }, (_, i) => `        "posture:p${i}": ["node:os IN ['linux', 'macos']", "custom:tier >= ${i}"], // tier ${i}\n`).join("");
  return `// A large tailnet's policy, for the benchmark.\n{\n    "postures": {\n${postures}    },\n    "grants": [\n${rules.join("")}    ],\n}\n`;
}

/** Interleaves two workloads so drift on the machine hits both alike; medians in ms. */
function pair(rounds, a, b) {
  const ta = [];
  const tb = [];
  for (let i = 0; i < rounds + 3; i++) {
    let t = performance.now();
    a();
    const da = performance.now() - t;
    t = performance.now();
    b();
    const db = performance.now() - t;
    if (i >= 3) {
      ta.push(da);
      tb.push(db);
    }
  }
  return [median(ta), median(tb)];
}

export async function policyFigures(root) {
  const require = createRequire(join(root, "tests/js/"));
  const { TailscaleClient } = require("tailscale-wasm");
  const { PolicyDocument } = require("tailscale-wasm/policy");
  const jsonc = createRequire(join(root, "package.json"))("jsonc-parser");
  const text = bigPolicy(1024 * 1024);
  const member = { src: ["autogroup:member"], dst: ["tag:bench"], ip: ["*"], srcPosture: ["posture:p0"] };
  const format = { tabSize: 4, insertSpaces: true, eol: "\n" };
  const ours = () => {
    const doc = PolicyDocument.parse(text);
    doc.append("/grants", member);
    return doc.toString();
  };
  const theirs = () => {
    jsonc.parseTree(text, [], { allowTrailingComma: true });
    const edits = jsonc.modify(text, ["grants", -1], member, { formattingOptions: format, isArrayInsertion: true });
    return jsonc.applyEdits(text, edits);
  };
  const [edit, library] = pair(20, ours, theirs);
  const standardized = PolicyDocument.parse(text).standardize();
  const [parse, jsonParse] = pair(20, () => PolicyDocument.parse(text), () => JSON.parse(standardized));

  // evaluatePostures over a 10,000-device demo tailnet, 10 postures of 2 conditions each.
  const child = fork(fileURLToPath(import.meta.url), ["serve", "10000"]);
  try {
    const demo = await new Promise((resolve) => child.once("message", resolve));
    const client = new TailscaleClient({ apiKey: demo.apiKey, baseUrl: demo.url, maxConcurrency: 16 });
    const postures = Array.from({ length: 10 }, (_, i) => `        "posture:p${i}": ["node:os IN ['linux', 'macos']", "custom:tier >= ${i}"],`).join("\n");
    const small = `{\n    "postures": {\n${postures}\n    },\n}\n`;
    const times = [];
    let pairs = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const report = await client.policy.evaluatePostures({ text: small });
      times.push(performance.now() - t);
      pairs = report.postures.length * report.postures[0].devices.length;
    }
    const whole = median(times);
    return { bytes: text.length, edit, library, parse, jsonParse, evaluate: { whole, pairs } };
  } finally {
    child.kill();
  }
}

export function policySection(f) {
  const ms = (n) => `${n.toFixed(1)} ms`;
  const ok = (good) => (good ? "met" : "**missed**");
  return [
    "## The policy file",
    "",
    `A ${(f.bytes / 2 ** 20).toFixed(2)} MB HuJSON policy with comments in the places people put them (\`scripts/bench/policy.mjs\`), medians of 20 interleaved rounds:`,
    "",
    "| measure | this package | the other side | ratio | target |",
    "|---|---:|---:|---:|---|",
    `| parse, append one grant, print: \`PolicyDocument\` against jsonc-parser (\`parseTree\` + \`modify\` + \`applyEdits\`) | ${ms(f.edit)} | ${ms(f.library)} | ${(f.edit / f.library).toFixed(2)}× | ≤ 1.0×: ${ok(f.edit <= f.library)} |`,
    `| parse alone, against \`JSON.parse\` of the standardized text | ${ms(f.parse)} | ${ms(f.jsonParse)} | ${(f.parse / f.jsonParse).toFixed(2)}× | reported |`,
    `| \`evaluatePostures\`, ${f.evaluate.pairs.toLocaleString("en")} device-posture pairs (10,000 devices × 10 postures), against a demo tailnet: one list and 10,000 attribute reads, 16 at a time | ${ms(f.evaluate.whole)} | | ${((f.evaluate.whole * 1000) / f.evaluate.pairs).toFixed(2)} µs per pair, requests included | reported |`,
    "",
  ];
}

// Serves only when this file is the one run: scripts/bench.mjs imports it, and its own "serve"
// children (a tailnet of keys) must not start this one's tailnet of devices and report it first.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "serve") {
  // A demo tailnet with `process.argv[3]` devices, each with a custom:tier.
  const { createDemoTailnet } = await import("../../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet();
  const url = await tailnet.listen();
  const admin = tailnet.credentials.apiKey;
  const headers = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
  const key = await (await fetch(`${url}/api/v2/tailnet/-/keys`, { method: "POST", headers, body: JSON.stringify({ capabilities: { devices: { create: { reusable: true, preauthorized: true, tags: ["tag:bench"] } } }, expirySeconds: 86400 }) })).json();
  const nodes = {};
  for (let i = 0; tailnet.state.devices.size < Number(process.argv[3]); i++) {
    const device = tailnet.registerDevice({ authKey: key.key, hostname: `bench-${i}`, os: i % 3 ? "linux" : "windows" });
    nodes[device.nodeId] = { "custom:tier": { value: i % 12 } };
  }
  await fetch(`${url}/api/v2/tailnet/-/device-attributes`, { method: "PATCH", headers, body: JSON.stringify({ nodes }) });
  setInterval(() => tailnet.resetStats(), 500).unref();
  process.send({ url, apiKey: admin });
}
