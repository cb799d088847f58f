//! What the session has registered, so a new connection can restore it: Kiwoom forgets
//! every REG and realtime condition search when a connection ends.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::MAX_ITEMS_PER_GROUP;
use super::frames::WsItem;

#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// grp_no -> realtime type -> items (empty: an account-wide type such as 00 / 04).
    groups: BTreeMap<String, BTreeMap<String, BTreeSet<WsItem>>>,
    /// Realtime condition searches (CNSRREQ / GCNSRREQ with search_type 1), keyed by
    /// (trnm, seq): the frame to send again.
    conditions: BTreeMap<(String, String), Value>,
}

impl Registry {
    /// Refuse a registration Kiwoom would refuse (105118), before sending it.
    pub(crate) fn check_reg(
        &self,
        grp_no: &str,
        refresh: bool,
        items: &[WsItem],
    ) -> Result<(), String> {
        let mut distinct: BTreeSet<&WsItem> = items.iter().collect();
        let mut account_wide = items.is_empty();
        if refresh {
            if let Some(g) = self.groups.get(grp_no) {
                distinct.extend(g.values().flatten());
                account_wide |= g.values().any(BTreeSet::is_empty);
            }
        }
        let load = distinct.len() + usize::from(account_wide);
        if load > MAX_ITEMS_PER_GROUP {
            return Err(format!(
                "group {grp_no} would hold {load} items; Kiwoom allows at most {MAX_ITEMS_PER_GROUP} per group",
            ));
        }
        Ok(())
    }

    /// Record an acknowledged REG. `refresh == false` replaces the group's registrations.
    pub(crate) fn apply_reg(
        &mut self,
        grp_no: &str,
        refresh: bool,
        items: &[WsItem],
        types: &[String],
    ) {
        let group = self.groups.entry(grp_no.to_owned()).or_default();
        if !refresh {
            group.clear();
        }
        for t in types {
            group
                .entry(t.clone())
                .or_default()
                .extend(items.iter().cloned());
        }
    }

    /// Record an acknowledged REMOVE.
    pub(crate) fn apply_remove(&mut self, grp_no: &str, items: &[WsItem], types: &[String]) {
        if let Some(group) = self.groups.get_mut(grp_no) {
            for t in types {
                let now_empty = match group.get_mut(t) {
                    Some(set) if items.is_empty() => {
                        set.clear();
                        true
                    }
                    Some(set) => {
                        for i in items {
                            set.remove(i);
                        }
                        set.is_empty()
                    }
                    None => false,
                };
                if now_empty {
                    group.remove(t);
                }
            }
            if group.is_empty() {
                self.groups.remove(grp_no);
            }
        }
    }

    /// REG frames restoring everything: one per (group, type).
    pub(crate) fn replay(&self) -> Vec<(String, Vec<WsItem>, Vec<String>)> {
        self.groups
            .iter()
            .flat_map(|(g, types)| {
                types.iter().map(move |(t, items)| {
                    (g.clone(), items.iter().cloned().collect(), vec![t.clone()])
                })
            })
            .collect()
    }

    /// Items in group `grp_no` as Kiwoom counts them against its 100: distinct items over
    /// every type, an account-wide registration (no item) counted as one.
    pub(crate) fn load(&self, grp_no: &str) -> usize {
        let Some(group) = self.groups.get(grp_no) else {
            return 0;
        };
        let distinct: BTreeSet<&WsItem> = group.values().flatten().collect();
        distinct.len() + usize::from(group.values().any(BTreeSet::is_empty))
    }

    /// Whether group `grp_no` holds `item` (for any type).
    pub(crate) fn holds(&self, grp_no: &str, item: &WsItem) -> bool {
        self.groups
            .get(grp_no)
            .is_some_and(|g| g.values().any(|items| items.contains(item)))
    }

