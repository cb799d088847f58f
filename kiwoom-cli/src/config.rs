//! The configuration directory and its `config.json`: which profile is the default and,
//! per profile, where the keys come from and which server it talks to. Never a key.
//!
//! The directory is `KIWOOM_CONFIG_DIR` when set (tests, several setups side by side),
//! otherwise the platform's config directory (`~/.config/kiwoom` on Linux,
//! `~/Library/Application Support/rs.kiwoom.kiwoom` on macOS, `%APPDATA%\kiwoom\kiwoom\config`
//! on Windows). It holds `config.json` and `tokens.json` (the runtime's file token store),
//! both written owner-only (0600) in an owner-only (0700) directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

pub const CONFIG_DIR_VAR: &str = "KIWOOM_CONFIG_DIR";
const CONFIG_FILE: &str = "config.json";
const TOKEN_FILE: &str = "tokens.json";

/// Where the configuration lives.
pub fn dir() -> Result<PathBuf, CliError> {
    if let Some(d) = std::env::var_os(CONFIG_DIR_VAR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("rs", "kiwoom", "kiwoom")
        .map(|p| p.config_dir().to_path_buf())
        .ok_or_else(|| {
            CliError::Config(format!(
                "no home directory to keep the configuration in; set {CONFIG_DIR_VAR}"
            ))
        })
}

/// The runtime's token file (`FileTokenStore`) for the profiles that talk to a server.
pub fn token_file(dir: &Path) -> PathBuf {
    dir.join(TOKEN_FILE)
}

/// Where a profile's keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeySource {
    /// `KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY` at each run (nothing stored).
    #[default]
    Env,
    /// The OS keyring (`kiwoom login` stored them there).
    Keyring,
}

/// One profile's settings. Keys are never here: only where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileConfig {
    #[serde(default)]
    pub keys: KeySource,
    /// A server other than the profile's own (Kiwoom's for mock and real, the in-process
    /// simulator for simulator): `http://127.0.0.1:8080` for a `kiwoom sim` running
    /// elsewhere. The WebSocket URL is the same host with ws:// or wss://.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Order TRs run without `--allow-orders` (the real profile still asks to confirm).
    #[serde(default)]
    pub allow_orders: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The profile used without `--profile`; `simulator` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
}

impl Config {
    /// The configuration in `dir`; a missing file is the empty configuration (a fresh
    /// machine: simulator by default, nothing stored).
    pub fn load(dir: &Path) -> Result<Config, CliError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                CliError::Config(format!(
                    "{} is not a kiwoom configuration: {e}",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(CliError::Config(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Write atomically (a temporary file renamed over the old one), owner-only.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, CliError> {
        create_private_dir(dir)?;
        let path = dir.join(CONFIG_FILE);
        let fail =
            |e: std::io::Error| CliError::Config(format!("cannot write {}: {e}", path.display()));
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        // tempfile creates the file 0600 with O_EXCL, so it is never readable by others.
        let mut tmp = tempfile::Builder::new()
            .prefix(".config.json.")
            .tempfile_in(dir)
            .map_err(fail)?;
        tmp.write_all(&json)
            .and_then(|()| tmp.write_all(b"\n"))
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(path)
    }

    pub fn profile(&self, name: &str) -> ProfileConfig {
        self.profiles.get(name).cloned().unwrap_or_default()
    }
}

/// Create `dir` (and its parents) with mode 0700 when it does not exist.
pub fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| CliError::Config(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_the_fresh_machine_and_a_saved_one_reads_back() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("nested").join("kiwoom");
        assert_eq!(Config::load(&dir).expect("loads"), Config::default());
        let mut config = Config::default();
        config.profiles.insert(
            "real".into(),
            ProfileConfig {
                keys: KeySource::Keyring,
                url: None,
                allow_orders: false,
            },
        );
        let path = config.save(&dir).expect("saves");
        assert_eq!(Config::load(&dir).expect("loads"), config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode();
            assert_eq!(mode(&path) & 0o777, 0o600);
            assert_eq!(mode(&dir) & 0o777, 0o700);
        }
    }
}
