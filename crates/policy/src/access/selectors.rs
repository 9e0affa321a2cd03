//! Selectors (`*`, users, `group:`, `tag:`, hosts, addresses and CIDRs, `ipset:`, autogroups)
//! resolved once each, per side, to a [`Target`]: the devices it names (all their addresses) and
//! the addresses it names, plus what part of it the model cannot know.
//!
//! A tagged device belongs to its tags, never to its user (captures acl-u01, acl-a01). Device
//! selectors give both addresses of a device; literals and hosts give exactly their prefix, of
//! one family (acl-w03, routes-r8).

use super::addr::{internet_ranges, AddrSet, Prefix, Ranges, V4, V6};
use super::defs::Defs;
use super::tailnet::Tailnet;
use tailscale_wire::text::{cat, quoted};

/// A part of a selector the model cannot resolve, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
    /// Only addresses of no listed device may be in it (the devices of users outside the
    /// tailnet); otherwise any address may.
    pub unlisted_only: bool,
    /// Only addresses in the tailnet's ranges may be in it (a device's Tailscale address, as a
    /// shared-in user's device has); a host behind a router or on the internet is not.
    pub tailnet_only: bool,
}

/// What a selector resolves to.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub text: String,
    /// Devices named by identity (tag, user, group, autogroup), sorted: all their addresses.
    pub devices: Vec<u32>,
    /// Addresses named as such (`*`, hosts, literals, ipsets, internet, danger-all).
    pub addrs: AddrSet,
    /// The part of `addrs` an exit node receives (dst only): `*`, `autogroup:internet`, and
    /// pieces inside public space or on an exit node's own addresses or routes (semantics.md
    /// §2 and §6).
    pub exit: AddrSet,
    pub unknown: Option<Unknown>,
}

/// The side of a rule a selector is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Src,
    Dst,
}

/// Why a selector does not resolve: the rule's section words the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelError {
    TagNotFound(String),
    SelfOnSrc,
    DangerAllDst,
    /// `0.0.0.0/0` or `::/0` as a grant's destination.
    AllAddresses,
    Other(String),
}

/// A resolved selector: a target, or `autogroup:self` (per destination device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sel {
    Target(u32),
    SelfDst,
}

/// The role autogroups: devices of users with that role (`User.role`).
const ROLES: [&str; 6] = [
    "admin",
    "owner",
    "network-admin",
    "it-admin",
    "billing-admin",
    "auditor",
];

/// Every target resolved so far, and the memo that makes each selector resolve once per side.
#[derive(Debug, Default)]
pub struct Selectors {
    pub targets: Vec<Target>,
    memo: Vec<((u8, String), Result<Sel, SelError>)>,
    /// Warnings about selectors, once each.
    pub notes: Vec<(String, String)>,
    exit_local: Option<AddrSet>,
}

impl Selectors {
    pub fn resolve(
        &mut self,
        text: &str,
        side: Side,
        grant: bool,
        defs: &Defs,
        tailnet: &Tailnet,
    ) -> Result<Sel, SelError> {
        let key = (
            match (side, grant) {
                (Side::Src, _) => 0u8,
                (Side::Dst, false) => 1,
                (Side::Dst, true) => 2,
            },
            text.to_owned(),
        );
        let at = self.memo.binary_search_by(|(k, _)| k.cmp(&key));
        if let Some((_, r)) = at.ok().and_then(|i| self.memo.get(i)) {
            return r.clone();
        }
        let r = self.compute(text, side, grant, defs, tailnet);
        self.memo.insert(at.unwrap_or_else(|i| i), (key, r.clone()));
        r
    }

    pub fn target(&self, id: u32) -> Option<&Target> {
        self.targets.get(id as usize)
    }

    fn note(&mut self, text: &str, why: String) {
        if !self.notes.iter().any(|(t, _)| t == text) {
            self.notes.push((text.to_owned(), why));
        }
    }

    fn push(&mut self, t: Target) -> Result<Sel, SelError> {
        self.targets.push(t);
        Ok(Sel::Target(self.targets.len() as u32 - 1))
    }

