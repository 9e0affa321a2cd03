// What the browser, worker and Workers entries export: the wasm classes and validators, and
// the error classes. No side effects: each entry loads the wasm its own way first.
export {
  TailscaleClient,
  DeviceProvisioning,
  validateCreateAuthKey,
  validateCreateOAuthClient,
  validateCreateFederatedIdentity,
  validateOAuthApp,
  validateTag,
  validateScope,
  validateNodeAttribute,
  validateRedirectUri,
  validateAttributeKey,
  validateAttributeValue,
  validateSetAttribute,
  validateUpdateAttributes,
} from "./dist/web/tailscale_wasm.js";
export {
  TailscaleError,
  TailscaleValidationError,
  TailscaleApiError,
  TailscaleResponseError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
  TailscaleAuthorizationError,
} from "./errors.js";
