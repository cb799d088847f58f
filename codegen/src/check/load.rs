//! Reading spec/ file by file, so one broken file does not hide the problems of the others.

use std::path::Path;

use crate::spec::{ErrorsFile, GroupFile, WebsocketFile, group_file_paths, read_yaml};

use super::CheckError;

pub struct Loaded {
    /// (path relative to the spec dir, file)
    pub groups: Vec<(String, GroupFile)>,
    pub errors: Option<ErrorsFile>,
    pub websocket: Option<WebsocketFile>,
}

fn rel(spec_dir: &Path, path: &Path) -> String {
    path.strip_prefix(spec_dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn file_error(file: String, message: String) -> CheckError {
    CheckError {
        file,
        tr: None,
        field: None,
        message,
    }
}

/// The loader's message without the path prefix (the CheckError carries the file).
fn strip_path(message: String, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    message
        .strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(message)
}

pub fn load(spec_dir: &Path, errors: &mut Vec<CheckError>) -> Loaded {
    let group_paths = group_file_paths(spec_dir).unwrap_or_else(|e| {
        errors.push(file_error(
            spec_dir.display().to_string(),
            format!("cannot read the spec directory: {e}"),
        ));
        Vec::new()
    });
    let mut groups = Vec::new();
    for path in group_paths {
        match read_yaml::<GroupFile>(&path) {
            Ok(g) => groups.push((rel(spec_dir, &path), g)),
            Err(e) => errors.push(file_error(
                rel(spec_dir, &path),
                strip_path(e.to_string(), &path),
            )),
        }
    }
    if groups.is_empty() {
        errors.push(file_error(
            rel(spec_dir, spec_dir).to_string(),
            "no group files (<market>/<category>.yaml)".to_string(),
        ));
    }
    let single = |name: &str| spec_dir.join(name);
    let errors_path = single("errors.yaml");
    let errors_file = read_yaml::<ErrorsFile>(&errors_path)
        .map_err(|e| {
            errors.push(file_error(
                "errors.yaml".to_string(),
                strip_path(e.to_string(), &errors_path),
            ))
        })
        .ok();
    let ws_path = single("websocket.yaml");
    let websocket = read_yaml::<WebsocketFile>(&ws_path)
        .map_err(|e| {
            errors.push(file_error(
                "websocket.yaml".to_string(),
                strip_path(e.to_string(), &ws_path),
            ))
        })
        .ok();
    Loaded {
        groups,
        errors: errors_file,
        websocket,
    }
}
