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
export type { TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, ListKeysOptions, ListDevicesOptions, GetDeviceOptions, DeviceFields, SetAttributeInput } from "./dist/web/tailscale_wasm.js";
export type * from "./dist/models.js";
export * from "./errors.js";
