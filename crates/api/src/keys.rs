//! The keys endpoints: auth keys, OAuth clients, federated identities and API access tokens.
//! Request types (what callers pass), the `Key` model (what the API returns), and how each
//! call maps to HTTP.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::{tailnet_path, Expect, HttpRequest};
use tailscale_wire::json::{without_last, Json, Obj, StringMap, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::validate::{self, finish, id_only, with_id, Input};

/// Every `keyType` the API documents: auth keys, OAuth clients, federated identities, API tokens.
pub const KEY_TYPES: [&str; 4] = ["auth", "client", "federated", "api"];

/// A key as the API describes it. `id` is always there; every other field may be absent or
/// null, and fields this client does not know are kept: the API adds fields, and a strict model
/// would break on them.
// Why the declaration and this model differ: TypeScript gets `id: string` (`ts(as)` below), so
// that strict code passes it on without `!`, while every field here stays an `Option`, since the
// wasm never trusts the server. The runtime check makes the declaration true: `KEY_FIELDS` marks
// `id` `Ty::Required`, so an answer without it is a `TailscaleResponseError`, never an
// `undefined` typed as a string.
#[derive(Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Key {
    /// The key's id, such as `k123456CNTRL`; used by `keys.get`, `keys.delete` and the setters.
    #[cfg_attr(feature = "ts", ts(as = "String", optional = false))]
    pub id: Option<String>,
    /// The secret: only in the response that created an auth key or an OAuth client, where the
    /// client requires it (`CreatedKey`).
    pub key: Option<String>,
    /// One of [`KEY_TYPES`]; other values pass through.
    pub key_type: Option<String>,
    /// What the key is for, as given at creation.
    pub description: Option<String>,
    /// When it was created (ISO-8601).
    pub created: Option<String>,
    /// When it was last changed (ISO-8601).
    pub updated: Option<String>,
    /// When it expires (ISO-8601); absent for trust credentials, which do not expire.
    pub expires: Option<String>,
    /// When it was revoked (ISO-8601), if it was.
    pub revoked: Option<String>,
    /// True for a revoked or expired key.
    pub invalid: Option<bool>,
    /// The lifetime it was created with, in seconds (auth keys).
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    #[serde(default, deserialize_with = "tailscale_wire::json::whole_number")]
    pub expiry_seconds: Option<i64>,
    /// What an auth key lets a device do when it registers.
    pub capabilities: Option<KeyCapabilities>,
    /// Scopes granted (OAuth clients, federated identities, API tokens).
    pub scopes: Option<Vec<String>>,
    /// Tags of a trust credential; auth keys it creates must carry these (or tags they own).
    pub tags: Option<Vec<String>>,
    /// The user who created it; empty for keys created by trust credentials.
    pub user_id: Option<String>,
    /// The `aud` claim a federated identity expects.
    pub audience: Option<String>,
    /// The OIDC issuer a federated identity trusts.
    pub issuer: Option<String>,
    /// The pattern a federated identity matches against the `sub` claim (`*` is a wildcard).
    pub subject: Option<String>,
    /// Claim name to pattern, for other claims a federated identity checks.
    pub custom_claim_rules: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

// Written by hand so that the secret never reaches a log through `{:?}`.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("keyType", &self.key_type)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// A key's capabilities: a mapping of resources to permitted actions.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct KeyCapabilities {
    /// Permissions over devices (auth keys only).
    pub devices: Option<DeviceCapabilities>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// An auth key's permissions over devices.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DeviceCapabilities {
    /// What a device registered with the key gets.
    pub create: Option<CreateCapabilities>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// What a device registered with an auth key gets.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct CreateCapabilities {
    /// The key can register more than one device.
    pub reusable: Option<bool>,
    /// Devices it registers are removed when they go offline.
    pub ephemeral: Option<bool>,
    /// Devices it registers need no approval.
    pub preauthorized: Option<bool>,
    /// Tags applied to the devices it registers.
    pub tags: Option<Vec<String>>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// `GET /keys` answers `{"keys": [...]}`.
#[derive(Debug, Default, Deserialize)]
pub struct KeyList {
    #[serde(default)]
    pub keys: Option<Vec<Key>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub fn decode_key(body: &[u8]) -> Result<Key, serde_json::Error> {
    tailscale_wire::json::decode(body)
}

pub fn decode_key_list(body: &[u8]) -> Result<Vec<Key>, serde_json::Error> {
    tailscale_wire::json::decode::<KeyList>(body).map(|l| l.keys.unwrap_or_default())
}

/// What the runtime checks of a `Key` (the wasm has no serde): each member's type when present.
/// `tests/drift.rs` holds these tables to the models above, and the models to the spec.
pub const CREATE_CAPABILITIES_FIELDS: &[(&str, Ty)] = &[
    ("reusable", Ty::Bool),
    ("ephemeral", Ty::Bool),
    ("preauthorized", Ty::Bool),
    ("tags", Ty::StrList),
];
pub const DEVICE_CAPABILITIES_FIELDS: &[(&str, Ty)] =
    &[("create", Ty::Obj(CREATE_CAPABILITIES_FIELDS))];
pub const KEY_CAPABILITIES_FIELDS: &[(&str, Ty)] =
    &[("devices", Ty::Obj(DEVICE_CAPABILITIES_FIELDS))];
/// A created auth key or OAuth client (`CreatedKey` in TypeScript) must carry its secret: the
/// last entry requires it, and [`KEY_FIELDS`] is this table without that entry.
pub const CREATED_KEY_FIELDS: &[(&str, Ty)] = &[
    ("id", Ty::Required(&Ty::Str)),
    ("key", Ty::Str),
    ("keyType", Ty::Str),
    ("description", Ty::Str),
    ("created", Ty::Str),
    ("updated", Ty::Str),
    ("expires", Ty::Str),
    ("revoked", Ty::Str),
    ("invalid", Ty::Bool),
    ("expirySeconds", Ty::Int),
    ("capabilities", Ty::Obj(KEY_CAPABILITIES_FIELDS)),
    ("scopes", Ty::StrList),
    ("tags", Ty::StrList),
    ("userId", Ty::Str),
    ("audience", Ty::Str),
    ("issuer", Ty::Str),
    ("subject", Ty::Str),
    ("customClaimRules", Ty::StrMap),
    ("key", Ty::Required(&Ty::Str)),
];
pub const KEY_FIELDS: &[(&str, Ty)] = without_last(CREATED_KEY_FIELDS);

const KEY: Expect = Expect::Object(KEY_FIELDS);
const CREATED_KEY: Expect = Expect::Object(CREATED_KEY_FIELDS);
const KEY_LIST: Expect = Expect::List("keys", KEY_FIELDS);

/// Options for `keys.createAuthKey`. Absent fields take the API's defaults (single use,
/// not ephemeral, not preauthorized, no tags, 90 days).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "CreateAuthKeyOptions", optional_fields)
)]
pub struct CreateAuthKey {
    /// Can register more than one device. Default false.
    pub reusable: Option<bool>,
    /// Devices registered with it are removed when they go offline. Default false.
    pub ephemeral: Option<bool>,
    /// Devices registered with it skip device approval. Default false.
    pub preauthorized: Option<bool>,
    /// Tags for the devices it registers (`tag:name`). Default none.
    pub tags: Option<Vec<String>>,
    /// Lifetime in seconds, 1 to 7,776,000. Default 90 days.
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub expiry_seconds: Option<i64>,
    /// Up to 50 letters, digits, spaces or `-`.
    pub description: Option<String>,
}

