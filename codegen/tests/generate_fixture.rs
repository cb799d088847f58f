//! The generator's output for a small hand-written spec (paging, enums shared and
//! disambiguated, a nested object, a keyword wire name, an order TR, OAuth secrets, array
//! rows, realtime values). Every file is an insta snapshot; the same files are kept as a
//! golden tree that `kiwoom-generated/tests/golden.rs` compiles and runs, so a golden that
//! no longer builds fails the build.
//!
//! After an intended change: `INSTA_UPDATE=always UPDATE_GOLDEN=1 cargo test -p codegen --test generate_fixture`.

use std::path::{Path, PathBuf};

use codegen::generate::{drift, generate, write};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generate/basic")
}

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generate/basic.golden")
}

#[test]
fn fixture_output_snapshots() {
    let files = generate(&fixture()).expect("fixture generates");
    for (path, content) in &files {
        let name = path.to_string_lossy().replace(['/', '\\'], "__");
        insta::assert_snapshot!(name, content);
    }
}

#[test]
fn golden_tree_matches_the_generator() {
    let files = generate(&fixture()).expect("fixture generates");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        write(&files, &golden()).expect("golden written");
    }
    let drift = drift(&files, &golden());
    assert!(
        drift.is_empty(),
        "golden tree differs:\n  {}\nFix: UPDATE_GOLDEN=1 cargo test -p codegen --test generate_fixture",
        drift
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
