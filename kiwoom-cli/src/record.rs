//! `kiwoom stream --record FILE` and `--replay FILE`.
//!
//! A recording is NDJSON: one frame per line as Kiwoom's WebSocket sends it, plus the time
//! it was received (`received_at`, RFC 3339 UTC, microseconds):
//!
//! ```text
//! {"received_at":"2026-12-02T19:40:01.123456Z","trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"10":"+70100",...}}]}
//! {"received_at":"...","trnm":"SYSTEM","code":"R10001","message":"..."}
//! ```
//!
//! The runtime's session hands over each REAL entry once it is read (it does not expose the
//! frame's bytes), so an entry is written back in its wire shape, every key and value kept
//! (values' keys sorted; a frame of several entries becomes several lines). Each line is
//! written and flushed as it arrives, so an interrupted recording ends on a whole line.

use std::fs::File;
use std::io::{BufRead, BufReader, LineWriter, Write};
use std::path::Path;

use kiwoom_generated::kiwoom_runtime::RealItem;
use serde_json::{Value as Json, json};

use crate::error::CliError;
use crate::output::Format;
use crate::stream::{self, StreamArgs};

/// Appends frames to a recording file.
pub struct Recorder {
    file: LineWriter<File>,
    path: std::path::PathBuf,
}

impl Recorder {
    /// Open `path` for appending (created when missing): recording twice into one file
    /// keeps both sessions.
    pub fn open(path: &Path) -> Result<Recorder, CliError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| CliError::Config(format!("cannot record to {}: {e}", path.display())))?;
        Ok(Recorder {
            file: LineWriter::new(file),
            path: path.to_path_buf(),
        })
    }

    pub fn real(&mut self, item: &RealItem) -> Result<(), CliError> {
        self.line(json!({
            "received_at": now(),
            "trnm": "REAL",
            "data": [item],
        }))
    }

    pub fn system(&mut self, code: &str, message: &str) -> Result<(), CliError> {
        self.line(json!({
            "received_at": now(),
            "trnm": "SYSTEM",
            "code": code,
            "message": message,
        }))
    }

    fn line(&mut self, frame: Json) -> Result<(), CliError> {
        writeln!(self.file, "{frame}")
            .map_err(|e| CliError::Config(format!("cannot record to {}: {e}", self.path.display())))
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Print the recorded events of `args.code` (and items, when given) as `kiwoom stream`
/// prints live ones, up to `--count`. No connection is made.
pub fn replay(
    args: &StreamArgs,
    file: &Path,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let s = crate::catalog::stream(&args.code)
        .ok_or_else(|| CliError::Usage(format!("`{}` is not a realtime type", args.code)))?;
    let open_err =
        |e: std::io::Error| CliError::Config(format!("cannot read {}: {e}", file.display()));
    let reader = BufReader::new(File::open(file).map_err(open_err)?);
    let mut printed = 0u64;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(open_err)?;
        if line.trim().is_empty() {
            continue;
        }
        let frame: Json = serde_json::from_str(&line).map_err(|e| {
            CliError::Config(format!(
                "{} line {}: not a recorded frame: {e}",
                file.display(),
                n + 1
            ))
        })?;
        let entries = frame
            .get("data")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for entry in entries {
            let item: RealItem = serde_json::from_value(entry).map_err(|e| {
                CliError::Config(format!(
                    "{} line {}: not a REAL entry: {e}",
                    file.display(),
                    n + 1
                ))
            })?;
            if item.kind != s.code || (!args.items.is_empty() && !args.items.contains(&item.item)) {
                continue;
            }
            if args.count.is_some_and(|c| printed >= c) {
                return Ok(());
            }
            stream::print_item(s, &item, format, out)?;
            printed += 1;
        }
    }
    Ok(())
}