    fn compute(
        &mut self,
        text: &str,
        side: Side,
        grant: bool,
        defs: &Defs,
        tailnet: &Tailnet,
    ) -> Result<Sel, SelError> {
        let mut t = Target {
            text: text.to_owned(),
            ..Target::default()
        };
        let unknown = |reason: String| Unknown {
            reason,
            unlisted_only: false,
            tailnet_only: false,
        };
        if text == "*" {
            match side {
                // semantics.md §1: the tailnet's ranges and every approved subnet route.
                Side::Src => t.addrs = tailnet.star_src.clone(),
                Side::Dst => {
                    t.addrs = AddrSet::all();
                    t.exit = AddrSet::all();
                }
            }
            return self.push(t);
        }
        if let Some(name) = text.strip_prefix("autogroup:") {
            let devices = |keep: &dyn Fn(u32) -> bool| -> Vec<u32> {
                (0..tailnet.devices.len() as u32)
                    .filter(|i| keep(*i))
                    .collect()
            };
            match (name, side) {
                ("self", Side::Src) => return Err(SelError::SelfOnSrc),
                ("self", Side::Dst) => return Ok(Sel::SelfDst),
                ("member" | "members", _) => {
                    t.devices = devices(&|i| {
                        tailnet.device(i).is_some_and(|d| {
                            !d.external
                                && d.owner().is_some_and(|o| {
                                    tailnet
                                        .user(o)
                                        .is_none_or(|u| u.kind.as_deref() != Some("shared"))
                                })
                        })
                    });
                }
                ("tagged", _) => {
                    t.devices = devices(&|i| {
                        tailnet
                            .device(i)
                            .is_some_and(|d| d.is_tagged() && !d.external)
                    });
                }
                ("internet", Side::Dst) => {
                    t.addrs = internet_ranges();
                    t.exit = internet_ranges();
                }
                ("internet", Side::Src) => return Err(SelError::Other(
                    "autogroup:internet is a destination only (the internet through exit nodes)"
                        .into(),
                )),
                ("danger-all", Side::Src) => t.addrs = AddrSet::all(),
                ("danger-all", Side::Dst) => return Err(SelError::DangerAllDst),
                ("shared", Side::Src) => {
                    t.devices = devices(&|i| {
                        tailnet.device(i).is_some_and(|d| {
                            d.owner().is_some_and(|o| {
                                tailnet
                                    .user(o)
                                    .is_some_and(|u| u.kind.as_deref() == Some("shared"))
                            })
                        })
                    });
                    t.unknown = Some(Unknown {
                        reason: "autogroup:shared: the devices of users outside the tailnet who accepted a share are not in the device list".into(),
                        unlisted_only: true,
                        tailnet_only: true,
                    });
                }
                ("shared", Side::Dst) => {
                    return Err(SelError::Other("autogroup:shared is a source only".into()))
                }
                ("nonroot", _) => {
                    return Err(SelError::Other(
                        "autogroup:nonroot is only for the users of ssh rules".into(),
                    ))
                }
                (role, _) if ROLES.contains(&role) => {
                    if tailnet.users.is_none() {
                        t.unknown = Some(unknown(cat(&[
                            text,
                            ": the users' roles were not given (users.list)",
                        ])));
                    } else {
                        // The owner holds every admin right (nodeattrs-target-a10: the
                        // owner's devices are in autogroup:admin).
                        let wanted: &[&str] = if role == "admin" {
                            &["admin", "owner"]
                        } else {
                            std::slice::from_ref(&role)
                        };
                        t.devices = devices(&|i| {
                            tailnet.device(i).is_some_and(|d| {
                                d.owner().is_some_and(|o| {
                                    tailnet.user(o).is_some_and(|u| {
                                        u.role.as_deref().is_some_and(|r| wanted.contains(&r))
                                    })
                                })
                            })
                        });
                    }
                }
                _ => {
                    let why = cat(&[
                        text,
                        " is not an autogroup this engine knows (from a newer Tailscale?)",
                    ]);
                    self.note(text, why.clone());
                    t.unknown = Some(unknown(why));
                }
            }
            return self.push(t);
        }
        if text.starts_with("tag:") {
            if !defs.has_tag(text) {
                return Err(SelError::TagNotFound(text.to_owned()));
            }
            t.devices = tailnet.tagged_with(text).collect();
            t.devices.sort_unstable();
            return self.push(t);
        }
        if text.starts_with("group:") {
            if text.contains('@') {
                t.unknown = Some(unknown(cat(&[
                    text,
                    " is synced by SCIM: its members are not in the API",
                ])));
                return self.push(t);
            }
            let Some(members) = defs.group(text) else {
                return Err(SelError::Other(cat(&[
                    "group ",
                    &quoted(text),
                    " is not defined in groups",
                ])));
            };
            for m in members.iter().filter(|m| !m.starts_with("group:")) {
                t.devices.extend(tailnet.owned_by(m));
            }
            t.devices.sort_unstable();
            t.devices.dedup();
            return self.push(t);
        }
        if let Some(domain) = text.strip_prefix("user:*@") {
            // Every user whose login is in the domain (grant-k20, grant-k21). SaaS refuses a
            // domain not associated with the tailnet, which the API does not tell.
            self.note(
                text,
                cat(&[
                    "Tailscale refuses ",
                    text,
                    " unless ",
                    domain,
                    " is a domain of the tailnet, which the model cannot check",
                ]),
            );
            let suffix = cat(&["@", domain]);
            t.devices = (0..tailnet.devices.len() as u32)
                .filter(|i| {
                    tailnet
                        .device(*i)
                        .and_then(|d| d.owner())
                        .is_some_and(|o| o.ends_with(&suffix))
                })
                .collect();
            return self.push(t);
        }
        if text.starts_with("ipset:") {
            return match defs.ipset(text) {
                None => Err(SelError::Other(cat(&[
                    "ipset ",
                    &quoted(text),
                    " is not defined in ipsets",
                ]))),
                Some(Err(why)) => Err(SelError::Other(why.clone())),
                Some(Ok(set)) => {
                    t.addrs = set.clone();
                    if side == Side::Dst {
                        t.exit = self.exit_part(set, tailnet);
                    }
                    self.push(t)
                }
            };
        }
        if text.starts_with("svc:") {
            // A Service has addresses of its own, never a listed device's.
            t.unknown = Some(Unknown {
                reason: cat(&[
                    text,
                    ": the addresses of Tailscale Services are not in the device list",
                ]),
                unlisted_only: true,
                tailnet_only: false,
            });
            return self.push(t);
        }
        if text.contains('@') {
            t.devices = tailnet.owned_by(text).collect();
            t.devices.sort_unstable();
            return self.push(t);
        }
        let prefix = defs.host(text).copied().or_else(|| Prefix::parse(text));
        if let Some(p) = prefix {
            if side == Side::Dst && grant && p.is_default() {
                return Err(SelError::AllAddresses);
            }
            t.addrs = AddrSet::of_prefix(&p);
            if side == Side::Dst {
                t.exit = self.exit_part(&t.addrs, tailnet);
            }
            return self.push(t);
        }
        if let Some((kind, _)) = text.split_once(':') {
            if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                let why = cat(&[
                    text,
                    ": \"",
                    kind,
                    ":\" selectors are not known to this engine (from a newer Tailscale?)",
                ]);
                self.note(text, why.clone());
                t.unknown = Some(unknown(why));
                return self.push(t);
            }
        }
        Err(SelError::Other(cat(&[
            &quoted(text),
            " is not a user, group, tag, host, IP address or CIDR",
        ])))
    }

    /// The pieces of `set` an exit node receives: each range inside public space, or touching
    /// an exit node's own addresses or approved routes (model of semantics.md §2).
    fn exit_part(&mut self, set: &AddrSet, tailnet: &Tailnet) -> AddrSet {
        let local = self
            .exit_local
            .get_or_insert_with(|| {
                let mut local = AddrSet::new();
                for f in [V4, V6] {
                    for &e in tailnet.exits.get(f).map_or(&[][..], |v| v.as_slice()) {
                        let Some(d) = tailnet.device(e) else { continue };
                        for a in &d.addresses {
                            local = local.union(&AddrSet::of_prefix(&Prefix::host(*a)));
                        }
                        for r in d.routes().filter(|r| !r.is_default()) {
                            local = local.union(&AddrSet::of_prefix(r));
                        }
                    }
                }
                local
            })
            .clone();
        let public = internet_ranges();
        let mut out = AddrSet::new();
        for f in [V4, V6] {
            let keep: Vec<(u128, u128)> = set
                .family(f)
                .0
                .iter()
                .filter(|(lo, hi)| {
                    public.family(f).covers(*lo, *hi) || local.family(f).overlaps(*lo, *hi)
                })
                .copied()
                .collect();
            if let Some(slot) = out.0.get_mut(f) {
                *slot = Ranges::from_unsorted(keep);
            }
        }
        out
    }
}
