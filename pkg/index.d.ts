export {
  TailscaleClient,
  KeysApi,
  OAuthAppsApi,
  validateCreateAuthKey,
  validateCreateOAuthClient,
  validateCreateFederatedIdentity,
  validateOAuthApp,
  validateTag,
  validateScope,
  validateNodeAttribute,
  validateRedirectUri,
} from "./dist/web/tailscale_wasm.js";
export type { TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, ListKeysOptions } from "./dist/web/tailscale_wasm.js";
export type * from "./dist/models.js";
export * from "./errors.js";
