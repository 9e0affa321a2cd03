// Declarations for CommonJS (`require`); index.d.ts is the ESM twin.
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
} from "./dist/node/tailscale_wasm.js";
export type { TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, ListKeysOptions } from "./dist/node/tailscale_wasm.js";
export type * from "./dist/node/models.js";
export * from "./dist/errors.cjs";
