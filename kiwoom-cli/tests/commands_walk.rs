//! The generated command list against spec/: every REST and OAuth TR has exactly one
//! command, every request field a flag, every enum flag accepts each documented code,
//! name and Korean label, and the clap tree is well formed (no two flags collide).

use std::collections::BTreeMap;

use codegen::spec::{Spec, Transport, ValueType, workspace_spec_dir};
use kiwoom_cli::catalog::{self, Kind};
use kiwoom_cli::flags::to_wire;

#[test]
fn every_rest_tr_has_one_command_with_every_field_as_a_flag() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec/ loads");
    let rest: BTreeMap<&str, &codegen::spec::Tr> = spec
        .trs()
        .map(|(_, _, tr)| tr)
        .filter(|tr| matches!(tr.transport, Transport::Rest | Transport::Oauth))
        .map(|tr| (tr.id.as_str(), tr))
        .collect();
    let tree = kiwoom_cli::tree::build();
    tree.clone().debug_assert();

    let mut covered = 0;
    let mut enum_flags_walked = 0;
    let mut seen = BTreeMap::new();
    for c in catalog::commands() {
        assert!(
            seen.insert(c.api_id, c.path()).is_none(),
            "{} has two commands",
            c.api_id
        );
        let tr = rest
            .get(c.api_id)
            .unwrap_or_else(|| panic!("command {} is not a REST TR of spec/", c.api_id));
        let sub = tree
            .find_subcommand(c.market)
            .and_then(|m| m.find_subcommand(c.group))
            .and_then(|g| g.find_subcommand(c.name))
            .unwrap_or_else(|| panic!("`kiwoom {}` is not in the command tree", c.path()));
        assert_eq!(
            c.flags.len(),
            tr.request.len(),
            "{}: one flag per request field",
            c.api_id
        );
        for field in &tr.request {
            let flag = c
                .flag_by_wire(&field.wire)
                .unwrap_or_else(|| panic!("{}: no flag for `{}`", c.api_id, field.wire));
            assert!(
                sub.get_arguments().any(|a| a.get_long() == Some(flag.long)),
                "{}: --{} missing from the clap command",
                c.api_id,
                flag.long
            );
            assert_eq!(flag.required, field.required, "{} {}", c.api_id, field.wire);
            if field.ty == ValueType::Enum {
                let Kind::Enum { values, .. } = flag.kind else {
                    panic!(
                        "{} {}: an enum field with a non-enum flag",
                        c.api_id, field.wire
                    );
                };
                enum_flags_walked += 1;
                let documented = &field.enumeration.as_ref().expect("enum values").values;
                assert_eq!(
                    values.len(),
                    documented.len(),
                    "{} {}",
                    c.api_id,
                    field.wire
                );
                for d in documented {
                    let v = values.iter().find(|v| v.code == d.code).unwrap_or_else(|| {
                        panic!("{} {}: code {} missing", c.api_id, field.wire, d.code)
                    });
                    // Some codes have no Korean label (ka10052 qty_tp 3 and 5).
                    let korean = Some(v.korean).filter(|k| !k.is_empty());
                    for given in [Some(v.code), Some(v.name), korean].into_iter().flatten() {
                        assert_eq!(
                            to_wire(flag, given).as_deref(),
                            Ok(d.code.as_str()),
                            "{} --{} {given}",
                            c.api_id,
                            flag.long
                        );
                    }
                }
            }
        }
        covered += 1;
    }
    // Every enum flag of the table was walked above (none hides behind a field the spec
    // types otherwise).
    let enum_flags = catalog::commands()
        .iter()
        .flat_map(|c| c.flags.iter())
        .filter(|f| matches!(f.kind, Kind::Enum { .. }))
        .count();
    assert_eq!(enum_flags_walked, enum_flags, "enum flags walked");
    assert!(enum_flags > 100, "{enum_flags} enum flags");
    assert_eq!(
        (covered, rest.len()),
        (306, 306),
        "commands for {covered} of {} REST TRs",
        rest.len()
    );
}

#[test]
fn paged_and_order_commands_follow_the_spec() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec/ loads");
    for (_, _, tr) in spec.trs() {
        let Some(c) = catalog::by_api_id(&tr.id) else {
            continue;
        };
        let paged = matches!(tr.paging, codegen::spec::Paging::Header { .. });
        assert_eq!(c.paging_list.is_some(), paged, "{} paging", tr.id);
        assert_eq!(
            c.is_order(),
            tr.safety == codegen::spec::Safety::OrderWrite,
            "{} order gate",
            tr.id
        );
    }
}

#[test]
fn every_registrable_realtime_type_can_be_streamed() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec/ loads");
    let mut expected = 0;
    for (_, _, tr) in spec.trs() {
        let Some(rt) = &tr.realtime else { continue };
        if rt.item == codegen::spec::RealtimeItem::ConditionSearch {
            assert!(
                catalog::stream(&rt.kind).is_none(),
                "{} is not registered with REG",
                rt.kind
            );
            continue;
        }
        expected += 1;
        let s = catalog::stream(&rt.kind).unwrap_or_else(|| panic!("no stream for {}", rt.kind));
        assert_eq!(s.values.len(), rt.values.len(), "{} values", rt.kind);
    }
    assert_eq!(catalog::streams().len(), expected);
}