    /// The groups where `kind` is registered, with its items there (empty: account-wide).
    pub(crate) fn groups_of(&self, kind: &str) -> Vec<(String, Vec<WsItem>)> {
        self.groups
            .iter()
            .filter_map(|(g, types)| {
                types
                    .get(kind)
                    .map(|items| (g.clone(), items.iter().cloned().collect()))
            })
            .collect()
    }

    pub(crate) fn group_numbers(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }

    /// Record a command that succeeded, when it starts or stops a realtime condition search.
    pub(crate) fn apply_command(&mut self, trnm: &str, seq: Option<&str>, frame: &Value) {
        let Some(seq) = seq else { return };
        if trnm.ends_with("CNSRREQ")
            && frame.get("search_type").and_then(Value::as_str) == Some("1")
        {
            let mut frame = frame.clone();
            if let Some(obj) = frame.as_object_mut() {
                // Start over from the first page on a new connection.
                obj.remove("cont_yn");
                obj.remove("next_key");
            }
            self.conditions
                .insert((trnm.to_owned(), seq.to_owned()), frame);
        } else if let Some(prefix) = trnm.strip_suffix("CNSRCLR") {
            self.conditions
                .remove(&(format!("{prefix}CNSRREQ"), seq.to_owned()));
        }
    }

    pub(crate) fn conditions(&self) -> impl Iterator<Item = (&str, &str, &Value)> {
        self.conditions
            .iter()
            .map(|((t, s), v)| (t.as_str(), s.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<WsItem> {
        (0..n).map(|i| WsItem::Code(format!("{i:06}"))).collect()
    }

    #[test]
    fn hundred_items_per_group() {
        let mut r = Registry::default();
        assert!(r.check_reg("1", true, &items(100)).is_ok());
        assert!(r.check_reg("1", true, &items(101)).is_err());
        r.apply_reg("1", true, &items(60), &["0B".into()]);
        // Adding 50 new to 60 kept ones is 110 ...
        let more: Vec<_> = (200..250)
            .map(|i| WsItem::Code(format!("{i:06}")))
            .collect();
        assert!(r.check_reg("1", true, &more).is_err());
        // ... but replacing the group (refresh 0) is 50.
        assert!(r.check_reg("1", false, &more).is_ok());
        // Another group has its own 100.
        assert!(r.check_reg("2", true, &more).is_ok());
    }

    #[test]
    fn replay_reflects_reg_and_remove() {
        let mut r = Registry::default();
        r.apply_reg(
            "1",
            true,
            &["005930".into(), "000660".into()],
            &["0B".into(), "0D".into()],
        );
        r.apply_remove("1", &["000660".into()], &["0D".into()]);
        r.apply_reg("2", true, &[], &["00".into()]);
        let replay = r.replay();
        assert_eq!(replay.len(), 3);
        assert!(replay.contains(&(
            "1".into(),
            vec!["000660".into(), "005930".into()],
            vec!["0B".into()]
        )));
        assert!(replay.contains(&("1".into(), vec!["005930".into()], vec!["0D".into()])));
        assert!(replay.contains(&("2".into(), vec![], vec!["00".into()])));
        r.apply_reg("1", false, &["035720".into()], &["0B".into()]);
        assert_eq!(r.replay().iter().filter(|(g, ..)| g == "1").count(), 1);
    }

    #[test]
    fn condition_searches_tracked_until_cleared() {
        let mut r = Registry::default();
        let req = serde_json::json!({"trnm":"CNSRREQ","seq":"2","search_type":"1","stex_tp":"K","cont_yn":"N","next_key":""});
        r.apply_command("CNSRREQ", Some("2"), &req);
        let once = serde_json::json!({"trnm":"CNSRREQ","seq":"3","search_type":"0"});
        r.apply_command("CNSRREQ", Some("3"), &once);
        assert_eq!(r.conditions().count(), 1);
        r.apply_command(
            "CNSRCLR",
            Some("2"),
            &serde_json::json!({"trnm":"CNSRCLR","seq":"2"}),
        );
        assert_eq!(r.conditions().count(), 0);
    }
}
