// The policy module's results, for TypeScript: what parsePostureCondition and evaluatePosture
// return. `make build` appends this file to wasm-bindgen's tailscale_wasm_policy.d.ts.
import type { ValidationIssue } from "../models.js";

// ---- lib ----


// ---- posture ----
/** A posture condition, parsed. */
export interface PostureCondition {
  /** `namespace:name`, such as `node:tsVersion`. */
  attribute: string;
  /** The operator, keywords in upper case. */
  operator: "==" | "!=" | "<" | "<=" | ">" | ">=" | "IN" | "NOT IN" | "IS SET" | "NOT SET";
  /** Absent for IS SET and NOT SET; a list for IN and NOT IN. */
  value?: string | number | boolean | (string | number | boolean)[];
}

/** What `evaluatePosture` returns. */
export interface PostureEvaluation {
  /** Whether every condition matched. */
  matches: boolean;
  /** Each condition's verdict. */
  conditions: ConditionVerdict[];
}

/** One condition's verdict. */
export interface ConditionVerdict {
  /** The condition, as written. */
  condition: string;
  /** Whether it matched. */
  matches: boolean;
  /** Why it did not, in words; absent when it matched. */
  reason?: string;
}
