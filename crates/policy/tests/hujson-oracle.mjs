// Test oracle for src/hujson.rs (run by tests/hujson.rs): Microsoft's jsonc-parser reads each
// text of a JSON array given on stdin and prints, for each, the value as JSON or null when it
// reports an error. It accepts a little more than HuJSON, so it is only asked about texts that
// are HuJSON by construction.
import { parse } from "jsonc-parser";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((text) => {
  const errors = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  return errors.length === 0 ? { value } : null;
});
process.stdout.write(JSON.stringify(out));
