//! The checked-in generated code is what the generator makes from spec/ today, and the
//! generator makes the same bytes every time.

use codegen::generate::{drift, generate, workspace_root};
use codegen::spec::workspace_spec_dir;

#[test]
fn generated_code_is_fresh() {
    let files = generate(&workspace_spec_dir()).expect("spec/ generates");
    let drift = drift(&files, &workspace_root());
    assert!(
        drift.is_empty(),
        "generated code is out of date with spec/ ({} files):\n  {}\n\nFix: cargo run -p codegen",
        drift.len(),
        drift
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn generation_is_deterministic() {
    let first = generate(&workspace_spec_dir()).expect("spec/ generates");
    let second = generate(&workspace_spec_dir()).expect("spec/ generates");
    assert_eq!(first.len(), second.len());
    for (path, content) in &first {
        assert_eq!(
            Some(content),
            second.get(path),
            "{} differs between two runs",
            path.display()
        );
    }
}
