// Declarations of `tailscale-wasm/policy` for ESM; policy.d.cts is the CommonJS twin.
export { PolicyDocument, parsePostureCondition, evaluatePosture } from "./dist/web/tailscale_wasm_policy.js";
export type { PostureCondition, PostureEvaluation, ConditionVerdict } from "./dist/web/tailscale_wasm_policy.js";
export * from "./errors.js";
