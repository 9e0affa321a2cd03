//! The user endpoints, read-only: who is in the tailnet, with their role and type. The access
//! engine needs them for `autogroup:admin`, `autogroup:owner` and the other role autogroups, and
//! for shared users.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tailscale_wire::error::Error;
use tailscale_wire::http::{api_path, push_query, tailnet_path, Expect, HttpRequest};
use tailscale_wire::json::{Json, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::validate::{finish, id_only, Input, Rule};

/// A user as the API describes it. `id` and `loginName` are always there; every other field
/// may be absent or null, and fields this client does not know are kept.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct User {
    /// The user's id, for `users.get`.
    #[cfg_attr(feature = "ts", ts(as = "String", optional = false))]
    pub id: Option<String>,
    /// The name shown for the user.
    pub display_name: Option<String>,
    /// The login (`alice@example.com`, `alice@github`): how policies name the user.
    #[cfg_attr(feature = "ts", ts(as = "String", optional = false))]
    pub login_name: Option<String>,
    /// The profile picture's URL.
    pub profile_pic_url: Option<String>,
    /// The tailnet that owns the user.
    pub tailnet_id: Option<String>,
    /// When the user joined the tailnet (ISO-8601).
    pub created: Option<String>,
    /// `member`, or `shared` for a user of another tailnet that a device was shared with.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ts", ts(rename = "type"))]
    pub user_type: Option<String>,
    /// `owner`, `member`, `admin`, `it-admin`, `network-admin`, `billing-admin` or `auditor`.
    pub role: Option<String>,
    /// `active`, `idle`, `suspended`, `needs-approval` or `over-billing-limit`.
    pub status: Option<String>,
    /// How many devices the user owns.
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    #[serde(default, deserialize_with = "tailscale_wire::json::whole_number")]
    pub device_count: Option<i64>,
    /// When the user was last seen (ISO-8601).
    pub last_seen: Option<String>,
    /// Whether a device of theirs is connected now.
    pub currently_connected: Option<bool>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserList {
    #[serde(default)]
    pub users: Option<Vec<User>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub fn decode_user(body: &[u8]) -> Result<User, serde_json::Error> {
    tailscale_wire::json::decode(body)
}

pub fn decode_user_list(body: &[u8]) -> Result<Vec<User>, serde_json::Error> {
    tailscale_wire::json::decode::<UserList>(body).map(|l| l.users.unwrap_or_default())
}

/// What an answer's user must hold; `tests/drift.rs` holds it to the model.
pub const USER_FIELDS: &[(&str, Ty)] = &[
    ("id", Ty::Required(&Ty::Str)),
    ("displayName", Ty::Str),
    ("loginName", Ty::Required(&Ty::Str)),
    ("profilePicUrl", Ty::Str),
    ("tailnetId", Ty::Str),
    ("created", Ty::Str),
    ("type", Ty::Str),
    ("role", Ty::Str),
    ("status", Ty::Str),
    ("deviceCount", Ty::Int),
    ("lastSeen", Ty::Str),
    ("currentlyConnected", Ty::Bool),
];

/// The `type` filter's values, as the spec lists them.
pub const USER_TYPES: [&str; 3] = ["member", "shared", "all"];
/// The `role` filter's values, as the spec lists them.
pub const USER_ROLES: [&str; 8] = [
    "owner",
    "member",
    "admin",
    "it-admin",
    "network-admin",
    "billing-admin",
    "auditor",
    "all",
];

/// `GET /tailnet/{t}/users`, with `type` and `role` sent only when given.
pub fn list<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    input.allow("signal");
    let user_type = input.string("type");
    let role = input.string("role");
    if let Some(t) = &user_type {
        input.check("type", one_of(t, &USER_TYPES, TYPES_MESSAGE));
    }
    if let Some(r) = &role {
        input.check("role", one_of(r, &USER_ROLES, ROLES_MESSAGE));
    }
    let mut query = String::new();
    if let Some(t) = &user_type {
        push_query(&mut query, "type", t);
    }
    if let Some(r) = &role {
        push_query(&mut query, "role", r);
    }
    let mut req = HttpRequest::new(
        Method::Get,
        tailnet_path(tailnet, &["users"]),
        Expect::List("users", USER_FIELDS),
    );
    req.query = query;
    finish(input, req).map_err(Error::Validation)
}

/// `GET /users/{userId}`.
pub fn get<J: Json>(id: J) -> Result<HttpRequest, Error> {
    let id = id_only("userId", id)?;
    Ok(HttpRequest::new(
        Method::Get,
        api_path(&["users", &id]),
        Expect::Object(USER_FIELDS),
    ))
}

const TYPES_MESSAGE: &str = "must be \"member\", \"shared\" or \"all\"";
const ROLES_MESSAGE: &str = "must be \"owner\", \"member\", \"admin\", \"it-admin\", \"network-admin\", \"billing-admin\", \"auditor\" or \"all\"";

fn one_of(value: &str, allowed: &[&str], message: &str) -> Rule {
    match allowed.contains(&value) {
        true => Ok(()),
        false => Err(message.into()),
    }
}
