// Coverage-guided fuzzing with cargo-fuzz (libFuzzer) on the stable toolchain: RUSTC_BOOTSTRAP=1
// lets cargo-fuzz pass its nightly flags, as the release wasm's build does (Makefile, build).
//
//   node scripts/fuzz.mjs run [target...]   every target (or those named) for FUZZ_SECONDS each
//                                           (default 300); figures to target/fuzz-figures/
//   node scripts/fuzz.mjs canary [target...] builds with --cfg fuzz_canary and fuzzes each target
//                                           with a planted bug until it panics (FUZZ_SECONDS, 300)
//   node scripts/fuzz.mjs cmin [target...]  merges what runs found into fuzz/corpus/<target>/,
//                                           minimized with `cargo fuzz cmin`
//
// Targets are the fuzz crate's [[bin]]s (fuzz/Cargo.toml); canaries are the inputs in
// tests/fuzz-regressions/canaries/, named <target>-<what>. A run reads the hand-picked seeds
// (fuzz/seeds/), the minimized corpus runs grew (fuzz/corpus/) and the regression inputs; the
// canary runs read the seeds alone, which hold no canary input (a grown corpus may well hold
// `node:os NOT SET`, a valid condition). Working corpora, logs and crashes stay under
// target/fuzz/; runs continue from the corpus the last run left there.
//
// No sanitizer by default: the core has no `unsafe`, so AddressSanitizer could only catch bugs in
// dependencies (fuzzed upstream), and it costs about five times the executions (measured on the
// validators target). FUZZ_SANITIZER=address turns it on. Debug assertions are on (-a), so an
// integer overflow panics instead of wrapping.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";

process.chdir(new URL("..", import.meta.url).pathname);
const [command = "run", ...names] = process.argv.slice(2);
const seconds = Number(process.env.FUZZ_SECONDS ?? 300);
const sanitizer = process.env.FUZZ_SANITIZER ?? "none";
const env = { ...process.env, RUSTC_BOOTSTRAP: "1" };

const all = [...readFileSync("fuzz/Cargo.toml", "utf8").matchAll(/^\[\[bin\]\]\nname = "(\w+)"/gm)].map((m) => m[1]);
for (const n of names) if (!all.includes(n)) throw new Error(`no fuzz target ${n} (targets: ${all.join(", ")})`);
const targets = names.length ? names : all;

const files = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f !== "README.md" && statSync(`${dir}/${f}`).isFile()) : []);
const bytes = (dir) => files(dir).reduce((n, f) => n + statSync(`${dir}/${f}`).size, 0);

function cargoFuzz(args, { targetDir = "target/fuzz", rustflags } = {}) {
  const flags = ["-a", "-s", sanitizer, "--target-dir", targetDir];
  const e = rustflags ? { ...env, RUSTFLAGS: rustflags } : env;
  return { cmd: "cargo", args: ["fuzz", args[0], ...flags, ...args.slice(1)], env: e };
}

