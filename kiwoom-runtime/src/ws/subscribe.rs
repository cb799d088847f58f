//! Registration groups: Kiwoom's `grp_no` and `refresh`, and how the session places
//! items into groups of at most 100.

use std::collections::BTreeMap;
use std::fmt;

use super::MAX_ITEMS_PER_GROUP;
use super::frames::WsItem;
use super::registry::Registry;
use crate::error::Error;

/// The first group number the session allocates by itself; lower numbers are the caller's.
pub(crate) const FIRST_SESSION_GROUP: u16 = 1000;
const LAST_GROUP: u16 = 9999;

/// A registration group number (REG's `grp_no`, up to 4 digits). Groups numbered from 1000
/// up are allocated by the session for `subscribe`/`subscribe_account`; name a group below
/// 1000 to manage one yourself with `subscribe_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupNo(u16);

impl GroupNo {
    /// A caller-managed group: `0..=999`.
    pub fn new(n: u16) -> Result<GroupNo, Error> {
        if n >= FIRST_SESSION_GROUP {
            return Err(Error::Config(format!(
                "group {n}: numbers from {FIRST_SESSION_GROUP} up are allocated by the session; name groups 0-{} yourself",
                FIRST_SESSION_GROUP - 1
            )));
        }
        Ok(GroupNo(n))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for GroupNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a REG does to the group's earlier registrations (Kiwoom's `refresh` flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Refresh {
    /// `"1"`: keep them and add these (Kiwoom's default).
    #[default]
    Keep,
    /// `"0"`: remove every earlier registration of the group, of every type, first.
    Replace,
}

impl Refresh {
    pub(crate) fn keeps(self) -> bool {
        self == Refresh::Keep
    }
}

/// Place `items` of realtime type `kind` into session groups (`Refresh::Keep`): items
/// already registered for `kind` are left alone; an item goes to a session group that
/// already holds it (for another type: no new slot), else to the first session group with
/// room, else to a new group. Returns the REGs to send, one per group, in group order.
pub(crate) fn plan(
    registry: &Registry,
    kind: &str,
    items: &[WsItem],
) -> Result<Vec<(String, Vec<WsItem>)>, String> {
    let registered: Vec<WsItem> = registry
        .groups_of(kind)
        .into_iter()
        .flat_map(|(_, items)| items)
        .collect();
    let mut session_groups: Vec<u16> = registry
        .group_numbers()
        .filter_map(|g| g.parse::<u16>().ok())
        .filter(|g| *g >= FIRST_SESSION_GROUP)
        .collect();
    session_groups.sort_unstable();
    let mut added: BTreeMap<u16, Vec<WsItem>> = BTreeMap::new();
    // Slots taken by planned items that their group does not hold yet.
    let mut new_slots: BTreeMap<u16, usize> = BTreeMap::new();
    let load = |g: u16, new_slots: &BTreeMap<u16, usize>| {
        registry.load(&g.to_string()) + new_slots.get(&g).copied().unwrap_or(0)
    };
    for item in items {
        let queued = added.values().flatten().any(|i| i == item);
        if registered.contains(item) || queued {
            continue;
        }
        let target = session_groups
            .iter()
            .copied()
            .find(|g| registry.holds(&g.to_string(), item))
            .or_else(|| {
                session_groups
                    .iter()
                    .copied()
                    .find(|g| load(*g, &new_slots) < MAX_ITEMS_PER_GROUP)
            });
        let target = match target {
            Some(g) => g,
            None => {
                let used = |g: u16| registry.group_numbers().any(|n| n == g.to_string());
                let fresh = (FIRST_SESSION_GROUP..=LAST_GROUP)
                    .find(|g| !used(*g) && !session_groups.contains(g))
                    .ok_or("every session group number is in use")?;
                session_groups.push(fresh);
                fresh
            }
        };
        // An item its group already holds (for another type) takes no new slot.
        if !registry.holds(&target.to_string(), item) {
            *new_slots.entry(target).or_default() += 1;
        }
        added.entry(target).or_default().push(item.clone());
    }
    Ok(added
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(g, items)| (g.to_string(), items))
        .collect())
}

/// The session group for an account-wide type (no item): none if it is registered
/// already, else the first session group with a free slot, else a new one.
pub(crate) fn plan_account(registry: &Registry, kind: &str) -> Result<Option<String>, String> {
    if !registry.groups_of(kind).is_empty() {
        return Ok(None);
    }
    let mut groups: Vec<u16> = registry
        .group_numbers()
        .filter_map(|g| g.parse::<u16>().ok())
        .filter(|g| *g >= FIRST_SESSION_GROUP)
        .collect();
    groups.sort_unstable();
    if let Some(g) = groups
        .iter()
        .find(|g| registry.load(&g.to_string()) < MAX_ITEMS_PER_GROUP)
    {
        return Ok(Some(g.to_string()));
    }
    (FIRST_SESSION_GROUP..=LAST_GROUP)
        .find(|g| !groups.contains(g) && !registry.group_numbers().any(|n| n == g.to_string()))
        .map(|g| Some(g.to_string()))
        .ok_or_else(|| "every session group number is in use".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(range: std::ops::Range<usize>) -> Vec<WsItem> {
        range.map(|i| WsItem::Code(format!("{i:06}"))).collect()
    }

    #[test]
    fn more_than_100_items_split_over_groups() {
        let r = Registry::default();
        let plan = plan(&r, "0B", &codes(0..250)).unwrap();
        let sizes: Vec<(String, usize)> = plan.iter().map(|(g, i)| (g.clone(), i.len())).collect();
        assert_eq!(
            sizes,
            vec![
                ("1000".into(), 100),
                ("1001".into(), 100),
                ("1002".into(), 50)
            ]
        );
    }

    #[test]
    fn registered_items_are_skipped_and_groups_filled_before_new_ones() {
        let mut r = Registry::default();
        r.apply_reg("1000", true, &codes(0..60), &["0B".into()]);
        // 0B for 0..60 is there: only 60..130 is new; 40 fit in 1000, 30 go to 1001.
        let p = plan(&r, "0B", &codes(0..130)).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].0.as_str(), p[0].1.len()), ("1000", 40));
        assert_eq!((p[1].0.as_str(), p[1].1.len()), ("1001", 30));
        // Another type for items group 1000 holds goes there, though it is not full.
        let p = plan(&r, "0D", &codes(0..60)).unwrap();
        assert_eq!(p, vec![("1000".to_owned(), codes(0..60))]);
    }

    #[test]
    fn caller_groups_are_never_chosen() {
        let mut r = Registry::default();
        r.apply_reg("1", true, &codes(0..10), &["0B".into()]);
        let p = plan(&r, "0D", &codes(0..10)).unwrap();
        assert_eq!(p, vec![("1000".to_owned(), codes(0..10))]);
        assert!(GroupNo::new(1000).is_err());
        assert_eq!(GroupNo::new(999).unwrap().to_string(), "999");
    }

    #[test]
    fn account_types_take_one_slot_once() {
        let mut r = Registry::default();
        assert_eq!(plan_account(&r, "00").unwrap().as_deref(), Some("1000"));
        r.apply_reg("1000", true, &[], &["00".into()]);
        assert_eq!(plan_account(&r, "00").unwrap(), None);
        assert_eq!(r.load("1000"), 1);
        // 99 more items fit with the account registration, the 100th does not.
        let p = plan(&r, "0B", &codes(0..100)).unwrap();
        assert_eq!((p[0].0.as_str(), p[0].1.len()), ("1000", 99));
        assert_eq!((p[1].0.as_str(), p[1].1.len()), ("1001", 1));
    }
}
