//! The generator refuses broken specs with a message that names the file, the TR and the
//! field (and both sides of a collision). Each case breaks the good fixture one way.

use std::path::{Path, PathBuf};

use codegen::generate::provenance;
use codegen::ir;
use codegen::spec::{Spec, ValueType};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generate/basic")
}

fn build_error(mutate: impl FnOnce(&mut Spec)) -> String {
    let mut spec = Spec::load(&fixture()).expect("fixture loads");
    mutate(&mut spec);
    match ir::build(&spec, provenance(&fixture()).expect("hash")) {
        Ok(_) => panic!("the broken spec was accepted"),
        Err(e) => e.to_string(),
    }
}

fn tr_mut<'a>(spec: &'a mut Spec, id: &str) -> &'a mut codegen::spec::Tr {
    spec.groups
        .iter_mut()
        .flat_map(|(_, g)| g.trs.iter_mut())
        .find(|t| t.id == id)
        .expect("TR in fixture")
}

#[test]
fn method_name_collision_names_both_trs() {
    let message =
        build_error(|spec| tr_mut(spec, "ka10001").english_name = "stock_daily_chart".to_owned());
    insta::assert_snapshot!("error_method_collision", message);
}

#[test]
fn field_name_collision_names_both_fields() {
    let message =
        build_error(|spec| tr_mut(spec, "ka10001").response[1].rust = "stock_name".to_owned());
    insta::assert_snapshot!("error_field_collision", message);
}

#[test]
fn enum_without_values() {
    let message = build_error(|spec| {
        let field = &mut tr_mut(spec, "ka10081").request[2];
        field
            .enumeration
            .as_mut()
            .expect("enum field")
            .values
            .clear();
    });
    insta::assert_snapshot!("error_enum_without_values", message);
}

#[test]
fn enum_type_without_codes() {
    let message = build_error(|spec| tr_mut(spec, "kt10000").request[2].ty = ValueType::Enum);
    insta::assert_snapshot!("error_enum_without_codes", message);
}

#[test]
fn keyword_as_rust_name() {
    let message = build_error(|spec| tr_mut(spec, "ka10001").response[1].rust = "type".to_owned());
    insta::assert_snapshot!("error_keyword", message);
}

#[test]
fn pager_on_an_order_is_refused() {
    let message = build_error(|spec| {
        let tr = tr_mut(spec, "kt10000");
        tr.paging = codegen::spec::Paging::Header {
            list: "ord_no".to_owned(),
        };
    });
    insta::assert_snapshot!("error_order_pager", message);
}

#[test]
fn unknown_type_is_a_load_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture(), dir.path());
    let chart = dir.path().join("domestic/chart.yaml");
    let text = std::fs::read_to_string(&chart)
        .unwrap()
        .replacen("type: date", "type: money", 1);
    std::fs::write(&chart, text).unwrap();
    let message = match codegen::generate::generate(dir.path()) {
        Ok(_) => panic!("an unknown type was accepted"),
        Err(e) => e
            .to_string()
            .replace(&dir.path().display().to_string(), "<spec>"),
    };
    insta::assert_snapshot!("error_unknown_type", message);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
