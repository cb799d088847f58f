//! Reading `spec/`: the YAML model and the loader. Nothing here interprets the spec.

mod model;

pub use model::*;

use std::path::{Path, PathBuf};

/// Everything in `spec/` that the generator and the simulator read.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// One entry per `spec/<market>/<category>.yaml`, sorted by path.
    pub groups: Vec<(PathBuf, GroupFile)>,
    pub errors: ErrorsFile,
    pub websocket: WebsocketFile,
    /// `spec/names.yaml`: the generator's naming decisions (curated by hand, never written
    /// by the importer). Absent = no overrides.
    pub names: NamesFile,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Yaml {
        path: PathBuf,
        #[source]
        source: serde_norway::Error,
    },
}

/// The workspace's own `spec/` directory, wherever the caller runs from.
pub fn workspace_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("spec")
}

impl Spec {
    /// Load `dir` (normally `spec/`). Group files are the `*.yaml` files in its subdirectories.
    pub fn load(dir: &Path) -> Result<Spec, LoadError> {
        let group_paths = group_file_paths(dir)?;
        let mut groups = Vec::with_capacity(group_paths.len());
        for path in group_paths {
            let file: GroupFile = read_yaml(&path)?;
            groups.push((path, file));
        }
        Ok(Spec {
            groups,
            errors: read_yaml(&dir.join("errors.yaml"))?,
            websocket: read_yaml(&dir.join("websocket.yaml"))?,
            names: read_optional_yaml(&dir.join("names.yaml"))?,
        })
    }

    /// Every TR with the file it lives in, in file order.
    pub fn trs(&self) -> impl Iterator<Item = (&Path, &Group, &Tr)> {
        self.groups.iter().flat_map(|(path, file)| {
            file.trs
                .iter()
                .map(move |tr| (path.as_path(), &file.group, tr))
        })
    }
}

/// The group files of a spec directory: `<market>/<category>.yaml`, sorted.
pub fn group_file_paths(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut paths = Vec::new();
    for entry in read_dir(dir)? {
        if entry.is_dir() {
            for file in read_dir(&entry)? {
                if file.extension().is_some_and(|e| e == "yaml") {
                    paths.push(file);
                }
            }
        }
    }
    paths.sort();
    Ok(paths)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        out.push(entry.map_err(io)?.path());
    }
    out.sort();
    Ok(out)
}

/// Like [`read_yaml`], but a missing file is the type's default.
pub fn read_optional_yaml<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T, LoadError> {
    if path.exists() {
        read_yaml(path)
    } else {
        Ok(T::default())
    }
}

pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_norway::from_str(&text).map_err(|source| LoadError::Yaml {
        path: path.to_path_buf(),
        source,
    })
}
