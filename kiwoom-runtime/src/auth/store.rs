//! Where tokens are kept between calls and between processes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A token as stored: never the app key or the secret key, only a fingerprint of them, so
/// a token is never reused after the keys change.
#[derive(Clone, Debug)]
pub struct StoredToken {
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
    /// SHA-256 over app key, secret key and base URL (see `Client`): a token issued for
    /// other keys or another environment is ignored.
    pub credential_fingerprint: String,
}

/// Keeps tokens keyed by a fingerprint of the app key and environment. Implementations
/// must be cheap: they are called only when a token is missing or being replaced.
pub trait TokenStore: Send + Sync + fmt::Debug {
    fn load(&self, key: &str) -> Result<Option<StoredToken>, Error>;
    fn save(&self, key: &str, token: &StoredToken) -> Result<(), Error>;
    fn remove(&self, key: &str) -> Result<(), Error>;
}

/// The default: tokens live as long as the process (and are shared by clients that share
/// the store).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<BTreeMap<String, StoredToken>>,
}

impl MemoryTokenStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self, key: &str) -> Result<Option<StoredToken>, Error> {
        Ok(self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }
    fn save(&self, key: &str, token: &StoredToken) -> Result<(), Error> {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), token.clone());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), Error> {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        Ok(())
    }
}

/// A JSON file shared by short-lived processes (cron jobs, CLIs) so each does not issue a
/// new token. Written atomically (temporary file + rename) with owner-only permissions;
/// a file readable by group or others is refused rather than trusted.
pub struct FileTokenStore {
    path: PathBuf,
    // Serializes read-modify-write within this process; separate processes may race, in
    // which case the last writer wins and the loser's token stays valid on the server.
    lock: Mutex<()>,
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("path", &self.path)
            .finish()
    }
}

#[derive(Serialize, Deserialize, Default)]
struct FileContents {
    #[serde(default)]
    tokens: BTreeMap<String, FileEntry>,
}

#[derive(Serialize, Deserialize)]
struct FileEntry {
    token: String,
    expires_at: DateTime<Utc>,
    credential_fingerprint: String,
}

impl FileTokenStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<FileContents, Error> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileContents::default());
            }
            Err(e) => return Err(self.err("read", e)),
        };
        check_owner_only(&self.path)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::TokenStore(format!("{} is not a token file: {e}", self.path.display()))
        })
    }

    fn write(&self, contents: &FileContents) -> Result<(), Error> {
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tokens.json");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let json =
            serde_json::to_vec_pretty(contents).map_err(|e| Error::TokenStore(e.to_string()))?;
        write_owner_only(&tmp, &json).map_err(|e| self.err("write", e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.err("replace", e)
        })
    }

    fn err(&self, what: &str, e: std::io::Error) -> Error {
        Error::TokenStore(format!("cannot {what} {}: {e}", self.path.display()))
    }
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::TokenStore(format!("cannot stat {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Error::TokenStore(format!(
            "{} has permissions {:o}; tokens are only read from a file only its owner can read (0600)",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &Path) -> Result<(), Error> {
    Ok(())
}

fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    #[cfg(unix)]
    {
        // `mode` applies only when creating; a leftover temp file keeps its old mode.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()
}

impl TokenStore for FileTokenStore {
    fn load(&self, key: &str) -> Result<Option<StoredToken>, Error> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.tokens.remove(key).map(|e| StoredToken {
            token: e.token.into(),
            expires_at: e.expires_at,
            credential_fingerprint: e.credential_fingerprint,
        }))
    }

    fn save(&self, key: &str, token: &StoredToken) -> Result<(), Error> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut contents = self.read()?;
        let now = Utc::now();
        contents.tokens.retain(|_, e| e.expires_at > now);
        contents.tokens.insert(
            key.to_owned(),
            FileEntry {
                token: token.token.expose_secret().to_owned(),
                expires_at: token.expires_at,
                credential_fingerprint: token.credential_fingerprint.clone(),
            },
        );
        self.write(&contents)
    }

    fn remove(&self, key: &str) -> Result<(), Error> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut contents = self.read()?;
        if contents.tokens.remove(key).is_some() {
            self.write(&contents)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredToken {
        StoredToken {
            token: "file-token-XYZ".into(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            credential_fingerprint: "fp".into(),
        }
    }

    #[test]
    fn file_store_round_trip_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        assert!(store.load("k").unwrap().is_none());
        store.save("k", &sample()).unwrap();
        let back = store.load("k").unwrap().unwrap();
        assert_eq!(back.token.expose_secret(), "file-token-XYZ");
        assert_eq!(back.credential_fingerprint, "fp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.remove("k").unwrap();
        assert!(store.load("k").unwrap().is_none());
        assert!(!format!("{store:?}").contains("file-token-XYZ"));
    }

    #[cfg(unix)]
    #[test]
    fn file_store_refuses_a_readable_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save("k", &sample()).unwrap();
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = store.load("k").unwrap_err();
        assert!(
            matches!(err, Error::TokenStore(ref m) if m.contains("0600")),
            "{err}"
        );
    }
}
