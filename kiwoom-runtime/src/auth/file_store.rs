//! A JSON token file shared by the clients of one process and by other processes.
//!
//! - Written atomically: a temporary file with a random name created with `O_EXCL` (so a
//!   planted file or symlink is never followed) in the same directory, mode 0600, synced,
//!   then renamed over the token file.
//! - Read-modify-write is serialized by one lock per path in this process (whatever the
//!   number of `FileTokenStore` values on it) and by an advisory file lock (`.NAME.lock`)
//!   across processes.
//! - Issuing is serialized across processes by a second file lock (`.NAME.issue.lock`), so
//!   processes sharing one app key issue one token.
//! - A file that cannot be used (garbage, empty, truncated, another shape, a directory, a
//!   symlink, readable by others) is logged once, treated as empty and replaced by the next
//!   save: never a permanent failure.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use chrono::{DateTime, Utc};
use fs4::fs_std::FileExt;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::store::{IssueLock, StoreFuture, StoredToken, TokenStore};
use crate::error::Error;

/// Tokens in a JSON file (see the module documentation for how it is shared).
#[derive(Clone)]
pub struct FileTokenStore {
    inner: Arc<FileInner>,
}

struct FileInner {
    path: PathBuf,
    /// Shared by every store value on the same path in this process.
    process_lock: Arc<Mutex<()>>,
    /// An unusable file is reported once per store, not on every call.
    warned: AtomicBool,
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("path", &self.inner.path)
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued_at: Option<DateTime<Utc>>,
    credential_fingerprint: String,
}

/// One in-process lock per (absolute) path.
fn process_lock(path: &Path) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, Weak<Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    locks.retain(|_, w| w.strong_count() > 0);
    if let Some(l) = locks.get(path).and_then(Weak::upgrade) {
        return l;
    }
    let l = Arc::new(Mutex::new(()));
    locks.insert(path.to_owned(), Arc::downgrade(&l));
    l
}

impl FileTokenStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let path = std::path::absolute(&path).unwrap_or(path);
        FileTokenStore {
            inner: Arc::new(FileInner {
                process_lock: process_lock(&path),
                path,
                warned: AtomicBool::new(false),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Run file work off the async threads: it may wait for another process's lock.
    fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&FileInner) -> Result<T, Error> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let inner = self.inner.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || work(&inner))
                .await
                .map_err(|e| Error::TokenStore(format!("token file task failed: {e}")))?
        })
    }
}

impl FileInner {
    fn dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tokens.json");
        self.dir().join(format!(".{name}.{suffix}"))
    }

    fn err(&self, what: &str, e: impl fmt::Display) -> Error {
        Error::TokenStore(format!("cannot {what} {}: {e}", self.path.display()))
    }

    /// Open (creating) a lock file and wait for its exclusive lock. Dropping the file
    /// releases it, also when the process dies.
    fn lock_file(&self, suffix: &str) -> Result<std::fs::File, Error> {
        let path = self.sibling(suffix);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(self.err("lock", format!("{} is a symlink", path.display())));
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(|e| self.err("lock", e))?;
        file.lock_exclusive().map_err(|e| self.err("lock", e))?;
        Ok(file)
    }

    /// The file's tokens; an unusable file counts as empty (reported once).
    fn read(&self) -> FileContents {
        match self.try_read() {
            Ok(c) => c,
            Err(reason) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        path = %self.path.display(),
                        %reason,
                        "token file unusable; ignoring it (the next token issued replaces it)"
                    );
                }
                FileContents::default()
            }
        }
    }

    fn try_read(&self) -> Result<FileContents, String> {
        match std::fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileContents::default());
            }
            Err(e) => return Err(e.to_string()),
            Ok(m) if m.file_type().is_symlink() => return Err("it is a symlink".into()),
            Ok(m) if !m.is_file() => return Err("it is not a regular file".into()),
            Ok(m) => check_owner_only(&m)?,
        }
        let bytes = std::fs::read(&self.path).map_err(|e| e.to_string())?;
        // The parse error names a position, never the file's text.
        serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "not a token file ({:?} at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            )
        })
    }

    fn write(&self, contents: &FileContents) -> Result<(), Error> {
        let json = serde_json::to_vec_pretty(contents).map_err(|e| self.err("encode", e))?;
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tokens.json");
        // tempfile creates with O_CREAT|O_EXCL, a random name and mode 0600.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(self.dir())
            .map_err(|e| self.err("create a temporary file for", e))?;
        tmp.write_all(&json)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| self.err("write", e))?;
        // rename(2) replaces a symlink at the path rather than following it.
        tmp.persist(&self.path)
            .map_err(|e| self.err("replace", e.error))?;
        Ok(())
    }

    /// Read, change and write under both locks.
    fn update(&self, change: impl FnOnce(&mut FileContents) -> bool) -> Result<(), Error> {
        let _in_process = self.process_lock.lock().unwrap_or_else(|p| p.into_inner());
        let _across_processes = self.lock_file("lock")?;
        let mut contents = self.read();
        if change(&mut contents) {
            self.write(&contents)?;
            self.warned.store(false, Ordering::Relaxed);
        }
        Ok(())
    }
}

