//! The inventory indexed for lookups: devices by address, tag, owner and `nodeId`; approved
//! routes and exit nodes; and a segment index that answers "which of these sets hold this
//! value" with one binary search.

use super::addr::{tailnet_ranges, Addr, AddrSet, Prefix, Ranges, V4, V6};
use super::inventory::{Device, Inventory, User};

/// For each value, which of a collection of sets hold it: the sets' boundaries, sorted, each
/// with the list of set ids that hold the values from it to the next boundary.
#[derive(Debug, Default, Clone)]
pub struct SegIndex {
    starts: Vec<u128>,
    lists: Vec<(u32, u32)>,
    pool: Vec<u32>,
}

impl SegIndex {
    pub fn build<'a>(sets: impl Iterator<Item = (u32, &'a Ranges)>) -> SegIndex {
        // (position, removal first, id): at one position removals apply before additions.
        let mut events: Vec<(u128, bool, u32)> = Vec::new();
        for (id, r) in sets {
            for &(lo, hi) in &r.0 {
                events.push((lo, true, id));
                if let Some(end) = hi.checked_add(1) {
                    events.push((end, false, id));
                }
            }
        }
        events.sort_unstable_by_key(|e| (e.0, e.1));
        let mut index = SegIndex::default();
        let mut active: Vec<u32> = Vec::new();
        let mut i = 0;
        while let Some(&(pos, _, _)) = events.get(i) {
            while let Some(&(p, add, id)) = events.get(i) {
                if p != pos {
                    break;
                }
                match (add, active.binary_search(&id)) {
                    (true, Err(at)) => active.insert(at, id),
                    (false, Ok(at)) => {
                        active.remove(at);
                    }
                    _ => {}
                }
                i += 1;
            }
            let same = index
                .lists
                .last()
                .and_then(|&(s, n)| index.pool.get(s as usize..(s + n) as usize))
                .is_some_and(|prev| prev == active.as_slice());
            if same {
                continue;
            }
            let list = (index.pool.len() as u32, active.len() as u32);
            index.pool.extend_from_slice(&active);
            index.starts.push(pos);
            index.lists.push(list);
        }
        index
    }

    /// The ids of the sets that hold `x`, sorted.
    pub fn at(&self, x: u128) -> &[u32] {
        let i = self.starts.partition_point(|s| *s <= x);
        if i == 0 {
            return &[];
        }
        self.lists
            .get(i - 1)
            .and_then(|&(s, n)| self.pool.get(s as usize..(s + n) as usize))
            .unwrap_or(&[])
    }

    /// Every boundary, with the ids from it on: the index's segments in order.
    pub fn segments(&self) -> impl Iterator<Item = (u128, &[u32])> {
        self.starts.iter().zip(&self.lists).map(|(s, &(a, n))| {
            (
                *s,
                self.pool.get(a as usize..(a + n) as usize).unwrap_or(&[]),
            )
        })
    }
}

/// The inventory and its indexes.
#[derive(Debug, Default)]
pub struct Tailnet {
    pub devices: Vec<Device>,
    pub users: Option<Vec<User>>,
    by_addr: Vec<(Addr, u32)>,
    by_tag: Vec<(String, u32)>,
    by_owner: Vec<(String, u32)>,
    by_id: Vec<(String, u32)>,
    /// Approved subnet routes (not exit routes) and their routers.
    pub routes: Vec<(Prefix, u32)>,
    route_index: [SegIndex; 2],
    /// Approved exit nodes per family.
    pub exits: [Vec<u32>; 2],
    /// `*` as a source: the tailnet's ranges and every approved subnet route (routes-b18).
    pub star_src: AddrSet,
    /// Every approved subnet route, as one set.
    pub routed: AddrSet,
    /// Per device, a bit per address family it has an address of.
    families: Vec<u8>,
}

