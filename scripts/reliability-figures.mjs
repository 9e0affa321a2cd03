// Writes the figures that `make fuzz`, `make fuzz-canary`, `make test-stress` or `make soak` measured into RELIABILITY.md,
// between the section's markers, with the machine and the date.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";

const [section] = process.argv.slice(2);
const file = new URL("../RELIABILITY.md", import.meta.url);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
let table;
const sanitized = (name) => (!name || name === "none" ? "no sanitizer" : `${name} sanitizer`);
if (section === "fuzz") {
  const dir = new URL("../target/fuzz-figures/", import.meta.url);
  const rows = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "canary.json").sort().map((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")));
  const n = (x) => Number(x).toLocaleString("en");
  table = [
    `Measured on ${machine}; ${rows[0]?.seconds ?? "?"} s per target, ${sanitized(rows[0]?.sanitizer)}, debug assertions on.`,
    "",
    "| target | runs | seconds | coverage (edges) | features | corpus (units, libFuzzer) | working corpus (files, bytes) | new findings |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map((r) => `| \`${r.target}\` | ${n(r.runs)} | ${r.seconds} | ${n(r.cov)} | ${n(r.ft)} | ${n(r.corpusUnits)} (${r.corpusSize}) | ${n(r.corpusFiles)}, ${n(r.corpusBytes)} B | ${r.findings ? `${r.findings}: ${r.finding}` : "none"} |`),
  ].join("\n");
} else if (section === "fuzz-canary") {
  const { limit, sanitizer, results: rows } = JSON.parse(readFileSync(new URL("../target/fuzz-figures/canary.json", import.meta.url), "utf8"));
  table = [
    `Measured on ${machine}; each from the committed seed corpus, at most ${limit} s, ${sanitized(sanitizer)}.`,
    "",
    "| target | planted bug (the `#[cfg(fuzz_canary)]` blocks) | found after | runs | input libFuzzer found |",
    "|---|---|---:|---:|---|",
    ...rows.map((r) => `| \`${r.target}\` | ${r.planted} | ${r.found ? `${r.seconds} s` : "not found"} | ${r.runs.toLocaleString("en")} | ${r.input ? `\`${r.input.replaceAll("|", "\\|").replaceAll("`", "'")}\`` : "none"} |`),
  ].join("\n");
} else if (section === "stress") {
  const figures = JSON.parse(readFileSync(new URL("../target/stress.json", import.meta.url), "utf8"));
  const passed = figures.runs.filter((r) => r.ok).length;
  table = [
    `Measured on ${machine}, with ${figures.busyLoops} busy loops (one per core) running throughout.`,
    "",
    "| run | result | tests passed | seconds | load average (1 min, highest sample) |",
    "|---:|---|---:|---:|---:|",
    ...figures.runs.map((r) => `| ${r.run} | ${r.ok ? "passed" : `FAILED: ${r.failed.join("; ")}`} | ${r.pass} of ${r.tests} | ${r.seconds} | ${r.load.toFixed(1)} |`),
    "",
    `${passed} of ${figures.runs.length} runs passed.`,
  ].join("\n");
} else if (section === "soak") {
  const figures = JSON.parse(readFileSync(new URL("../target/soak.json", import.meta.url), "utf8"));
  table = [`Measured on ${machine}.`, "", "| after calls | wasm linear memory | JS heap used (least of 5 readings after GC) |", "|---:|---:|---:|", ...figures.samples.map((s) => `| ${s.calls.toLocaleString("en")} | ${(s.wasmBytes / 1024).toFixed(0)} KiB | ${(s.heapBytes / 2 ** 20).toFixed(1)} MiB |`), "", figures.verdict].join("\n");
} else {
  throw new Error("usage: reliability-figures.mjs fuzz|fuzz-canary|stress|soak");
}
const text = readFileSync(file, "utf8");
const start = `<!-- ${section}:start -->`;
const end = `<!-- ${section}:end -->`;
if (!text.includes(start) || !text.includes(end)) throw new Error(`RELIABILITY.md has no ${start} ... ${end} section`);
writeFileSync(file, text.slice(0, text.indexOf(start) + start.length) + "\n" + table + "\n" + text.slice(text.indexOf(end)));
console.log(table);
