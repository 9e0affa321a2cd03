// Node ESM shares the CommonJS instance, so `instanceof` holds across both import styles.
import api from "./policy.cjs";

export const {
  PolicyDocument,
  parsePostureCondition,
  evaluatePosture,
  AccessModel,
  TailscaleError,
  TailscaleValidationError,
  TailscaleApiError,
  TailscaleResponseError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
  TailscaleAuthorizationError,
} = api;
