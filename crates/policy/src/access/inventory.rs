//! The tailnet the policy is about: devices as `devices.list({ fields: "all" })` returns them,
//! users as `users.list()` returns them, and posture attributes per device. Every field is
//! optional but the device's `nodeId`; a field of the wrong type is an error, as is an address
//! or `nodeId` two devices share.

use super::addr::{Addr, Prefix, V4, V6};
use crate::posture::{scalar_attributes, Attributes};
use tailscale_wire::error::{index_field, member_field, Issue};
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::text::cat;

/// One device, as far as access goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Device {
    pub node_id: String,
    /// Its MagicDNS name, else its hostname, else its `nodeId`: what answers name it by.
    pub name: String,
    pub addresses: Vec<Addr>,
    pub tags: Vec<String>,
    /// The owner's login as the list gives it. A tagged device belongs to its tags: rules
    /// never reach it through this (captures acl-u01, acl-a01).
    pub user: Option<String>,
    /// Shared into this tailnet from another (`isExternal`): postures do not apply to it.
    pub external: bool,
    /// Routes an admin (or an auto-approver) approved: `enabledRoutes`.
    pub enabled_routes: Vec<Prefix>,
    /// Routes the device offers: `advertisedRoutes`. `None` when the list did not carry them.
    pub advertised_routes: Option<Vec<Prefix>>,
    /// Its posture attributes; `None`: not given, so whatever depends on them is indeterminate.
    pub attributes: Option<Attributes>,
}

impl Device {
    pub fn is_tagged(&self) -> bool {
        !self.tags.is_empty()
    }

    /// The user whose device this is for user, group and `autogroup:self` selectors.
    pub fn owner(&self) -> Option<&str> {
        if self.is_tagged() {
            None
        } else {
            self.user.as_deref()
        }
    }

    /// Its first address of a family.
    pub fn address(&self, family: usize) -> Option<Addr> {
        self.addresses.iter().copied().find(|a| a.family == family)
    }

    /// Routes in effect: approved, and advertised when the list says what is advertised.
    pub fn routes(&self) -> impl Iterator<Item = &Prefix> {
        self.enabled_routes.iter().filter(move |r| {
            self.advertised_routes
                .as_ref()
                .is_none_or(|adv| adv.contains(r))
        })
    }

    /// Routes the device offers, approved or not (what its own filter counts as local).
    pub fn offered(&self) -> impl Iterator<Item = &Prefix> {
        self.advertised_routes
            .as_deref()
            .unwrap_or(&self.enabled_routes)
            .iter()
    }

    pub fn is_exit_node(&self, family: usize) -> bool {
        self.routes()
            .any(|r| r.is_default() && r.family() == family)
    }
}

/// A user's role and type (`member` or `shared`), by login.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    pub login: String,
    pub role: Option<String>,
    pub kind: Option<String>,
}

/// Devices and users, checked: no two devices share a `nodeId` or an address.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub devices: Vec<Device>,
    /// `None` when no user list was given: role and `autogroup:shared` selectors are then
    /// indeterminate.
    pub users: Option<Vec<User>>,
}

impl Inventory {
    /// Reads the three JSON arguments of `AccessModel.build`. `Err` lists every problem.
    pub fn read<J: Json>(
        devices: &J,
        users: Option<&J>,
        attributes: Option<&J>,
    ) -> Result<Inventory, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut list = Vec::new();
        if devices.kind() == Kind::Array {
            for (i, d) in devices.items().iter().enumerate() {
                if let Some(device) = read_device(d, &index_field("devices", i), &mut issues) {
                    list.push(device);
                }
            }
        } else {
            issues.push(Issue::new(
                "devices",
                "must be an array of devices (as devices.list returns them)",
            ));
        }
        let users = users
            .filter(|u| !u.is_null())
            .map(|u| read_users(u, &mut issues));
        if let Some(attrs) = attributes.filter(|a| !a.is_null()) {
            read_attributes(attrs, &mut list, &mut issues);
        }
        let inventory = Inventory {
            devices: list,
            users,
        };
        issues.extend(inventory.clashes());
        if issues.is_empty() {
            Ok(inventory)
        } else {
            Err(issues)
        }
    }

    /// Two devices with one `nodeId` or one address: the list cannot be a tailnet's.
    pub fn clashes(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let mut ids: Vec<(&str, usize)> = self
            .devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d.node_id.as_str(), i))
            .collect();
        ids.sort_unstable();
        for w in ids.windows(2) {
            if let [(a, i), (b, j)] = w {
                if a == b {
                    issues.push(Issue::new(
                        member_field(&index_field("devices", *j), "nodeId"),
                        cat(&["is also the nodeId of ", &index_field("devices", *i)]),
                    ));
                }
            }
        }
        let mut addrs: Vec<(Addr, usize)> = self
            .devices
            .iter()
            .enumerate()
            .flat_map(|(i, d)| d.addresses.iter().map(move |a| (*a, i)))
            .collect();
        addrs.sort_unstable();
        for w in addrs.windows(2) {
            if let [(a, i), (b, j)] = w {
                if a == b && i != j {
                    issues.push(Issue::new(
                        member_field(&index_field("devices", *j), "addresses"),
                        cat(&[
                            &a.print(),
                            " is also an address of ",
                            &index_field("devices", *i),
                        ]),
                    ));
                }
            }
        }
        issues
    }

    pub fn user(&self, login: &str) -> Option<&User> {
        self.users.as_ref()?.iter().find(|u| u.login == login)
    }
}

