// Declarations of `tailscale-wasm/policy` for ESM; policy.d.cts is the CommonJS twin.
export { PolicyDocument, parsePostureCondition, evaluatePosture, AccessModel } from "./dist/web/tailscale_wasm_policy.js";
export type { PostureCondition, PostureEvaluation, ConditionVerdict, AccessModelInput, DestinationQuery, ReachQuery, GateQuery, RuleRef, PostureFailure, BlockedRule, AccessVerdict, DeviceRef, Reacher, GateLeak, GateVerdict, AccessChange } from "./dist/web/tailscale_wasm_policy.js";
export * from "./errors.js";
