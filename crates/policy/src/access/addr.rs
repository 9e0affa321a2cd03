//! Addresses, prefixes and interval sets: every selector resolves to these once, and every
//! query is a lookup in them. Both families share one code path through `u128` values (an IPv4
//! address is its 32 bits), kept apart by an index (`V4`, `V6`): a v4 prefix never covers a v6
//! address, as in Go's `netip.Prefix.Contains` (4-in-6 addresses are not unmapped).

use tailscale_wire::text::decimal;

/// Family index of IPv4 values in a `[_; 2]`.
pub const V4: usize = 0;
/// Family index of IPv6 values.
pub const V6: usize = 1;

/// One IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub family: usize,
    pub bits: u128,
}

/// The largest value of a family.
pub fn max_of(family: usize) -> u128 {
    if family == V4 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    }
}

fn width(family: usize) -> u32 {
    if family == V4 {
        32
    } else {
        128
    }
}

impl Addr {
    #[cfg(test)]
    pub fn v4(a: u8, b: u8, c: u8, d: u8) -> Addr {
        Addr {
            family: V4,
            bits: u128::from(u32::from_be_bytes([a, b, c, d])),
        }
    }

    /// `1.2.3.4` or `fd7a::1` (no brackets, no zone). `str::parse` reads both without
    /// `core::fmt`; it refuses leading zeros in IPv4 octets, as Go's `netip` does.
    pub fn parse(s: &str) -> Option<Addr> {
        if s.contains(':') {
            s.parse::<core::net::Ipv6Addr>().ok().map(|a| Addr {
                family: V6,
                bits: u128::from(a),
            })
        } else {
            s.parse::<core::net::Ipv4Addr>().ok().map(|a| Addr {
                family: V4,
                bits: u128::from(u32::from(a)),
            })
        }
    }

    /// The address as Tailscale prints it: dotted quad, or RFC 5952 for IPv6.
    pub fn print(&self) -> String {
        if self.family == V4 {
            let b = (self.bits as u32).to_be_bytes();
            let mut out = String::with_capacity(15);
            for (i, octet) in b.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&decimal(u64::from(*octet)));
            }
            return out;
        }
        let groups: Vec<u16> = (0..8)
            .map(|i| (self.bits >> (112 - 16 * i)) as u16)
            .collect();
        // The longest run of two or more zero groups becomes "::" (the first if tied).
        let (mut best, mut best_len, mut run, mut run_len) = (8, 0, 0, 0);
        for (i, g) in groups.iter().enumerate() {
            if *g == 0 {
                if run_len == 0 {
                    run = i;
                }
                run_len += 1;
                if run_len > best_len {
                    best = run;
                    best_len = run_len;
                }
            } else {
                run_len = 0;
            }
        }
        if best_len < 2 {
            best = 8;
        }
        let mut out = String::with_capacity(39);
        let mut i = 0;
        while i < 8 {
            if i == best {
                out.push_str("::");
                i += best_len;
                continue;
            }
            if i > 0 && !out.ends_with(':') {
                out.push(':');
            }
            push_hex(&mut out, groups.get(i).copied().unwrap_or(0));
            i += 1;
        }
        out
    }
}

fn push_hex(out: &mut String, g: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12, 8, 4, 0] {
        let d = usize::from((g >> shift) & 0xf);
        if d != 0 || started || shift == 0 {
            started = true;
            out.push(char::from(HEX.get(d).copied().unwrap_or(b'0')));
        }
    }
}

/// An IP prefix; `len` is the prefix length. Host bits are cleared when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Prefix {
    pub addr: Addr,
    pub len: u32,
}

impl Prefix {
    /// The prefix of one address.
    pub fn host(addr: Addr) -> Prefix {
        Prefix {
            addr,
            len: width(addr.family),
        }
    }

    /// `a.b.c.d/n`, `x::y/n`, or a bare address (a host prefix).
    pub fn parse(s: &str) -> Option<Prefix> {
        let (a, n) = match s.split_once('/') {
            Some((a, n)) => (a, Some(n)),
            None => (s, None),
        };
        let addr = Addr::parse(a)?;
        let max = width(addr.family);
        let len = match n {
            None => max,
            Some(n) if !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()) => {
                n.parse::<u32>().ok().filter(|l| *l <= max)?
            }
            Some(_) => return None,
        };
        let (lo, _) = span(addr.family, addr.bits, len);
        Some(Prefix {
            addr: Addr {
                family: addr.family,
                bits: lo,
            },
            len,
        })
    }

    pub fn family(&self) -> usize {
        self.addr.family
    }

    /// First and last address.
    pub fn range(&self) -> (u128, u128) {
        span(self.addr.family, self.addr.bits, self.len)
    }

    pub fn is_default(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, a: Addr) -> bool {
        let (lo, hi) = self.range();
        a.family == self.addr.family && lo <= a.bits && a.bits <= hi
    }

    pub fn print(&self) -> String {
        let mut out = self.addr.print();
        out.push('/');
        out.push_str(&decimal(u64::from(self.len)));
        out
    }
}

