// Declarations of `tailscale-wasm/policy` for CommonJS (`require`); policy.d.ts is the ESM twin.
export { PolicyDocument, parsePostureCondition, evaluatePosture } from "./dist/node/tailscale_wasm_policy.js";
export type { PostureCondition, PostureEvaluation, ConditionVerdict } from "./dist/node/tailscale_wasm_policy.js";
export * from "./dist/errors.cjs";
