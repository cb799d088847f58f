//! Enum deduplication and naming. The spec suggests a name per coded field; the IR groups
//! the fields by suggested name and code set and settles one Rust name per set (the rule is
//! on [`resolve`]). Nothing is renamed silently: a clash no candidate settles is an error.

use std::collections::{BTreeMap, BTreeSet};

use super::docs;
use super::names::is_pascal_ident;
use super::{EnumDef, VariantDef};
use crate::spec::Enumeration;

/// Module that holds an enum used only there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home {
    Group(String),
    Realtime,
    Ws,
}

impl Home {
    fn feature(&self) -> Option<String> {
        match self {
            Home::Group(id) => Some(id.clone()),
            Home::Realtime => Some("realtime".to_owned()),
            Home::Ws => None,
        }
    }
}

/// One coded field, in spec order.
pub struct EnumUse<'a> {
    pub home: Home,
    /// PascalCase name of the TR or realtime type that uses it: `StockDailyChart`.
    pub owner: String,
    /// PascalCase name of the field: `TradeType`.
    pub field: String,
    /// `spec/domestic/order.yaml kt10000 trde_tp`, for messages.
    pub location: String,
    pub spec: &'a Enumeration,
}

/// A code set: `(code, variant name)` pairs sorted by code, so the same codes listed in a
/// different order (`NA, ND, NY` and `ND, NY, NA`) are one set and one enum.
type Codes = Vec<(String, String)>;

pub struct Resolved {
    /// Final Rust name per use, in the order given.
    pub names: Vec<String>,
    pub by_home: BTreeMap<Home, Vec<EnumDef>>,
    pub shared: Vec<EnumDef>,
}