function build(opts) {
  const { cmd, args, env: e } = cargoFuzz(["build"], opts);
  console.log(`fuzz: building every target (${args.join(" ")})`);
  const r = spawnSync(cmd, args, { env: e, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Runs one libFuzzer process; resolves to its log text, exit code and wall time. A target's
 *  dictionary (`fuzz/dicts/<target>.dict`, its grammar's tokens) goes with it. */
function fuzz(target, corpora, extra, opts) {
  const dict = `fuzz/dicts/${target}.dict`;
  const flags = existsSync(dict) ? [...extra, `-dict=${dict}`] : extra;
  const { cmd, args, env: e } = cargoFuzz(["run", target, ...corpora, "--", ...flags], opts);
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: e, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("close", (code) => resolve({ log, code, wall: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}

/** libFuzzer's last status line (`#runs DONE cov: … ft: … corp: n/size`) and final stats. */
function stats(log) {
  const lines = [...log.matchAll(/^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\d+[KM]?b)/gm)];
  const last = lines.at(-1);
  const stat = (name) => Number(log.match(new RegExp(`^stat::${name}:\\s+(\\d+)`, "m"))?.[1] ?? NaN);
  return {
    runs: stat("number_of_executed_units") || Number(last?.[1] ?? 0),
    cov: Number(last?.[2] ?? 0),
    ft: Number(last?.[3] ?? 0),
    corpusUnits: Number(last?.[4] ?? 0),
    corpusSize: last?.[5] ?? "0b",
    newUnits: stat("new_units_added"),
    // libFuzzer's own count, without the build that `cargo fuzz run` may do first.
    seconds: Number(log.match(/^Done \d+ runs in (\d+) second/m)?.[1] ?? NaN),
  };
}

/** What a crash said: the panic message (its first line) and where libFuzzer wrote the input. */
function crash(log) {
  const panic = log.match(/panicked at [^\n]*\n([^\n]*)/)?.[1];
  const artifact = log.match(/Test unit written to (\S+)/)?.[1];
  return artifact ? { message: panic ?? log.match(/==\d+== ?ERROR: ([^\n]*)/)?.[1] ?? "crash", artifact } : null;
}

async function run() {
  build();
  mkdirSync("target/fuzz-figures", { recursive: true });
  let failed = 0;
  for (const target of targets) {
    const work = `target/fuzz/corpus/${target}`;
    const artifacts = `target/fuzz/artifacts/${target}/`;
    mkdirSync(work, { recursive: true });
    mkdirSync(artifacts, { recursive: true });
    const before = new Set(files(artifacts));
    // The working corpus first (libFuzzer adds to it), then what is committed.
    const corpora = [work, ...[`fuzz/seeds/${target}`, `fuzz/corpus/${target}`, `tests/fuzz-regressions/${target}`].filter(existsSync)];
    const { log, code, wall } = await fuzz(target, corpora, [`-max_total_time=${seconds}`, `-artifact_prefix=${artifacts}`, "-print_final_stats=1"]);
    writeFileSync(`target/fuzz/${target}.log`, log);
    const s = stats(log);
    const found = crash(log);
    const findings = files(artifacts).filter((f) => !before.has(f)).length;
    const figures = { target, sanitizer, ...s, seconds: Number.isNaN(s.seconds) ? Math.round(wall) : s.seconds, corpusFiles: files(work).length, corpusBytes: bytes(work), findings, finding: found?.message ?? null };
    writeFileSync(`target/fuzz-figures/${target}.json`, JSON.stringify(figures, null, 2));
    console.log(`fuzz ${target}: ${s.runs.toLocaleString("en")} runs in ${figures.seconds} s, cov ${s.cov}, ft ${s.ft}, corpus ${s.corpusUnits} units (${s.corpusSize}), ${findings} new finding(s)`);
    if (code !== 0 || found) {
      failed++;
      console.log(`  FAILED: ${found?.message ?? `exit ${code}`}\n  input: ${found?.artifact ?? "(none)"}; log: target/fuzz/${target}.log`);
      console.log(`  keep it: cp ${found?.artifact ?? "<input>"} tests/fuzz-regressions/${target}/ (and commit it with the fix)`);
    }
  }
  if (failed) process.exit(1);
}

async function canary() {
  const dir = "tests/fuzz-regressions/canaries";
  const planted = files(dir)
    .map((f) => ({ file: f, target: f.split("-")[0], what: f.split("-").slice(1).join(" ") }))
    .filter((p) => targets.includes(p.target));
  build({ targetDir: "target/fuzz-canary", rustflags: "--cfg fuzz_canary" });
  mkdirSync("target/fuzz-figures", { recursive: true });
  const results = [];
  for (const { file, target, what } of planted) {
    // From the hand-picked seeds alone (real callbacks, policies and conditions); the working
    // corpus is fresh, so earlier runs cannot help.
    const work = `target/fuzz-canary/corpus/${target}`;
    const artifacts = `target/fuzz-canary/artifacts/${target}/`;
    rmSync(work, { recursive: true, force: true });
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    mkdirSync(artifacts, { recursive: true });
    const { log, wall } = await fuzz(target, [work, `fuzz/seeds/${target}`], [`-max_total_time=${seconds}`, `-artifact_prefix=${artifacts}`, "-print_final_stats=1"], { targetDir: "target/fuzz-canary", rustflags: "--cfg fuzz_canary" });
    writeFileSync(`target/fuzz-canary/${target}.log`, log);
    const found = crash(log);
    const runs = Math.max(0, ...[...log.matchAll(/^#(\d+)/gm)].map((m) => Number(m[1])));
    const input = found ? readFileSync(found.artifact) : null;
    const result = {
      target,
      planted: what,
      found: Boolean(found?.message?.includes("fuzz canary")),
      seconds: Number(wall.toFixed(1)),
      runs,
      input: input ? JSON.stringify(input.toString("latin1")).slice(0, 120) : null,
      message: found?.message ?? null,
    };
    results.push(result);
    console.log(`canary ${target} (${what}): ${result.found ? `found after ${result.seconds} s, ~${runs.toLocaleString("en")} runs; input ${result.input}` : `NOT found in ${seconds} s${found ? `; another crash: ${found.message}` : ""}`}`);
    if (!result.found) console.log(`  log: target/fuzz-canary/${target}.log (planted input: ${dir}/${file})`);
  }
  writeFileSync("target/fuzz-figures/canary.json", JSON.stringify({ limit: seconds, sanitizer, results }, null, 2));
  if (results.some((r) => !r.found)) process.exit(1);
}

/** Merges the working corpus into the committed one and minimizes it by edges only
 *  (`-use_counters=0`: not hit counts), which keeps the committed corpora to a few hundred KB. */
function cmin() {
  build();
  let total = 0;
  for (const target of targets) {
    const committed = `fuzz/corpus/${target}`;
    const work = `target/fuzz/corpus/${target}`;
    mkdirSync(committed, { recursive: true });
    if (existsSync(work)) cpSync(work, committed, { recursive: true });
    const { cmd, args, env: e } = cargoFuzz(["cmin", target, committed, "--", "-use_counters=0"]);
    const r = spawnSync(cmd, args, { env: e, encoding: "utf8" });
    if (r.status !== 0) {
      console.log(r.stdout + r.stderr);
      process.exit(r.status ?? 1);
    }
    total += bytes(committed);
    console.log(`cmin ${target}: ${files(committed).length} inputs, ${bytes(committed).toLocaleString("en")} bytes`);
  }
  console.log(`cmin: ${total.toLocaleString("en")} bytes in all`);
}

if (command === "run") await run();
else if (command === "canary") await canary();
else if (command === "cmin") cmin();
else throw new Error("usage: fuzz.mjs run|canary|cmin [target...]");
