// The demo tailnet's posture grammar (www/demo-tailnet/posture.mjs) against the one table both
// sides share, tests/data/posture-grammar.json (crates/policy/tests/lint.rs reads it too), and
// its cmpver against Tailscale's own table when ../shared/conformance is beside the repository.
// It imports no package, so it runs before `make test-js` installs one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCondition, compareVersions, ConditionError } from "../../www/demo-tailnet/posture.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const table = JSON.parse(readFileSync(join(root, "tests/data/posture-grammar.json"), "utf8"));

test("the demo's parser accepts and refuses as the shared table says, and reads the same parts", () => {
  assert.ok(table.conditions.length >= 80, `${table.conditions.length} rows`);
  const failures = [];
  for (const { condition, accept, parsed } of table.conditions) {
    let got;
    try {
      got = parseCondition(condition);
    } catch (e) {
      if (!(e instanceof ConditionError)) throw e;
      if (accept) failures.push(`${JSON.stringify(condition)}: refused (${e.message}), want accepted`);
      continue;
    }
    if (!accept) {
      failures.push(`${JSON.stringify(condition)}: accepted, want refused`);
      continue;
    }
    const { attribute, operator, value } = got;
    const shape = value === undefined ? { attribute, operator } : { attribute, operator, value };
    try {
      assert.deepEqual(shape, parsed);
    } catch {
      failures.push(`${JSON.stringify(condition)}: parsed ${JSON.stringify(shape)}, want ${JSON.stringify(parsed)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test("the demo's cmpver agrees with Tailscale's own table", (t) => {
  // ../shared beside the repository, or beside a worktree's parent; never copied in.
  const dirs = [join(root, ".."), join(root, "../..")];
  const file = dirs.map((d) => join(d, "shared/conformance/cmpver/cmpver.json")).find(existsSync);
  if (!file) return t.skip("../shared/conformance/cmpver/cmpver.json is not present");
  const { vectors } = JSON.parse(readFileSync(file, "utf8"));
  const wrong = vectors.filter(({ v1, v2, want }) => compareVersions(v1, v2) !== Math.sign(want) || compareVersions(v2, v1) !== -Math.sign(want));
  t.diagnostic(`cmpver conformance (demo): ${vectors.length - wrong.length} of ${vectors.length} vectors agree`);
  assert.deepEqual(wrong, []);
});