impl CreateAuthKey {
    pub fn parse<J: Json>(value: J) -> Result<Self, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let req = CreateAuthKey {
            reusable: input.bool("reusable"),
            ephemeral: input.bool("ephemeral"),
            preauthorized: input.bool("preauthorized"),
            tags: input.strings("tags", validate::tag),
            expiry_seconds: input.integer("expirySeconds"),
            description: input.string("description"),
        };
        if let Some(n) = req.expiry_seconds {
            input.check("expirySeconds", validate::expiry_seconds(n));
        }
        if let Some(d) = &req.description {
            input.check("description", validate::key_description(d));
        }
        finish(input, req)
    }

    fn body(&self) -> String {
        let create = Obj::new()
            .opt_bool("reusable", self.reusable)
            .opt_bool("ephemeral", self.ephemeral)
            .opt_bool("preauthorized", self.preauthorized)
            .opt_strs("tags", self.tags.as_ref());
        Obj::new()
            .obj(
                "capabilities",
                Obj::new().obj("devices", Obj::new().obj("create", create)),
            )
            .opt_int("expirySeconds", self.expiry_seconds)
            .opt_str("description", self.description.as_ref())
            .finish()
    }
}

/// Options for `keys.createOAuthClient` and `keys.setOAuthClient`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "OAuthClientOptions", optional_fields)
)]
pub struct OAuthClientSpec {
    /// At least one scope, such as `"auth_keys"` or `"devices:core:read"`. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub scopes: Vec<String>,
    /// Required when the scopes include `devices:core` or `auth_keys`; otherwise default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Up to 50 letters, digits, spaces or `-`. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Options for `keys.createFederatedIdentity` and `keys.setFederatedIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "FederatedIdentityOptions", optional_fields)
)]
pub struct FederatedIdentitySpec {
    /// At least one scope. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub scopes: Vec<String>,
    /// Required when the scopes include `devices:core` or `auth_keys`; otherwise default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The OIDC issuer, an `https://` URL. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub issuer: String,
    /// Pattern for the token's `sub` claim; `*` matches anything. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub subject: String,
    /// Expected `aud` claim. Default: Tailscale generates one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Claim name to pattern; may not name `sub`, `iss` or `aud`. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<std::collections::HashMap<String, String>>")
    )]
    pub custom_claim_rules: Option<StringMap>,
    /// Up to 50 letters, digits, spaces or `-`. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Scopes, tags and description: what both trust-credential types share.
