//! The `spec/` this simulator was built with, bundled into the binary by `build.rs`, so an
//! installed `kiwoom` or `kiwoom-mock` serves every TR with no source tree on the machine.
//! A spec directory given explicitly (`MockConfig::spec_dir`, `--spec-dir`) still wins.

use std::path::PathBuf;

use codegen::spec::{LoadError, Spec};

mod files {
    include!(concat!(env!("OUT_DIR"), "/embedded_spec.rs"));
}

/// Where errors say the bundled spec came from.
pub const ORIGIN: &str = "<spec bundled at build time>";

/// Parse the bundled files the way `Spec::load` reads a directory: group files are the
/// `<market>/<category>.yaml` entries, sorted; `names.yaml` is optional.
pub fn load() -> Result<Spec, LoadError> {
    let mut groups = Vec::new();
    let mut errors = None;
    let mut websocket = None;
    let mut names = None;
    for (rel, text) in files::FILES {
        let path = PathBuf::from(ORIGIN).join(rel);
        let yaml = |e| LoadError::Yaml {
            path: path.clone(),
            source: e,
        };
        match *rel {
            "errors.yaml" => errors = Some(serde_norway::from_str(text).map_err(yaml)?),
            "websocket.yaml" => websocket = Some(serde_norway::from_str(text).map_err(yaml)?),
            "names.yaml" => names = Some(serde_norway::from_str(text).map_err(yaml)?),
            _ if rel.contains('/') => {
                groups.push((path.clone(), serde_norway::from_str(text).map_err(yaml)?))
            }
            _ => {}
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let missing = |name: &str| LoadError::Io {
        path: PathBuf::from(ORIGIN).join(name),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "not bundled"),
    };
    Ok(Spec {
        groups,
        errors: errors.ok_or_else(|| missing("errors.yaml"))?,
        websocket: websocket.ok_or_else(|| missing("websocket.yaml"))?,
        names: names.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use codegen::spec::{Spec, workspace_spec_dir};

    /// The bundled copy is the workspace's spec/, file for file (build.rs reruns when a
    /// spec file changes, so a stale copy would fail here).
    #[test]
    fn the_bundled_spec_is_the_workspace_spec() {
        let bundled = super::load().expect("the bundled spec parses");
        let dir = workspace_spec_dir();
        let on_disk = Spec::load(&dir).expect("spec/ loads");
        let relative = |spec: Spec, root: &std::path::Path| Spec {
            groups: spec
                .groups
                .into_iter()
                .map(|(p, g)| (p.strip_prefix(root).expect("under root").to_path_buf(), g))
                .collect(),
            ..spec
        };
        let bundled = relative(bundled, std::path::Path::new(super::ORIGIN));
        let on_disk = relative(on_disk, &dir);
        assert!(
            bundled.groups.len() > 20,
            "{} group files",
            bundled.groups.len()
        );
        assert!(bundled == on_disk, "the bundled spec differs from spec/");
    }
}