fn span(family: usize, bits: u128, len: u32) -> (u128, u128) {
    let w = width(family);
    let host = w - len.min(w);
    let mask = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    let lo = bits & !mask & max_of(family);
    (lo, lo | (mask & max_of(family)))
}

/// A set of values as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ranges(pub Vec<(u128, u128)>);

impl Ranges {
    pub fn single(lo: u128, hi: u128) -> Ranges {
        Ranges(vec![(lo.min(hi), lo.max(hi))])
    }

    /// Any ranges, in any order, overlapping or not.
    pub fn from_unsorted(mut v: Vec<(u128, u128)>) -> Ranges {
        v.retain(|(lo, hi)| lo <= hi);
        v.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Ranges(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, x: u128) -> bool {
        let i = self.0.partition_point(|(lo, _)| *lo <= x);
        i > 0 && self.0.get(i - 1).is_some_and(|(_, hi)| x <= *hi)
    }

    /// Whether every value of `lo..=hi` is in the set.
    pub fn covers(&self, lo: u128, hi: u128) -> bool {
        let i = self.0.partition_point(|(l, _)| *l <= lo);
        i > 0 && self.0.get(i - 1).is_some_and(|(l, h)| *l <= lo && hi <= *h)
    }

    pub fn overlaps(&self, lo: u128, hi: u128) -> bool {
        let i = self.0.partition_point(|(_, h)| *h < lo);
        self.0.get(i).is_some_and(|(l, _)| *l <= hi)
    }

    pub fn union(&self, other: &Ranges) -> Ranges {
        let mut all = Vec::with_capacity(self.0.len() + other.0.len());
        all.extend_from_slice(&self.0);
        all.extend_from_slice(&other.0);
        Ranges::from_unsorted(all)
    }

    pub fn intersect(&self, other: &Ranges) -> Ranges {
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while let (Some(a), Some(b)) = (self.0.get(i), other.0.get(j)) {
            let lo = a.0.max(b.0);
            let hi = a.1.min(b.1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Ranges(out)
    }

    pub fn subtract(&self, other: &Ranges) -> Ranges {
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.0 {
            let mut cur = lo;
            let mut done = false;
            while let Some(&(blo, bhi)) = other.0.get(j) {
                if bhi < cur {
                    j += 1;
                    continue;
                }
                if blo > hi {
                    break;
                }
                if blo > cur {
                    out.push((cur, blo - 1));
                }
                if bhi >= hi {
                    done = true;
                    break;
                }
                cur = bhi + 1;
                j += 1;
            }
            if !done {
                out.push((cur, hi));
            }
        }
        Ranges(out)
    }

    pub fn is_subset_of(&self, other: &Ranges) -> bool {
        self.0.iter().all(|(lo, hi)| other.covers(*lo, *hi))
    }
}

/// Addresses of both families.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrSet(pub [Ranges; 2]);

impl AddrSet {
    pub fn new() -> AddrSet {
        AddrSet::default()
    }

    pub fn of_prefix(p: &Prefix) -> AddrSet {
        let mut s = AddrSet::new();
        let (lo, hi) = p.range();
        if let Some(r) = s.0.get_mut(p.family()) {
            *r = Ranges::single(lo, hi);
        }
        s
    }

    /// Every address of both families.
    pub fn all() -> AddrSet {
        AddrSet([Ranges::single(0, max_of(V4)), Ranges::single(0, max_of(V6))])
    }

    pub fn family(&self, f: usize) -> &Ranges {
        static EMPTY: Ranges = Ranges(Vec::new());
        self.0.get(f).unwrap_or(&EMPTY)
    }

    pub fn contains(&self, a: Addr) -> bool {
        self.family(a.family).contains(a.bits)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Ranges::is_empty)
    }

    pub fn union(&self, o: &AddrSet) -> AddrSet {
        AddrSet([self.0[V4].union(&o.0[V4]), self.0[V6].union(&o.0[V6])])
    }

    pub fn intersect(&self, o: &AddrSet) -> AddrSet {
        AddrSet([
            self.0[V4].intersect(&o.0[V4]),
            self.0[V6].intersect(&o.0[V6]),
        ])
    }

    pub fn subtract(&self, o: &AddrSet) -> AddrSet {
        AddrSet([self.0[V4].subtract(&o.0[V4]), self.0[V6].subtract(&o.0[V6])])
    }
}

fn prefixes(list: &[&str]) -> AddrSet {
    let mut out = AddrSet::new();
    for p in list.iter().filter_map(|s| Prefix::parse(s)) {
        out = out.union(&AddrSet::of_prefix(&p));
    }
    out
}

/// What `*` means as a source, before approved routes are added: Tailscale's CGNAT range
/// without the ChromeOS VM range, and Tailscale's ULA range (captures routes-b18, grant-j1).
pub fn tailnet_ranges() -> AddrSet {
    prefixes(&["100.64.0.0/10", "fd7a:115c:a1e0::/48"]).subtract(&prefixes(&["100.115.92.0/23"]))
}

/// `autogroup:internet` at an exit node: IPv4 without 10/8, 100.64/10, 169.254/16, 172.16/12 and
/// 192.168/16; IPv6 2000::/3 only (routes-b17, the same in every capture that has it).
pub fn internet_ranges() -> AddrSet {
    prefixes(&["0.0.0.0/0", "2000::/3"]).subtract(&prefixes(&[
        "10.0.0.0/8",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
    ]))
}

/// The text of a range: a prefix when it is one (`10.0.0.0/24`, a host without `/32`), else
/// `first-last`.
pub fn print_range(family: usize, lo: u128, hi: u128) -> String {
    let w = width(family);
    let size = hi.wrapping_sub(lo);
    let host_bits = if size == u128::MAX {
        128
    } else {
        128 - (size + 1).leading_zeros() - 1
    };
    let aligned = (size == u128::MAX || (size + 1).is_power_of_two())
        && (host_bits >= 128 || lo & ((1u128 << host_bits) - 1) == 0);
    let a = Addr { family, bits: lo };
    if aligned && host_bits == 0 {
        return a.print();
    }
    if aligned && host_bits <= w {
        return Prefix {
            addr: a,
            len: w - host_bits,
        }
        .print();
    }
    let mut out = a.print();
    out.push('-');
    out.push_str(&Addr { family, bits: hi }.print());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_go() {
        for s in [
            "100.64.0.1",
            "fd7a:115c:a1e0::1",
            "::",
            "::1",
            "2001:db8::8:800:200c:417a",
            "2001:db8:0:1:1:1:1:1",
            "1::",
        ] {
            assert_eq!(Addr::parse(s).map(|a| a.print()).as_deref(), Some(s));
        }
        assert_eq!(
            Prefix::parse("10.1.2.3/8").map(|p| p.print()).as_deref(),
            Some("10.0.0.0/8")
        );
        assert!(Prefix::parse("10.0.0.0/33").is_none());
        assert!(Prefix::parse("010.0.0.1").is_none());
        assert_eq!(print_range(V4, 167772160, 167772415), "10.0.0.0/24");
        assert_eq!(print_range(V4, 5, 5), "0.0.0.5");
        assert_eq!(print_range(V4, 1, 2), "0.0.0.1-0.0.0.2");
        assert_eq!(print_range(V6, 0, u128::MAX), "::/0");
        assert_eq!(print_range(V4, 0, u128::from(u32::MAX)), "0.0.0.0/0");
    }

    #[test]
    fn set_algebra() {
        let a = Ranges::from_unsorted(vec![(10, 20), (0, 3), (21, 25), (4, 4)]);
        assert_eq!(a.0, vec![(0, 4), (10, 25)]);
        let b = Ranges::from_unsorted(vec![(2, 12), (24, 30)]);
        assert_eq!(a.intersect(&b).0, vec![(2, 4), (10, 12), (24, 25)]);
        assert_eq!(a.subtract(&b).0, vec![(0, 1), (13, 23)]);
        assert_eq!(a.union(&b).0, vec![(0, 30)]);
        assert!(a.contains(4) && !a.contains(5) && a.contains(25) && !a.contains(26));
        assert!(a.covers(11, 25) && !a.covers(3, 11));
        assert!(a.overlaps(5, 10) && !a.overlaps(5, 9));
        let internet = internet_ranges();
        assert!(internet.contains(Addr::v4(8, 8, 8, 8)));
        assert!(!internet.contains(Addr::v4(192, 168, 1, 1)));
        assert!(!tailnet_ranges().contains(Addr::v4(100, 115, 92, 1)));
        assert!(tailnet_ranges().contains(Addr::v4(100, 115, 94, 1)));
    }
}