fn trust_common<J: Json>(
    input: &mut Input<J>,
) -> (Vec<String>, Option<Vec<String>>, Option<String>) {
    let scopes = input.required_strings("scopes", validate::scope);
    let tags = input.strings("tags", validate::tag);
    let description = input.string("description");
    if let Some(d) = &description {
        input.check("description", validate::key_description(d));
    }
    let scopes = scopes.unwrap_or_default();
    if validate::scopes_need_tags(&scopes) && tags.as_ref().is_none_or(Vec::is_empty) {
        input.issue(
            "tags",
            "are required when scopes include devices:core or auth_keys (or all, devices)",
        );
    }
    (scopes, tags, description)
}

impl OAuthClientSpec {
    pub fn parse<J: Json>(value: J) -> Result<Self, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let (scopes, tags, description) = trust_common(&mut input);
        finish(
            input,
            OAuthClientSpec {
                scopes,
                tags,
                description,
            },
        )
    }
}

impl FederatedIdentitySpec {
    pub fn parse<J: Json>(value: J) -> Result<Self, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let (scopes, tags, description) = trust_common(&mut input);
        let issuer = input.required_string("issuer");
        let subject = input.required_string("subject");
        let audience = input.string("audience");
        let custom_claim_rules = input.string_map("customClaimRules");
        if let Some(s) = &issuer {
            input.check("issuer", validate::issuer(s));
        }
        if let Some(s) = &subject {
            input.check("subject", validate::non_empty(s));
        }
        if let Some(s) = &audience {
            input.check("audience", validate::non_empty(s));
        }
        if let Some(rules) = &custom_claim_rules {
            for (name, _) in &rules.0 {
                input.check("customClaimRules", validate::claim_name(name));
            }
        }
        finish(
            input,
            FederatedIdentitySpec {
                scopes,
                tags,
                issuer: issuer.unwrap_or_default(),
                subject: subject.unwrap_or_default(),
                audience,
                custom_claim_rules,
                description,
            },
        )
    }
}

