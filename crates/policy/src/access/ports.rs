//! Protocols and ports, as SaaS compiles them (semantics.md §3) and as `wgengine/filter`
//! matches a packet: TCP, UDP and SCTP by port; ICMP echo by any open port of the destination;
//! any other protocol only where a rule opens it on every port.

use super::addr::{Ranges, V4};
use tailscale_wire::text::{cat, decimal, join, quoted};

pub const ICMP: u8 = 1;
pub const TCP: u8 = 6;
pub const UDP: u8 = 17;
pub const ICMP6: u8 = 58;
pub const SCTP: u8 = 132;
/// What an ACL without `proto`, a grant's `*` and a bare port mean: TCP, UDP, ICMP, ICMPv6
/// (captures acl-a01, grant-k2, grant-p08-7).
pub const DEFAULT_PROTOS: [u8; 4] = [TCP, UDP, ICMP, ICMP6];
pub const MAX_PORT: u128 = 65535;

/// The IANA names the policy file documents for `proto` (kb/1337), plus `ipv6-icmp`.
const NAMES: [(&str, u8); 14] = [
    ("icmp", ICMP),
    ("igmp", 2),
    ("ipv4", 4),
    ("ip-in-ip", 4),
    ("tcp", TCP),
    ("egp", 8),
    ("igp", 9),
    ("udp", UDP),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", ICMP6),
    ("sctp", SCTP),
    ("icmpv6", ICMP6),
];

/// A protocol by name (any case) or by number 0-255.
pub fn proto_number(s: &str) -> Option<u8> {
    let lower = s.to_ascii_lowercase();
    if let Some((_, n)) = NAMES.iter().find(|(name, _)| *name == lower) {
        return Some(*n);
    }
    if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u8>().ok();
    }
    None
}

/// How a protocol is written in answers: its common name, else its number.
pub fn proto_name(p: u8) -> String {
    match p {
        ICMP => "icmp".into(),
        TCP => "tcp".into(),
        UDP => "udp".into(),
        ICMP6 => "ipv6-icmp".into(),
        SCTP => "sctp".into(),
        n => decimal(u64::from(n)),
    }
}

/// Whether a protocol's packets carry ports the filter matches.
pub fn has_ports(p: u8) -> bool {
    matches!(p, TCP | UDP | SCTP)
}

/// The ICMP echo protocol of a family: what "ping" is.
pub fn echo_of(family: usize) -> u8 {
    if family == V4 {
        ICMP
    } else {
        ICMP6
    }
}

/// Per protocol, the ports a rule opens; sorted by protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtoPorts(pub Vec<(u8, Ranges)>);

impl ProtoPorts {
    /// Every protocol and port of `other` as well.
    pub fn add_all(&mut self, other: &ProtoPorts) {
        for (proto, ranges) in &other.0 {
            self.add(&[*proto], ranges);
        }
    }

    pub fn add(&mut self, protos: &[u8], ports: &Ranges) {
        for &p in protos {
            match self.0.binary_search_by_key(&p, |(q, _)| *q) {
                Ok(i) => {
                    if let Some((_, r)) = self.0.get_mut(i) {
                        *r = r.union(ports);
                    }
                }
                Err(i) => self.0.insert(i, (p, ports.clone())),
            }
        }
    }

    pub fn ports(&self, p: u8) -> Option<&Ranges> {
        self.0
            .binary_search_by_key(&p, |(q, _)| *q)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, r)| r)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a packet of `proto` to `port` (`None`: any port) toward an address of `family`
    /// passes this rule's protocol and port test. ICMP echo rides on any open port
    /// (`matchIPsOnly`: captures grant-j1, acl-p06); protocols without ports need the rule to
    /// open all of them (`matchProtoAndIPsOnlyIfAllPorts`).
    pub fn admits(&self, proto: u8, port: Option<u16>, family: usize) -> bool {
        if proto == echo_of(family) {
            return !self.is_empty();
        }
        let Some(open) = self.ports(proto) else {
            return false;
        };
        if has_ports(proto) {
            match port {
                Some(p) => open.contains(u128::from(p)),
                None => !open.is_empty(),
            }
        } else {
            open.covers(0, MAX_PORT)
        }
    }
}

