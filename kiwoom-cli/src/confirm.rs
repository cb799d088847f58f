//! Confirming an order on the real profile: the order is shown on the terminal and sent
//! only when the person types `yes`. Without a terminal on stdin (a script, a pipe, CI)
//! nothing is asked and nothing is sent unless `--yes` was given.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::Value as Json;

use crate::catalog::Command;
use crate::error::CliError;

/// Ask on the terminal; `Ok` only for `yes` / `y`. `shown` is the request as `--dry-run`
/// prints it (secrets redacted).
pub fn ask(c: &Command, shown: &Json) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(CliError::Refused(format!(
            "{} is an order on the real profile and stdin is not a terminal to confirm it on: \
             add --yes to send it without asking (or --dry-run to see the request first)",
            c.label()
        )));
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "REAL ACCOUNT ORDER: {}", c.label())?;
    if let Some(body) = shown.get("body").and_then(Json::as_object) {
        for (wire, value) in body {
            let flag = c.flag_by_wire(wire);
            let name = flag.map_or(wire.as_str(), |f| f.long);
            let label = flag.map_or("", |f| f.korean);
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            writeln!(err, "  --{name:<28} {value:<16} {label} [{wire}]")?;
        }
    }
    write!(
        err,
        "Send this order to Kiwoom's real servers? Type yes to send: "
    )?;
    err.flush()?;
    drop(err);
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" => Ok(()),
        _ => Err(CliError::Refused(format!("{}: not confirmed", c.label()))),
    }
}