/// A list of strings, or none when absent.
fn strings<J: Json>(v: Option<J>, at: &str, key: &str, issues: &mut Vec<Issue>) -> Vec<String> {
    let Some(v) = v else {
        return Vec::new();
    };
    if !v.is_array() {
        issues.push(Issue::new(
            member_field(at, key),
            "must be an array of strings",
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in v.items().iter().enumerate() {
        match item.as_string() {
            Some(s) => out.push(s),
            None => issues.push(Issue::new(
                index_field(&member_field(at, key), i),
                "must be a string",
            )),
        }
    }
    out
}

fn text<J: Json>(d: &J, key: &'static str, at: &str, issues: &mut Vec<Issue>) -> Option<String> {
    let v = d.member(key)?;
    let s = v.as_string();
    if s.is_none() {
        issues.push(Issue::new(member_field(at, key), "must be a string"));
    }
    s
}

fn prefix_list<J: Json>(v: Option<J>, at: &str, key: &str, issues: &mut Vec<Issue>) -> Vec<Prefix> {
    let mut out = Vec::new();
    for (i, s) in strings(v, at, key, issues).iter().enumerate() {
        match Prefix::parse(s) {
            Some(p) => out.push(p),
            None => issues.push(Issue::new(
                index_field(&member_field(at, key), i),
                "must be a CIDR prefix such as 10.0.0.0/24",
            )),
        }
    }
    out
}

// Members are read with `member`: their names are made JS strings once for all devices.
fn read_device<J: Json>(d: &J, at: &str, issues: &mut Vec<Issue>) -> Option<Device> {
    if !d.is_record() {
        issues.push(Issue::new(at, "must be a device (an object)"));
        return None;
    }
    let node_id = text(d, "nodeId", at, issues).or_else(|| text(d, "id", at, issues));
    let Some(node_id) = node_id.filter(|n| !n.is_empty()) else {
        issues.push(Issue::new(
            member_field(at, "nodeId"),
            "is required: answers name devices by it",
        ));
        return None;
    };
    let name = text(d, "name", at, issues);
    let hostname = text(d, "hostname", at, issues);
    let mut addresses = Vec::new();
    for (i, s) in strings(d.member("addresses"), at, "addresses", issues)
        .iter()
        .enumerate()
    {
        match Addr::parse(s) {
            Some(a) => addresses.push(a),
            None => issues.push(Issue::new(
                index_field(&member_field(at, "addresses"), i),
                "must be an IP address",
            )),
        }
    }
    addresses.sort_unstable();
    addresses.dedup();
    let external = match d.member("isExternal") {
        None => false,
        Some(v) => v.as_bool().unwrap_or_else(|| {
            issues.push(Issue::new(
                member_field(at, "isExternal"),
                "must be a boolean",
            ));
            false
        }),
    };
    let advertised = d
        .member("advertisedRoutes")
        .map(|v| prefix_list(Some(v), at, "advertisedRoutes", issues));
    Some(Device {
        name: name
            .filter(|n| !n.is_empty())
            .or(hostname)
            .unwrap_or_else(|| node_id.clone()),
        node_id,
        addresses,
        tags: strings(d.member("tags"), at, "tags", issues),
        user: text(d, "user", at, issues).filter(|u| !u.is_empty()),
        external,
        enabled_routes: prefix_list(d.member("enabledRoutes"), at, "enabledRoutes", issues),
        advertised_routes: advertised,
        attributes: None,
    })
}

fn read_users<J: Json>(users: &J, issues: &mut Vec<Issue>) -> Vec<User> {
    if users.kind() != Kind::Array {
        issues.push(Issue::new(
            "users",
            "must be an array of users (as users.list returns them)",
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, u) in users.items().iter().enumerate() {
        let at = index_field("users", i);
        if u.kind() != Kind::Object {
            issues.push(Issue::new(at, "must be a user (an object)"));
            continue;
        }
        let login = text(u, "loginName", &at, issues);
        let role = text(u, "role", &at, issues);
        let kind = text(u, "type", &at, issues);
        if let Some(login) = login {
            out.push(User { login, role, kind });
        }
    }
    out
}

fn read_attributes<J: Json>(attrs: &J, devices: &mut [Device], issues: &mut Vec<Issue>) {
    if attrs.kind() != Kind::Object {
        issues.push(Issue::new(
            "attributes",
            "must be an object of nodeId to attributes",
        ));
        return;
    }
    let mut by_id: Vec<(String, usize)> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| (d.node_id.clone(), i))
        .collect();
    by_id.sort_unstable();
    for (key, value) in attrs.entries() {
        let at = member_field("attributes", &key);
        if value.kind() != Kind::Object {
            issues.push(Issue::new(
                at,
                "must be an object of attribute names to strings, numbers or booleans",
            ));
            continue;
        }
        let Ok(parsed) = scalar_attributes(&value) else {
            issues.push(Issue::new(
                at,
                "values must be strings, numbers or booleans",
            ));
            continue;
        };
        // An entry for a device the list does not hold is left aside: it decides nothing.
        let found = by_id
            .binary_search_by(|(id, _)| id.as_str().cmp(key.as_str()))
            .ok()
            .and_then(|i| by_id.get(i));
        if let Some(d) = found.and_then(|(_, i)| devices.get_mut(*i)) {
            d.attributes = Some(parsed);
        }
    }
}

/// The family of an address as words, for answers.
pub fn family_name(f: usize) -> &'static str {
    if f == V6 {
        "IPv6"
    } else if f == V4 {
        "IPv4"
    } else {
        "IP"
    }
}