#[cfg(unix)]
fn check_owner_only(meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "permissions {:o}: tokens are only read from a file only its owner can read (0600)",
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_meta: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

impl TokenStore for FileTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<StoredToken>> {
        let key = key.to_owned();
        self.blocking(move |inner| {
            Ok(inner.read().tokens.remove(&key).map(|e| StoredToken {
                token: e.token.into(),
                expires_at: e.expires_at,
                issued_at: e.issued_at,
                credential_fingerprint: e.credential_fingerprint,
            }))
        })
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        let key = key.to_owned();
        let entry = FileEntry {
            token: token.token.expose_secret().to_owned(),
            expires_at: token.expires_at,
            issued_at: token.issued_at,
            credential_fingerprint: token.credential_fingerprint.clone(),
        };
        self.blocking(move |inner| {
            inner.update(|contents| {
                let now = Utc::now();
                contents.tokens.retain(|_, e| e.expires_at > now);
                contents.tokens.insert(key, entry);
                true
            })
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        let key = key.to_owned();
        self.blocking(move |inner| inner.update(|contents| contents.tokens.remove(&key).is_some()))
    }

    fn issue_lock<'a>(&'a self, _key: &'a str) -> StoreFuture<'a, Option<IssueLock>> {
        let fut = self.blocking(|inner| inner.lock_file("issue.lock"));
        Box::pin(async move {
            let file = fut.await?;
            Ok(Some(IssueLock::new(move || {
                Box::pin(async move { drop(file) })
            })))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredToken {
        StoredToken {
            token: "file-token-XYZ".into(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            issued_at: None,
            credential_fingerprint: "fp".into(),
        }
    }

    #[tokio::test]
    async fn file_store_round_trip_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        assert!(store.load("k").await.unwrap().is_none());
        store.save("k", &sample()).await.unwrap();
        let back = store.load("k").await.unwrap().unwrap();
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
        store.remove("k").await.unwrap();
        assert!(store.load("k").await.unwrap().is_none());
        assert!(!format!("{store:?}").contains("file-token-XYZ"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_readable_file_is_not_trusted_and_is_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save("k", &sample()).await.unwrap();
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(store.load("k").await.unwrap().is_none(), "not trusted");
        store.save("k", &sample()).await.unwrap();
        assert!(
            store.load("k").await.unwrap().is_some(),
            "replaced with 0600"
        );
    }

    #[tokio::test]
    async fn unusable_files_are_ignored_then_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        for garbage in [
            &b""[..],
            b"{",
            b"[1,2]",
            b"\xff\xfe",
            b"{\"tokens\":{\"k\":1}}",
        ] {
            std::fs::write(&path, garbage).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
            let store = FileTokenStore::new(&path);
            assert!(store.load("k").await.unwrap().is_none());
            store.save("k", &sample()).await.unwrap();
            assert!(store.load("k").await.unwrap().is_some());
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlink_at_the_path_is_neither_read_nor_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep me").unwrap();
        let path = dir.path().join("tokens.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let store = FileTokenStore::new(&path);
        assert!(store.load("k").await.unwrap().is_none());
        store.save("k", &sample()).await.unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        assert!(
            !std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
