//! The book on disk (`MockConfig::state_file`): JSON, written after every change as a
//! temporary file in the same directory renamed over the old one, so a simulator killed at
//! any instant leaves either the previous or the new book, never half of one. (Not synced
//! to the disk: a process crash is covered, a power loss is not.) Loaded when a server
//! starts; a file that cannot be read stops the start rather than silently emptying the
//! book.

use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::book::Book;

/// Bumped when the stored shape changes incompatibly.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Stored<'a> {
    version: u32,
    seed: u64,
    book: &'a Book,
}

#[derive(Deserialize)]
struct Loaded {
    version: u32,
    seed: u64,
    book: Book,
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Write `book` to `path` atomically (temp file + rename).
pub fn save(path: &Path, seed: u64, book: &Book) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(&Stored {
        version: VERSION,
        seed,
        book,
    })
    .map_err(Error::other)?;
    let temp = temp_path(path);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)
}

/// The book saved at `path`, or `None` when there is no file yet.
pub fn load(path: &Path, seed: u64) -> std::io::Result<Option<Book>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let loaded: Loaded = serde_json::from_slice(&bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidData,
            format!("state file {}: {e}", path.display()),
        )
    })?;
    if loaded.version != VERSION {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "state file {}: version {} (this simulator writes {VERSION})",
                path.display(),
                loaded.version
            ),
        ));
    }
    if loaded.seed != seed {
        tracing::warn!(
            path = %path.display(),
            saved = loaded.seed,
            configured = seed,
            "the state file was written with another seed: its book is kept, new draws follow the configured seed"
        );
    }
    Ok(Some(loaded.book))
}
