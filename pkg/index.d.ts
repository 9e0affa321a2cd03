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
// The resource classes are types only: a client makes them (`client.keys`); they are not built
// or imported as values.
export type { KeysApi, OAuthAppsApi, DevicesApi, UsersApi, PolicyApi } from "./dist/web/tailscale_wasm.js";
export type { CreatedKey, CreatedOAuthApp, TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, RequestOptions, FetchFunction, ListKeysOptions, ListDevicesOptions, GetDeviceOptions, DeviceFields, SetAttributeInput, DeviceProvisioningOptions, AuthorizationOptions, AuthorizationRequest, AuthorizationCallback, ProvisioningGrant, ProvisioningSummary, PolicyFile, GetPolicyOptions, PolicyPrecondition, IfMatch, Overwrite, PreviewMatch, FailedCondition, PostureVerdicts, PolicyInput, PolicyUpdate, UpdatePolicyOptions, PolicyTest, PolicyCheck, PolicyCheckEntry, PreviewOptions, PolicyPreview, EvaluatePosturesOptions, PostureDeviceVerdict, PostureReport, ListUsersOptions, PolicyDryRun, AccessOptions } from "./dist/web/tailscale_wasm.js";
export type * from "./dist/models.js";
export * from "./errors.js";
