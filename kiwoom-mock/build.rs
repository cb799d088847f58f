//! Bundles the workspace's `spec/` into the simulator: a binary installed with
//! `cargo install` (kiwoom, kiwoom-mock) runs on a machine without the source tree.
//! Writes `$OUT_DIR/embedded_spec.rs`: every YAML file the simulator reads, by its path
//! relative to `spec/`, as `include_str!` (so cargo rebuilds when one changes).

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest.join("..").join("spec");
    println!("cargo:rerun-if-changed={}", spec.display());
    let mut files = Vec::new();
    for name in ["errors.yaml", "websocket.yaml", "names.yaml"] {
        let path = spec.join(name);
        if path.is_file() {
            files.push((name.to_owned(), path));
        }
    }
    // Group files: `<market>/<category>.yaml`, as codegen::spec::group_file_paths reads them.
    for dir in sorted(&spec) {
        if !dir.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", dir.display());
        for file in sorted(&dir) {
            if file.extension().is_some_and(|e| e == "yaml") {
                let rel = format!(
                    "{}/{}",
                    dir.file_name().expect("a directory name").to_string_lossy(),
                    file.file_name().expect("a file name").to_string_lossy()
                );
                files.push((rel, file));
            }
        }
    }
    let mut out = String::from(
        "/// The spec files bundled at build time: (path relative to spec/, contents).\n\
         pub const FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let abs = path.canonicalize().expect("spec file exists");
        out.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", abs));
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var_os("OUT_DIR").expect("set by cargo")).join("embedded_spec.rs");
    std::fs::write(dest, out).expect("write embedded_spec.rs");
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    paths.sort();
    paths
}
