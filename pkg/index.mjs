// Node ESM shares the CommonJS instance, so `instanceof` holds across both import styles.
import api from "./index.cjs";

export const {
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
  TailscaleError,
  TailscaleValidationError,
  TailscaleApiError,
  TailscaleResponseError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
  TailscaleAuthorizationError,
} = api;
