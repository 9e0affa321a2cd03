// Declarations of `tailscale-wasm/policy` for CommonJS (`require`); policy.d.ts is the ESM twin.
export { PolicyDocument, parsePostureCondition, evaluatePosture, AccessModel } from "./dist/node/tailscale_wasm_policy.js";
export type { PostureCondition, PostureEvaluation, ConditionVerdict, AccessModelInput, DestinationQuery, ReachQuery, GateQuery, RuleRef, PostureFailure, BlockedRule, AccessVerdict, DeviceRef, Reacher, GateLeak, GateVerdict, AccessChange } from "./dist/node/tailscale_wasm_policy.js";
export * from "./dist/errors.cjs";
