// Joins the TypeScript models ts-rs wrote (one file per Rust type) into pkg/dist/models.d.ts.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";

const [from, to] = process.argv.slice(2);
const parts = readdirSync(from)
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) =>
    readFileSync(join(from, f), "utf8")
      .split("\n")
      .filter((line) => !line.startsWith("import type") && !line.startsWith("// This file was generated"))
      .join("\n")
      .trim(),
  );
mkdirSync(dirname(to), { recursive: true });
writeFileSync(to, "// Generated from the Rust types by ts-rs (make build). Do not edit.\n\n" + parts.join("\n\n") + "\n");
