//! Where Kiwoom's own request example and its field table disagree, the one place that says
//! what the simulator accepts and why.
//!
//! The rule: accept what Kiwoom's examples send unless there is evidence that the live
//! server refuses it. No capture shows any of these values refused, so every entry below
//! widens the field table to the example's value; the table's documented values stay
//! accepted too. A client written from either source then works against the simulator, as
//! it would against Kiwoom.
//!
//! | api-id | field | example sends | table says | decision |
//! |---|---|---|---|---|
//! | ka10017, ka10018, ka10019 | `trde_qty_tp` | `0000` | 5-digit codes `00000`..`01000` | accept `0000`, read as `00000` 전체조회 (the example is the 4-digit form of "all") |
//! | kt50030, kt50075 | `mrkt_deal_tp` | `1` | `5` only ("5값으로 고정", KRX gold spot) | accept `1` (the example of a gold-spot TR; the value cannot select anything else) |
//! | usa24140, usa24141 | `sort_tp` | `0` | `1` gap ratio, `2` change | accept `0` (no sort given; answered in the default order) |
//! | usa24140, usa24141 | `updown_tp` | `0` | `1` gap up, `2` gap down | accept `0` (both directions) |
//! | ka50079, ka50080 | `tic_scope` | `""` | required | accept empty (read as `1`, one tick) |
//! | ust21132 | `base_dt` | `""` | required | accept empty (the clock's trading day) |
//! | ust21180 | `strt_dt`, `end_dt` | `""` | required | accept empty (the clock's trading day) |
//! | ust21630 | `fc_krw_tp` | `""` | required | accept empty (foreign currency) |
//! | ust31302 | `fc_exmn_amt` | `""` | required | accept empty (nothing to exchange is still a valid inquiry) |

/// What the simulator accepts beyond the field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// These codes, besides the documented ones.
    Codes(&'static [&'static str]),
    /// An empty or absent value, although the table marks the field required.
    Empty,
}

/// One decision: Kiwoom's example for `api_ids` sends something the table of `wire` refuses.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    pub api_ids: &'static [&'static str],
    pub wire: &'static str,
    pub accept: Accept,
    /// Why, in one line (the module doc has the table).
    pub reason: &'static str,
}

pub const DECISIONS: &[Decision] = &[
    Decision {
        api_ids: &["ka10017", "ka10018", "ka10019"],
        wire: "trde_qty_tp",
        accept: Accept::Codes(&["0000"]),
        reason: "Kiwoom's example sends 0000, the 4-digit form of 00000 (all)",
    },
    Decision {
        api_ids: &["kt50030", "kt50075"],
        wire: "mrkt_deal_tp",
        accept: Accept::Codes(&["1"]),
        reason: "Kiwoom's gold-spot example sends 1 where the table fixes 5",
    },
    Decision {
        api_ids: &["usa24140", "usa24141"],
        wire: "sort_tp",
        accept: Accept::Codes(&["0"]),
        reason: "Kiwoom's example sends 0 (no sort) where the table lists 1 and 2",
    },
    Decision {
        api_ids: &["usa24140", "usa24141"],
        wire: "updown_tp",
        accept: Accept::Codes(&["0"]),
        reason: "Kiwoom's example sends 0 (both directions) where the table lists 1 and 2",
    },
    Decision {
        api_ids: &["ka50079", "ka50080"],
        wire: "tic_scope",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required tick scope empty",
    },
    Decision {
        api_ids: &["ust21132"],
        wire: "base_dt",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required base date empty",
    },
    Decision {
        api_ids: &["ust21180"],
        wire: "strt_dt",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required start date empty",
    },
    Decision {
        api_ids: &["ust21180"],
        wire: "end_dt",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required end date empty",
    },
    Decision {
        api_ids: &["ust21630"],
        wire: "fc_krw_tp",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required currency type empty",
    },
    Decision {
        api_ids: &["ust31302"],
        wire: "fc_exmn_amt",
        accept: Accept::Empty,
        reason: "Kiwoom's example leaves the required exchange amount empty",
    },
];

fn decisions_for<'a>(
    api_id: &'a str,
    wire: &'a str,
) -> impl Iterator<Item = &'static Decision> + 'a {
    DECISIONS
        .iter()
        .filter(move |d| d.wire == wire && d.api_ids.contains(&api_id))
}

/// Does a decision accept this code for this field, beyond the table?
pub fn accepts_code(api_id: &str, wire: &str, code: &str) -> bool {
    decisions_for(api_id, wire).any(|d| matches!(d.accept, Accept::Codes(c) if c.contains(&code)))
}

/// Does a decision let this required field be empty?
pub fn accepts_empty(api_id: &str, wire: &str) -> bool {
    decisions_for(api_id, wire).any(|d| d.accept == Accept::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_scoped_to_the_tr_and_field() {
        assert!(accepts_code("ka10017", "trde_qty_tp", "0000"));
        assert!(!accepts_code("ka10017", "trde_qty_tp", "0001"));
        assert!(!accepts_code("ka10020", "trde_qty_tp", "0000"));
        assert!(accepts_empty("ust21180", "end_dt"));
        assert!(!accepts_empty("ust21180", "stk_cd"));
        assert!(!accepts_empty("ka10017", "trde_qty_tp"));
    }
}