/// A port list as the policy writes it: `*`, `22`, `80,443`, `1000-2000`. `Err` carries the
/// SaaS message's tail (`port range "ssh": invalid first integer`).
pub fn parse_ports(s: &str) -> Result<Ranges, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        if part == "*" {
            out.push((0, MAX_PORT));
            continue;
        }
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (part, None),
        };
        let lo = port_number(first).ok_or_else(|| range_error(part, "invalid first integer"))?;
        let hi = match last {
            Some(b) => port_number(b).ok_or_else(|| range_error(part, "invalid last integer"))?,
            None => lo,
        };
        if lo == 0 {
            return Err(range_error(
                part,
                "first port must be >0, or use '*' for wildcard",
            ));
        }
        if hi < lo {
            // Our words: no capture shows SaaS's.
            return Err(range_error(part, "last port must not be below the first"));
        }
        out.push((u128::from(lo), u128::from(hi)));
    }
    Ok(Ranges::from_unsorted(out))
}

fn port_number(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok()
}

fn range_error(part: &str, why: &str) -> String {
    cat(&["port range ", &quoted(part), ": ", why])
}

/// A grant's `ip` entry: `*`, a port or range (TCP, UDP and ICMP: grant-k22 reads `47` as a
/// port), or `proto:ports` (`tcp:443`, `icmp:*`).
pub fn parse_ip_entry(s: &str) -> Result<(Vec<u8>, Ranges), String> {
    if s == "*" {
        return Ok((DEFAULT_PROTOS.to_vec(), Ranges::single(0, MAX_PORT)));
    }
    match s.split_once(':') {
        None => parse_ports(s).map(|r| (DEFAULT_PROTOS.to_vec(), r)),
        Some((proto, ports)) => {
            let p = proto_number(proto).ok_or_else(|| {
                // Our words: no capture has an unknown protocol name.
                cat(&["protocol ", &quoted(proto), ": unknown protocol name"])
            })?;
            parse_ports(ports).map(|r| (vec![p], r))
        }
    }
}

/// Ports as answers write them: `*` for all, else `22,80-443`.
pub fn print_ports(r: &Ranges) -> String {
    if r.covers(0, MAX_PORT) {
        return "*".into();
    }
    let parts: Vec<String> =
        r.0.iter()
            .map(|(lo, hi)| {
                if lo == hi {
                    decimal(*lo as u64)
                } else {
                    cat(&[&decimal(*lo as u64), "-", &decimal(*hi as u64)])
                }
            })
            .collect();
    join(parts.iter().map(String::as_str), ",")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_protocols() {
        assert_eq!(parse_ports("*").unwrap().0, vec![(0, 65535)]);
        assert_eq!(
            parse_ports("80,443,1000-2000").unwrap().0,
            vec![(80, 80), (443, 443), (1000, 2000)]
        );
        assert_eq!(
            parse_ports("ssh").unwrap_err(),
            "port range \"ssh\": invalid first integer"
        );
        assert_eq!(
            parse_ports("0").unwrap_err(),
            "port range \"0\": first port must be >0, or use '*' for wildcard"
        );
        assert_eq!(
            parse_ip_entry("icmp").unwrap_err(),
            "port range \"icmp\": invalid first integer"
        );
        assert_eq!(parse_ip_entry("47").unwrap().0, DEFAULT_PROTOS.to_vec());
        assert_eq!(parse_ip_entry("tcp:443").unwrap().0, vec![TCP]);
        assert_eq!(proto_number("17"), Some(UDP));
        assert_eq!(proto_number("SCTP"), Some(SCTP));
        assert_eq!(proto_number("256"), None);
        assert_eq!(print_ports(&parse_ports("22,80-443").unwrap()), "22,80-443");
    }

    #[test]
    fn filter_semantics() {
        let mut pp = ProtoPorts::default();
        pp.add(&[TCP], &Ranges::single(22, 22));
        assert!(pp.admits(TCP, Some(22), V4));
        assert!(!pp.admits(TCP, Some(23), V4));
        assert!(!pp.admits(UDP, Some(22), V4));
        assert!(pp.admits(ICMP, None, V4));
        assert!(pp.admits(ICMP6, None, 1));
        assert!(!pp.admits(ICMP, None, 1));
        pp.add(&[47], &Ranges::single(0, 10));
        assert!(!pp.admits(47, None, V4));
        pp.add(&[47], &Ranges::single(0, MAX_PORT));
        assert!(pp.admits(47, None, V4));
    }
}
