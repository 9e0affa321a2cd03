// What the policy entries for browsers, workers and Workers export. No side effects: each entry
// loads the policy wasm its own way first.
export { PolicyDocument, parsePostureCondition, evaluatePosture, AccessModel } from "./dist/web/tailscale_wasm_policy.js";
export {
  TailscaleError,
  TailscaleValidationError,
  TailscaleApiError,
  TailscaleResponseError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
  TailscaleAuthorizationError,
} from "./errors.js";
