// Browsers, workers and bundlers: loads the wasm next to this file once, at import.
import init, { __setErrorFactory } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

await init({ module_or_path: new URL("./dist/web/tailscale_wasm_bg.wasm", import.meta.url) });
__setErrorFactory(__fromCore);

export {
  TailscaleClient,
  KeysApi,
  OAuthAppsApi,
  DevicesApi,
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
} from "./errors.js";
