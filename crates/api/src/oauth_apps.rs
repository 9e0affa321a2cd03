//! The OAuth-app endpoints: apps that provision devices, with the node attributes they may set.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::{tailnet_path, Expect, HttpRequest};
use tailscale_wire::json::{without_last, Json, Obj, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::validate::{self, finish, id_only, with_id, Input};

/// An OAuth app as the API describes it. `id` is always there; every other field may be absent
/// or null, and fields this client does not know are kept.
// Tolerant like `Key`, and for the same reason declared with `id: string` in TypeScript, which
// the runtime check makes true (`OAUTH_APP_FIELDS` marks `id` `Ty::Required`).
#[derive(Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct OAuthApp {
    /// The app's id (its OAuth client ID), such as `a123456CNTRL`.
    #[cfg_attr(feature = "ts", ts(as = "String", optional = false))]
    pub id: Option<String>,
    /// 3 to 50 letters, digits, `.`, `_` or `-`.
    pub name: Option<String>,
    /// Up to 300 characters of any kind: render it as text.
    pub description: Option<String>,
    #[serde(rename = "redirectURIs")]
    /// Where the authorization-code flow may redirect.
    #[cfg_attr(feature = "ts", ts(rename = "redirectURIs"))]
    pub redirect_uris: Option<Vec<String>>,
    /// OAuth scopes granted to the app.
    pub scopes: Option<Vec<String>>,
    /// Custom node attributes (`custom:...`) the app may set on devices.
    pub allowed_node_attributes: Option<Vec<String>>,
    /// Only in the response that created the app, where the client requires it
    /// (`CreatedOAuthApp`).
    pub client_secret: Option<String>,
    /// When it was created (ISO-8601).
    pub created: Option<String>,
    /// When it was last changed (ISO-8601).
    pub updated: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("id", &self.id)
            .field("name", &self.name)
            .field(
                "clientSecret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthAppList {
    #[serde(default)]
    pub oauth_apps: Option<Vec<OAuthApp>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub fn decode_app(body: &[u8]) -> Result<OAuthApp, serde_json::Error> {
    tailscale_wire::json::decode(body)
}

pub fn decode_app_list(body: &[u8]) -> Result<Vec<OAuthApp>, serde_json::Error> {
    tailscale_wire::json::decode::<OAuthAppList>(body).map(|l| l.oauth_apps.unwrap_or_default())
}

/// What the runtime checks of a created `OAuthApp` (`CreatedOAuthApp` in TypeScript): the last
/// entry requires its secret, and [`OAUTH_APP_FIELDS`] is this table without that entry.
/// `tests/drift.rs` holds both to the model.
pub const CREATED_OAUTH_APP_FIELDS: &[(&str, Ty)] = &[
    ("id", Ty::Required(&Ty::Str)),
    ("name", Ty::Str),
    ("description", Ty::Str),
    ("redirectURIs", Ty::StrList),
    ("scopes", Ty::StrList),
    ("allowedNodeAttributes", Ty::StrList),
    ("clientSecret", Ty::Str),
    ("created", Ty::Str),
    ("updated", Ty::Str),
    ("clientSecret", Ty::Required(&Ty::Str)),
];
pub const OAUTH_APP_FIELDS: &[(&str, Ty)] = without_last(CREATED_OAUTH_APP_FIELDS);

const APP: Expect = Expect::Object(OAUTH_APP_FIELDS);
const CREATED_APP: Expect = Expect::Object(CREATED_OAUTH_APP_FIELDS);
const APP_LIST: Expect = Expect::List("oauthApps", OAUTH_APP_FIELDS);

/// Options for `oauthApps.create` and `oauthApps.update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "OAuthAppOptions", optional_fields)
)]
pub struct OAuthAppSpec {
    /// 3 to 50 letters, digits, `.`, `_` or `-`. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub name: String,
    /// Up to 300 characters of any kind. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// At least one; `https`, except for localhost, 127.0.0.1 and [::1]. Required.
    #[serde(rename = "redirectURIs")]
    #[cfg_attr(feature = "ts", ts(rename = "redirectURIs", optional = false))]
    pub redirect_uris: Vec<String>,
    /// At least one scope. Required.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub scopes: Vec<String>,
    /// Custom node attributes the app may set, each `custom:...`. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_node_attributes: Option<Vec<String>>,
}

impl OAuthAppSpec {
    pub fn parse<J: Json>(value: J) -> Result<Self, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let name = input.required_string("name");
        let description = input.string("description");
        let redirect_uris = input.required_strings("redirectURIs", validate::redirect_uri);
        let scopes = input.required_strings("scopes", validate::scope);
        let allowed_node_attributes =
            input.strings("allowedNodeAttributes", validate::node_attribute);
        if let Some(n) = &name {
            input.check("name", validate::app_name(n));
        }
        if let Some(d) = &description {
            input.check("description", validate::app_description(d));
        }
        finish(
            input,
            OAuthAppSpec {
                name: name.unwrap_or_default(),
                description,
                redirect_uris: redirect_uris.unwrap_or_default(),
                scopes: scopes.unwrap_or_default(),
                allowed_node_attributes,
            },
        )
    }
}

impl OAuthAppSpec {
    fn body(&self) -> String {
        Obj::new()
            .str("name", &self.name)
            .opt_str("description", self.description.as_ref())
            .strs("redirectURIs", &self.redirect_uris)
            .strs("scopes", &self.scopes)
            .opt_strs(
                "allowedNodeAttributes",
                self.allowed_node_attributes.as_ref(),
            )
            .finish()
    }
}

fn apps_path(tailnet: &str) -> String {
    tailnet_path(tailnet, &["oauth-apps"])
}

fn app_path(tailnet: &str, id: &str) -> String {
    tailnet_path(tailnet, &["oauth-apps", id])
}

pub fn list(tailnet: &str) -> HttpRequest {
    HttpRequest::new(Method::Get, apps_path(tailnet), APP_LIST)
}

pub fn get<J: Json>(tailnet: &str, id: J) -> Result<HttpRequest, Error> {
    let id = id_only("appId", id)?;
    Ok(HttpRequest::new(Method::Get, app_path(tailnet, &id), APP))
}

pub fn delete<J: Json>(tailnet: &str, id: J) -> Result<HttpRequest, Error> {
    let mut req = get(tailnet, id)?;
    req.method = Method::Delete;
    req.expect = Expect::Nothing;
    Ok(req)
}

pub fn create<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let spec = OAuthAppSpec::parse(options).map_err(Error::Validation)?;
    Ok(HttpRequest::new(Method::Post, apps_path(tailnet), CREATED_APP).json_body(spec.body()))
}

pub fn update<J: Json>(tailnet: &str, id: J, options: J) -> Result<HttpRequest, Error> {
    let (id, spec) = with_id("appId", id, options, OAuthAppSpec::parse)?;
    Ok(HttpRequest::new(Method::Put, app_path(tailnet, &id), APP).json_body(spec.body()))
}