/// Settle the Rust name of every coded field.
///
/// The naming rule, for the fields that suggest one name `N` (say `TradeType`):
///
/// 1. All fields with the same code set share one enum.
/// 2. The code set used by the most fields gets the plain name `N`. A tie goes to the set
///    with more codes (the full set is the concept; smaller ones are usually its subsets),
///    then to the set whose sorted code list sorts first. So a plain buy order (kt10000)
///    takes `TradeType`, not a name borrowed from whichever TR happened to come first.
/// 3. Every other set of `N` gets a distinguishing name, the first free one of:
///    - a name describing it against the plain set, when it is the plain set plus one or
///      two codes (`DomesticExchangeTypeWithAll`) or minus one or two
///      (`DomesticExchangeTypeWithoutSor`), named after those codes' variants, and the
///      name stays readable (at most [`MAX_DESCRIBED_LEN`] characters);
///    - the PascalCase english name of the TR (or realtime type) that uses it, as a
///      prefix; when several use it, the alphabetically first one
///      (`AccountReturnRateExchangeType`);
///    - that owner's name plus the field's name (`...ExchangeTypeExchangeType`).
///
/// Plain names are given out before any distinguishing name, so a derived name never takes
/// a plain one. A candidate already taken by a different code set is skipped; one taken by
/// the same codes (another suggested name with identical codes) is shared.
pub fn resolve(
    uses: &[EnumUse<'_>],
    overrides: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Resolved {
    let mut variants: Vec<Vec<VariantDef>> = Vec::with_capacity(uses.len());
    for u in uses {
        variants.push(check_variants(u, problems));
    }
    let codes_of: Vec<Codes> = variants
        .iter()
        .map(|vs| {
            let mut codes: Codes = vs
                .iter()
                .map(|v| (v.code.clone(), v.name.clone()))
                .collect();
            codes.sort();
            codes
        })
        .collect();
    let suggested = canonical_names(uses, &codes_of, overrides, problems);
    // suggested name -> code set -> uses
    let mut by_name: BTreeMap<&str, BTreeMap<Codes, Vec<usize>>> = BTreeMap::new();
    for (i, codes) in codes_of.iter().enumerate() {
        by_name
            .entry(suggested[i].as_str())
            .or_default()
            .entry(codes.clone())
            .or_default()
            .push(i);
    }
    let mut names = vec![String::new(); uses.len()];
    let mut taken: BTreeMap<String, (Codes, usize)> = BTreeMap::new();
    let mut plain_sets: BTreeMap<&str, &Codes> = BTreeMap::new();
    // Rule 2: the most used set of each suggested name takes it.
    for (name, sets) in &by_name {
        let Some((codes, members)) = sets.iter().min_by_key(|(codes, members)| {
            (
                std::cmp::Reverse(members.len()),
                std::cmp::Reverse(codes.len()),
                *codes,
            )
        }) else {
            continue;
        };
        taken.insert(name.to_string(), (codes.clone(), members[0]));
        plain_sets.insert(name, codes);
        for &i in members {
            names[i] = name.to_string();
        }
    }
    // Rule 3: every other set gets a distinguishing name.
    for (name, sets) in &by_name {
        let plain = plain_sets[name];
        for (codes, members) in sets {
            if codes == plain {
                continue;
            }
            let first = members
                .iter()
                .copied()
                .min_by_key(|&i| (&uses[i].owner, &uses[i].field))
                .unwrap_or(members[0]);
            let mut candidates: Vec<String> = described(name, plain, codes).into_iter().collect();
            candidates.push(format!("{}{name}", uses[first].owner));
            candidates.push(format!("{}{}{name}", uses[first].owner, uses[first].field));
            let chosen = candidates
                .iter()
                .find(|c| taken.get(*c).is_none_or(|(other, _)| other == codes))
                .cloned();
            let Some(chosen) = chosen else {
                let last = &candidates[candidates.len() - 1];
                let other = &taken[last].1;
                problems.push(format!(
                    "enum name collision: `{last}` at {} and at {} have different codes and no unambiguous name",
                    uses[first].location, uses[*other].location
                ));
                continue;
            };
            taken.insert(chosen.clone(), (codes.clone(), first));
            for &i in members {
                names[i] = chosen.clone();
            }
        }
    }
    // final name -> homes, definition
    let mut defs: BTreeMap<String, (BTreeSet<Home>, Vec<usize>)> = BTreeMap::new();
    for (i, u) in uses.iter().enumerate() {
        if names[i].is_empty() {
            continue;
        }
        let entry = defs.entry(names[i].clone()).or_default();
        entry.0.insert(u.home.clone());
        entry.1.push(i);
    }
    let mut by_home: BTreeMap<Home, Vec<EnumDef>> = BTreeMap::new();
    let mut shared = Vec::new();
    for (name, (homes, members)) in defs {
        let first = members[0];
        let mut features: Vec<String> = homes.iter().filter_map(Home::feature).collect();
        if homes.contains(&Home::Ws) {
            features.clear();
        }
        let def = EnumDef {
            doc: enum_doc(&name, &members, uses),
            name,
            empty_is_a_code: variants[first].iter().any(|v| v.code.is_empty()),
            variants: variants[first].clone(),
            features,
        };
        if homes.len() == 1 {
            by_home
                .entry(homes.into_iter().next().expect("one home"))
                .or_default()
                .push(def);
        } else {
            shared.push(def);
        }
    }
    Resolved {
        names,
        by_home,
        shared,
    }
}

/// Rule 0: one code set, one enum, whatever names the fields suggest. The set's name is the
/// one `spec/names.yaml` gives it (key: [`code_set_key`]), else the name most of its fields
/// suggest (a tie goes to the alphabetically first), so twelve fields suggesting
/// `ChangeSign`, `Sign` or `PreviousDayChangeSign` for the same 1–5 codes share one enum.
fn canonical_names(
    uses: &[EnumUse<'_>],
    codes_of: &[Codes],
    overrides: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Vec<String> {
    let mut votes: BTreeMap<&Codes, BTreeMap<&str, usize>> = BTreeMap::new();
    for (i, u) in uses.iter().enumerate() {
        *votes
            .entry(&codes_of[i])
            .or_default()
            .entry(u.spec.name.as_str())
            .or_default() += 1;
    }
    let mut used_overrides = BTreeSet::new();
    let chosen: BTreeMap<&Codes, String> = votes
        .iter()
        .map(|(codes, names)| {
            let key = code_set_key(codes);
            let name = match overrides.get(&key) {
                Some(name) => {
                    used_overrides.insert(key);
                    name.clone()
                }
                None => names
                    .iter()
                    .max_by_key(|(name, count)| (**count, std::cmp::Reverse(**name)))
                    .map(|(name, _)| name.to_string())
                    .unwrap_or_default(),
            };
            (*codes, name)
        })
        .collect();
    for (key, name) in overrides {
        if !is_pascal_ident(name) {
            problems.push(format!(
                "spec/names.yaml enums: `{name}` is not a PascalCase identifier"
            ));
        }
        if !used_overrides.contains(key) {
            problems.push(format!(
                "spec/names.yaml enums: no enum has the code set `{key}` (named `{name}`)"
            ));
        }
    }
    codes_of.iter().map(|codes| chosen[codes].clone()).collect()
}

/// `1:UpperLimit 2:Rise 3:Unchanged 4:LowerLimit 5:Fall`: a code set as `spec/names.yaml` keys it.
pub fn code_set_key(codes: &Codes) -> String {
    codes
        .iter()
        .map(|(code, variant)| format!("{code}:{variant}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rule 3a: `NWithX` / `NWithoutX` when `codes` is the plain set plus or minus one or two
/// codes (compared with their variant names, so a relabelled code is not "the same").
fn described(name: &str, plain: &Codes, codes: &Codes) -> Option<String> {
    described_unchecked(name, plain, codes).filter(|n| n.len() <= MAX_DESCRIBED_LEN)
}

/// Longer descriptive names (`CreditConditionWithExcludeCreditLimitExceededAnd...`) read
/// worse than the owner's name as a prefix.
const MAX_DESCRIBED_LEN: usize = 40;

fn described_unchecked(name: &str, plain: &Codes, codes: &Codes) -> Option<String> {
    let plain_set: BTreeSet<&(String, String)> = plain.iter().collect();
    let set: BTreeSet<&(String, String)> = codes.iter().collect();
    let join = |d: Vec<&&(String, String)>| {
        d.iter()
            .map(|(_, variant)| variant.as_str())
            .collect::<Vec<_>>()
            .join("And")
    };
    let added: Vec<_> = set.difference(&plain_set).collect();
    let removed: Vec<_> = plain_set.difference(&set).collect();
    match (added.len(), removed.len()) {
        (1..=2, 0) => Some(format!("{name}With{}", join(added))),
        (0, 1..=2) if !set.is_empty() => Some(format!("{name}Without{}", join(removed))),
        _ => None,
    }
}

fn check_variants(u: &EnumUse<'_>, problems: &mut Vec<String>) -> Vec<VariantDef> {
    if u.spec.values.is_empty() {
        problems.push(format!(
            "{}: enum `{}` has no values",
            u.location, u.spec.name
        ));
    }
    if !is_pascal_ident(&u.spec.name) {
        problems.push(format!(
            "{}: enum name `{}` is not a PascalCase identifier",
            u.location, u.spec.name
        ));
    }
    let mut seen_codes = BTreeMap::new();
    let mut seen_names = BTreeMap::new();
    let mut out = Vec::new();
    for v in &u.spec.values {
        // `Unknown` is the variant that carries undocumented codes.
        let name = if v.rust == "Unknown" {
            "UnknownValue".to_owned()
        } else {
            v.rust.clone()
        };
        if !is_pascal_ident(&name) {
            problems.push(format!(
                "{}: enum `{}` variant `{}` is not a PascalCase identifier",
                u.location, u.spec.name, v.rust
            ));
        }
        if let Some(prev) = seen_codes.insert(v.code.clone(), name.clone()) {
            problems.push(format!(
                "{}: enum `{}` lists code `{}` twice (variants `{prev}` and `{name}`)",
                u.location, u.spec.name, v.code
            ));
        }
        if let Some(prev) = seen_names.insert(name.clone(), v.code.clone()) {
            problems.push(format!(
                "{}: enum `{}` variant name `{name}` used for codes `{prev}` and `{}`",
                u.location, u.spec.name, v.code
            ));
        }
        out.push(VariantDef {
            name,
            code: v.code.clone(),
            korean: v.korean.clone(),
        });
    }
    out
}

/// A use's location for rustdoc. Locations are `spec/<file> <api-id> field `<wire>``;
/// wire names stay in code spans unless something in them would still need escaping.
fn doc_location(location: &str) -> String {
    if location
        .chars()
        .any(|c| matches!(c, '[' | ']' | '<' | '*' | '|' | '\\'))
    {
        docs::rustdoc_safe(location)
    } else {
        location.to_owned()
    }
}

/// The enum's doc: where it is used (every field, so a reader of a shared enum sees which
/// TRs take it), then how unknown codes behave.
fn enum_doc(name: &str, members: &[usize], uses: &[EnumUse<'_>]) -> Vec<String> {
    let locations: BTreeSet<String> = members
        .iter()
        .map(|&i| doc_location(&uses[i].location))
        .collect();
    let mut doc = if let [only] = locations.iter().collect::<Vec<_>>()[..] {
        vec![format!("Codes of `{name}` ({only}).")]
    } else {
        let mut doc = vec![
            format!("Codes of `{name}`, used by {} fields:", locations.len()),
            String::new(),
        ];
        doc.extend(locations.iter().map(|l| format!("- {l}")));
        doc
    };
    doc.push(String::new());
    doc.push("# Forward compatibility".to_owned());
    doc.push(String::new());
    doc.push(
        "Kiwoom may send codes this version does not know. They decode to `Unknown`, which"
            .to_owned(),
    );
    doc.push(
        "keeps the raw code; match on known variants and handle the rest with a wildcard"
            .to_owned(),
    );
    doc.push(
        "arm, using `as_str()` to look at the code (`other if other.as_str() == \"9\"`)."
            .to_owned(),
    );
    doc.push(
        "Do not match on `Unknown` itself: a later version may turn that code into a".to_owned(),
    );
    doc.push("variant. A request holding `Unknown` is refused by `validate()`.".to_owned());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::EnumValue;

    fn spec(name: &str, codes: &[(&str, &str)]) -> Enumeration {
        Enumeration {
            name: name.to_owned(),
            values: codes
                .iter()
                .map(|(code, rust)| EnumValue {
                    code: (*code).to_owned(),
                    korean: String::new(),
                    rust: (*rust).to_owned(),
                })
                .collect(),
        }
    }

    fn names(fields: &[(&str, &Enumeration)]) -> Vec<String> {
        let uses: Vec<EnumUse<'_>> = fields
            .iter()
            .map(|(owner, spec)| EnumUse {
                home: Home::Group("domestic-order".to_owned()),
                owner: (*owner).to_owned(),
                field: "Field".to_owned(),
                location: format!("spec/x.yaml {owner}"),
                spec,
            })
            .collect();
        let mut problems = Vec::new();
        let resolved = resolve(&uses, &BTreeMap::new(), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        resolved.names
    }

    #[test]
    fn the_most_used_set_takes_the_plain_name() {
        let order = spec(
            "DomesticExchangeType",
            &[("KRX", "Krx"), ("NXT", "Nxt"), ("SOR", "Sor")],
        );
        let with_all = spec(
            "DomesticExchangeType",
            &[("%", "All"), ("KRX", "Krx"), ("NXT", "Nxt"), ("SOR", "Sor")],
        );
        let two = spec("DomesticExchangeType", &[("KRX", "Krx"), ("NXT", "Nxt")]);
        let other = spec(
            "DomesticExchangeType",
            &[("1", "A"), ("2", "B"), ("3", "C"), ("4", "D")],
        );
        // Listed first, used once: the credit order does not name the shared set any more.
        let got = names(&[
            ("Zeta", &with_all),
            ("BuyCreditStock", &order),
            ("DomesticBuyStock", &order),
            ("DomesticSellStock", &order),
            ("Balance", &two),
            ("Status", &other),
            ("Alpha", &other),
        ]);
        assert_eq!(
            got,
            [
                "DomesticExchangeTypeWithAll",
                "DomesticExchangeType",
                "DomesticExchangeType",
                "DomesticExchangeType",
                "DomesticExchangeTypeWithoutSor",
                // Not a near-copy of the plain set: the alphabetically first owner's name.
                "AlphaDomesticExchangeType",
                "AlphaDomesticExchangeType",
            ]
        );
    }

    #[test]
    fn a_tie_goes_to_the_larger_set_then_the_sorted_codes() {
        let order = spec(
            "TradeType",
            &[("0", "Normal"), ("3", "Market"), ("5", "Conditional")],
        );
        let small = spec("TradeType", &[("1", "Buy"), ("2", "Sell")]);
        let got = names(&[("Flows", &small), ("Buy", &order)]);
        assert_eq!(got, ["FlowsTradeType", "TradeType"]);
        let a = spec("Kind", &[("1", "One"), ("2", "Two")]);
        let b = spec("Kind", &[("0", "Zero"), ("9", "Nine")]);
        assert_eq!(
            names(&[("First", &a), ("Second", &b)]),
            ["FirstKind", "Kind"]
        );
    }

    #[test]
    fn the_same_codes_in_another_order_are_one_enum() {
        let a = spec(
            "ExchangeType",
            &[("NA", "Nasdaq"), ("ND", "Nyse"), ("NY", "Amex")],
        );
        let b = spec(
            "ExchangeType",
            &[("ND", "Nyse"), ("NY", "Amex"), ("NA", "Nasdaq")],
        );
        assert_eq!(
            names(&[("A", &a), ("B", &b)]),
            ["ExchangeType", "ExchangeType"]
        );
    }
}