impl Tailnet {
    pub fn new(inventory: Inventory) -> Tailnet {
        let mut t = Tailnet {
            devices: inventory.devices,
            users: inventory.users,
            ..Tailnet::default()
        };
        t.families = t
            .devices
            .iter()
            .map(|d| d.addresses.iter().fold(0u8, |b, a| b | (1 << a.family)))
            .collect();
        for (i, d) in t.devices.iter().enumerate() {
            let i = i as u32;
            for a in &d.addresses {
                t.by_addr.push((*a, i));
            }
            for tag in &d.tags {
                t.by_tag.push((tag.clone(), i));
            }
            if let Some(owner) = d.owner() {
                t.by_owner.push((owner.to_owned(), i));
            }
            t.by_id.push((d.node_id.clone(), i));
            for r in d.routes() {
                if r.is_default() {
                    if let Some(list) = t.exits.get_mut(r.family()) {
                        if !list.contains(&i) {
                            list.push(i);
                        }
                    }
                } else {
                    t.routes.push((*r, i));
                }
            }
        }
        if let Some(users) = t.users.as_mut() {
            users.sort_by(|a, b| a.login.cmp(&b.login));
        }
        t.by_addr.sort_unstable();
        t.by_tag.sort_unstable();
        t.by_owner.sort_unstable();
        t.by_id.sort_unstable();
        let mut routed = [Vec::new(), Vec::new()];
        for (p, _) in &t.routes {
            if let Some(list) = routed.get_mut(p.family()) {
                list.push(p.range());
            }
        }
        let [r4, r6] = routed;
        t.routed = AddrSet([Ranges::from_unsorted(r4), Ranges::from_unsorted(r6)]);
        t.star_src = tailnet_ranges().union(&t.routed);
        for f in [V4, V6] {
            let sets: Vec<(u32, Ranges)> = t
                .routes
                .iter()
                .enumerate()
                .filter(|(_, (p, _))| p.family() == f)
                .map(|(i, (p, _))| {
                    let (lo, hi) = p.range();
                    (i as u32, Ranges::single(lo, hi))
                })
                .collect();
            if let Some(slot) = t.route_index.get_mut(f) {
                *slot = SegIndex::build(sets.iter().map(|(i, r)| (*i, r)));
            }
        }
        t
    }

    pub fn has_family(&self, d: u32, family: usize) -> bool {
        self.families
            .get(d as usize)
            .is_some_and(|b| b >> family & 1 == 1)
    }

    pub fn device(&self, i: u32) -> Option<&Device> {
        self.devices.get(i as usize)
    }

    pub fn by_address(&self, a: Addr) -> Option<u32> {
        self.by_addr
            .binary_search_by(|(x, _)| x.cmp(&a))
            .ok()
            .and_then(|i| self.by_addr.get(i))
            .map(|(_, d)| *d)
    }

    pub fn by_node_id(&self, id: &str) -> Option<u32> {
        self.by_id
            .binary_search_by(|(x, _)| x.as_str().cmp(id))
            .ok()
            .and_then(|i| self.by_id.get(i))
            .map(|(_, d)| *d)
    }

    fn all_of<'a>(list: &'a [(String, u32)], key: &str) -> impl Iterator<Item = u32> + 'a {
        let start = list.partition_point(|(k, _)| k.as_str() < key);
        let key = key.to_owned();
        list.get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(k, _)| *k == key)
            .map(|(_, d)| *d)
    }

    pub fn tagged_with<'a>(&'a self, tag: &str) -> impl Iterator<Item = u32> + 'a {
        Self::all_of(&self.by_tag, tag)
    }

    /// The untagged devices of a user.
    pub fn owned_by<'a>(&'a self, login: &str) -> impl Iterator<Item = u32> + 'a {
        Self::all_of(&self.by_owner, login)
    }

    /// Devices whose address of `family` lies in `lo..=hi`.
    pub fn in_range(&self, family: usize, lo: u128, hi: u128) -> impl Iterator<Item = u32> + '_ {
        let from = Addr { family, bits: lo };
        let start = self.by_addr.partition_point(|(a, _)| *a < from);
        self.by_addr
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(a, _)| a.family == family && a.bits <= hi)
            .map(|(_, d)| *d)
    }

    /// The routers that would receive a packet for `a`: those with the longest approved subnet
    /// route covering it (HA routers alike; semantics.md §5), and that prefix's length.
    pub fn routers_for(&self, a: Addr) -> (Vec<u32>, Option<u32>) {
        let ids = self
            .route_index
            .get(a.family)
            .map_or(&[][..], |ix| ix.at(a.bits));
        let best = ids
            .iter()
            .filter_map(|i| self.routes.get(*i as usize))
            .map(|(p, _)| p.len)
            .max();
        let mut out: Vec<u32> = ids
            .iter()
            .filter_map(|i| self.routes.get(*i as usize))
            .filter(|(p, _)| Some(p.len) == best)
            .map(|(_, d)| *d)
            .collect();
        out.sort_unstable();
        out.dedup();
        (out, best)
    }

    /// The login's user, if the user list holds it.
    pub fn user(&self, login: &str) -> Option<&User> {
        let users = self.users.as_ref()?;
        users
            .binary_search_by(|u| u.login.as_str().cmp(login))
            .ok()
            .and_then(|i| users.get(i))
    }
}
