// Writes the fuzz or soak figures that `make fuzz` / `make soak` measured into RELIABILITY.md,
// between the section's markers, with the machine and the date.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";

const [section] = process.argv.slice(2);
const file = new URL("../RELIABILITY.md", import.meta.url);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
let table;
if (section === "fuzz") {
  const dir = new URL("../target/fuzz-figures/", import.meta.url);
  const rows = readdirSync(dir).sort().map((f) => readFileSync(new URL(f, dir), "utf8").trim().split("\t"));
  table = [`Measured on ${machine}.`, "", "| target | executions | seconds | panics | regression inputs replayed |", "|---|---:|---:|---:|---:|", ...rows.map(([name, n, s, p, r]) => `| \`${name}\` | ${Number(n).toLocaleString("en")} | ${s} | ${p} | ${r} |`)].join("\n");
} else if (section === "soak") {
  const figures = JSON.parse(readFileSync(new URL("../target/soak.json", import.meta.url), "utf8"));
  table = [`Measured on ${machine}.`, "", "| after calls | wasm linear memory | JS heap used (least of 5 readings after GC) |", "|---:|---:|---:|", ...figures.samples.map((s) => `| ${s.calls.toLocaleString("en")} | ${(s.wasmBytes / 1024).toFixed(0)} KiB | ${(s.heapBytes / 2 ** 20).toFixed(1)} MiB |`), "", figures.verdict].join("\n");
} else {
  throw new Error("usage: reliability-figures.mjs fuzz|soak");
}
const text = readFileSync(file, "utf8");
const start = `<!-- ${section}:start -->`;
const end = `<!-- ${section}:end -->`;
writeFileSync(file, text.slice(0, text.indexOf(start) + start.length) + "\n" + table + "\n" + text.slice(text.indexOf(end)));
console.log(table);