/// The members both trust-credential bodies share, after `keyType`.
fn trust_body(
    key_type: &str,
    scopes: &[String],
    tags: Option<&Vec<String>>,
    description: Option<&String>,
) -> Obj {
    Obj::new()
        .str("keyType", key_type)
        .strs("scopes", scopes)
        .opt_strs("tags", tags)
        .opt_str("description", description)
}

impl OAuthClientSpec {
    fn body(&self) -> String {
        trust_body(
            "client",
            &self.scopes,
            self.tags.as_ref(),
            self.description.as_ref(),
        )
        .finish()
    }
}

impl FederatedIdentitySpec {
    fn body(&self) -> String {
        trust_body(
            "federated",
            &self.scopes,
            self.tags.as_ref(),
            self.description.as_ref(),
        )
        .str("issuer", &self.issuer)
        .str("subject", &self.subject)
        .opt_str("audience", self.audience.as_ref())
        .opt_map("customClaimRules", self.custom_claim_rules.as_ref())
        .finish()
    }
}

fn keys_path(tailnet: &str) -> String {
    tailnet_path(tailnet, &["keys"])
}

fn key_path(tailnet: &str, id: &str) -> String {
    tailnet_path(tailnet, &["keys", id])
}

/// `GET /tailnet/{t}/keys`, with `?all=true` when `options.all` is true.
pub fn list<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    let all = input.bool("all");
    input.allow("signal");
    let all = finish(input, all).map_err(Error::Validation)?;
    let mut req = HttpRequest::new(Method::Get, keys_path(tailnet), KEY_LIST);
    if all == Some(true) {
        req.query = "?all=true".into();
    }
    Ok(req)
}

pub fn get<J: Json>(tailnet: &str, id: J) -> Result<HttpRequest, Error> {
    let id = id_only("keyId", id)?;
    Ok(HttpRequest::new(Method::Get, key_path(tailnet, &id), KEY))
}

pub fn delete<J: Json>(tailnet: &str, id: J) -> Result<HttpRequest, Error> {
    let mut req = get(tailnet, id)?;
    req.method = Method::Delete;
    req.expect = Expect::Nothing;
    Ok(req)
}

pub fn create_auth_key<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let spec = CreateAuthKey::parse(options).map_err(Error::Validation)?;
    Ok(HttpRequest::new(Method::Post, keys_path(tailnet), CREATED_KEY).json_body(spec.body()))
}

pub fn create_oauth_client<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let spec = OAuthClientSpec::parse(options).map_err(Error::Validation)?;
    Ok(HttpRequest::new(Method::Post, keys_path(tailnet), CREATED_KEY).json_body(spec.body()))
}

pub fn create_federated_identity<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let spec = FederatedIdentitySpec::parse(options).map_err(Error::Validation)?;
    Ok(HttpRequest::new(Method::Post, keys_path(tailnet), KEY).json_body(spec.body()))
}

pub fn set_oauth_client<J: Json>(tailnet: &str, id: J, options: J) -> Result<HttpRequest, Error> {
    let (id, spec) = with_id("keyId", id, options, OAuthClientSpec::parse)?;
    Ok(HttpRequest::new(Method::Put, key_path(tailnet, &id), KEY).json_body(spec.body()))
}

pub fn set_federated_identity<J: Json>(
    tailnet: &str,
    id: J,
    options: J,
) -> Result<HttpRequest, Error> {
    let (id, spec) = with_id("keyId", id, options, FederatedIdentitySpec::parse)?;
    Ok(HttpRequest::new(Method::Put, key_path(tailnet, &id), KEY).json_body(spec.body()))
}
