// `make test-stress`: the JS suites (fault matrix included) STRESS_RUNS times (default 5) while a
// busy loop per core runs beside them, as on a loaded CI machine; figures to target/stress.json
// for RELIABILITY.md, each run's TAP output to target/stress/run-N.tap (a failure's details are
// there). Fails unless every run passes. Needs the tarball installed in tests/js.
import { spawn } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";

process.chdir(new URL("..", import.meta.url).pathname);
const runs = Number(process.env.STRESS_RUNS ?? 5);
const cores = os.cpus().length;

// The load: one process per core spinning forever, ended (by pid, ours only) when this script ends.
const spinners = Array.from({ length: cores }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const stop = () => spinners.forEach((p) => p.exitCode === null && p.kill("SIGKILL"));
process.on("exit", stop);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

function suite() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--test", "--test-reporter=tap", "tests/js/"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

const results = [];
mkdirSync("target/stress", { recursive: true });
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const load = [];
  const sampler = setInterval(() => load.push(os.loadavg()[0]), 5000);
  const { code, out } = await suite();
  clearInterval(sampler);
  writeFileSync(`target/stress/run-${i}.tap`, out);
  const count = (name) => Number(out.match(new RegExp(`^# ${name} (\\d+)`, "m"))?.[1] ?? 0);
  // Failed tests by name: TAP's `not ok N - name`, subtests included.
  const failed = [...out.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  const run = { run: i, ok: code === 0, tests: count("tests"), pass: count("pass"), fail: count("fail"), seconds: Math.round((Date.now() - started) / 1000), load: load.length ? Math.max(...load) : os.loadavg()[0], failed };
  results.push(run);
  console.log(`stress run ${i}/${runs}: ${run.ok ? "passed" : "FAILED"}, ${run.pass}/${run.tests} tests in ${run.seconds} s, load average up to ${run.load.toFixed(1)} on ${cores} cores${failed.length ? `\n  failed: ${failed.join("; ")}` : ""}`);
}
stop();
writeFileSync("target/stress.json", JSON.stringify({ cores, busyLoops: cores, runs: results }, null, 2));
const passed = results.filter((r) => r.ok).length;
console.log(`stress: ${passed}/${runs} runs passed with ${cores} busy loops beside them`);
process.exit(passed === runs ? 0 : 1);
