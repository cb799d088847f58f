//! Enum deduplication: the spec suggests a name per coded field; the same name with the
//! same codes is one enum, the same name with different codes gets the using TR's name as
//! a prefix. Nothing is renamed silently: a clash that prefixes cannot settle is an error.

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

type Codes = Vec<(String, String)>;

pub struct Resolved {
    /// Final Rust name per use, in the order given.
    pub names: Vec<String>,
    pub by_home: BTreeMap<Home, Vec<EnumDef>>,
    pub shared: Vec<EnumDef>,
}

pub fn resolve(uses: &[EnumUse<'_>], problems: &mut Vec<String>) -> Resolved {
    let mut variants: Vec<Vec<VariantDef>> = Vec::with_capacity(uses.len());
    for u in uses {
        variants.push(check_variants(u, problems));
    }
    // suggested name -> code set -> uses
    let mut by_name: BTreeMap<&str, BTreeMap<Codes, Vec<usize>>> = BTreeMap::new();
    for (i, u) in uses.iter().enumerate() {
        let codes: Codes = variants[i]
            .iter()
            .map(|v| (v.code.clone(), v.name.clone()))
            .collect();
        by_name
            .entry(u.spec.name.as_str())
            .or_default()
            .entry(codes)
            .or_default()
            .push(i);
    }
    let mut names = vec![String::new(); uses.len()];
    let mut taken: BTreeMap<String, (Codes, usize)> = BTreeMap::new();
    for (name, sets) in &by_name {
        for (codes, members) in sets {
            let first = members
                .iter()
                .copied()
                .min_by_key(|&i| (&uses[i].owner, &uses[i].field))
                .unwrap_or(members[0]);
            let candidates = if sets.len() == 1 {
                vec![name.to_string()]
            } else {
                vec![
                    format!("{}{name}", uses[first].owner),
                    format!("{}{}{name}", uses[first].owner, uses[first].field),
                ]
            };
            let mut chosen = None;
            for candidate in &candidates {
                match taken.get(candidate) {
                    Some((other, _)) if other != codes => continue,
                    _ => {
                        chosen = Some(candidate.clone());
                        break;
                    }
                }
            }
            let Some(chosen) = chosen else {
                let other = &taken[&candidates[candidates.len() - 1]].1;
                problems.push(format!(
                    "enum name collision: `{}` at {} and at {} have different codes and no unambiguous name",
                    candidates[candidates.len() - 1],
                    uses[first].location,
                    uses[*other].location
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
    let mut defs: BTreeMap<String, (BTreeSet<Home>, usize)> = BTreeMap::new();
    for (i, u) in uses.iter().enumerate() {
        if names[i].is_empty() {
            continue;
        }
        let entry = defs
            .entry(names[i].clone())
            .or_insert_with(|| (BTreeSet::new(), i));
        entry.0.insert(u.home.clone());
    }
    let mut by_home: BTreeMap<Home, Vec<EnumDef>> = BTreeMap::new();
    let mut shared = Vec::new();
    for (name, (homes, first)) in defs {
        let mut features: Vec<String> = homes.iter().filter_map(Home::feature).collect();
        if homes.contains(&Home::Ws) {
            features.clear();
        }
        let def = EnumDef {
            doc: enum_doc(&name, &uses[first]),
            name,
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

fn enum_doc(name: &str, u: &EnumUse<'_>) -> Vec<String> {
    let mut doc = vec![format!(
        "Codes of `{}` ({}).",
        name,
        docs::rustdoc_safe(&u.location)
    )];
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
