//! Running one TR: gates, dry run, the call (one page, or the runtime's paging loop) and
//! the printing. Everything that can refuse does so before anything is sent.

use std::io::{IsTerminal, Write};

use futures::StreamExt;
use kiwoom_generated::kiwoom_runtime::Error as KiwoomError;
use kiwoom_generated::registry::{self, AnyRequest};
use serde_json::Value as Json;

use crate::catalog::{Command, Kind};
use crate::error::CliError;
use crate::output::{self, Format, RowPrinter};
use crate::profile::{self, Profile};

/// Options shared by every TR command.
#[derive(Debug, Clone)]
pub struct Options {
    pub profile: Profile,
    pub format: Format,
    /// `Some(None)`: every page; `Some(Some(n))`: at most n; `None`: one call, no paging.
    pub pages: Option<Option<usize>>,
    /// `--allow-orders`, or the profile's `allow_orders`.
    pub allow_orders: bool,
    pub yes: bool,
    pub dry_run: bool,
}

/// Run `request` (already read and validated) of command `c`. `body` is what `call_json`
/// reads again: the flags' wire object, or the user's JSON text.
pub async fn run(
    c: &'static Command,
    request: AnyRequest,
    body: Json,
    options: &Options,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if options.pages.is_some() && c.paging_list.is_none() {
        return Err(CliError::Usage(format!(
            "{}: --all-pages / --max-pages: this TR does not page (no cont-yn / next-key list)",
            c.label()
        )));
    }
    if options.dry_run {
        return dry_run(c, &request, out);
    }
    gate(c, &request, options)?;
    let session = profile::connect(options.profile).await?;
    let client = &session.client;
    match (options.pages, c.paging_list) {
        (Some(max_pages), Some(list)) => {
            let mut pages =
                kiwoom_generated::registry::pages(client, request, max_pages).map_err(|_| {
                    CliError::Usage(format!("{}: the client has no pager for it", c.label()))
                })?;
            let mut printer = RowPrinter::new(c, list, options.format);
            let mut count = 0usize;
            // Progress for a person watching; nothing on stderr for a program reading it.
            let progress = std::io::stderr().is_terminal();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| kiwoom_error(c, e))?;
                count += 1;
                let value = serde_json::to_value(&page).map_err(std::io::Error::other)?;
                printer.page(&value, out)?;
                tracing::debug!(
                    api_id = c.api_id,
                    page = count,
                    rows = printer.rows(),
                    "page printed"
                );
                if progress {
                    eprint!("\r{}: page {count}, {} rows", c.api_id, printer.rows());
                }
            }
            printer.finish(out)?;
            if progress {
                eprintln!("\r{}: {} rows in {count} pages", c.api_id, printer.rows());
            }
        }
        _ => {
            let answer = registry::call_json(client, c.api_id, body)
                .await
                .map_err(|e| kiwoom_error(c, e))?;
            let value = serde_json::to_value(&answer).map_err(std::io::Error::other)?;
            output::body(c, &value, options.format, out)?;
        }
    }
    Ok(())
}

/// Orders are refused unless `--allow-orders` (or the profile allows orders); on `real`
/// the order is shown and confirmed on the terminal, or sent without asking with `--yes`,
/// and never sent when there is no terminal to ask on and no `--yes`.
fn gate(c: &Command, request: &AnyRequest, options: &Options) -> Result<(), CliError> {
    if !c.is_order() {
        return Ok(());
    }
    if !options.allow_orders {
        return Err(CliError::Refused(format!(
            "{} is an order TR ({}): refused without --allow-orders",
            c.label(),
            c.safety_name()
        )));
    }
    if options.profile == Profile::Real && !options.yes {
        crate::confirm::ask(c, &shown(c, request)?)?;
    }
    Ok(())
}

/// The request body as it would be sent, secrets redacted, with the TR it is for.
fn shown(c: &Command, request: &AnyRequest) -> Result<Json, CliError> {
    let mut body = serde_json::to_value(request).map_err(std::io::Error::other)?;
    if let Json::Object(map) = &mut body {
        for f in c.flags.iter().filter(|f| matches!(f.kind, Kind::Secret)) {
            if let Some(v) = map.get_mut(f.wire) {
                *v = Json::String("<redacted>".to_owned());
            }
        }
    }
    Ok(serde_json::json!({
        "api_id": c.api_id,
        "name": c.korean_name,
        "order": c.is_order(),
        "body": body,
    }))
}

/// `--dry-run`: the request as it would be sent, nothing sent.
fn dry_run(c: &Command, request: &AnyRequest, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&shown(c, request)?).map_err(std::io::Error::other)?
    )?;
    eprintln!("dry run: validated, nothing was sent");
    Ok(())
}

/// Validation errors name the flag; an order whose answer was lost says what to check.
fn kiwoom_error(c: &Command, e: KiwoomError) -> CliError {
    match e {
        KiwoomError::Validation(v) => crate::flags::validation(c, v),
        e if e.is_outcome_unknown() => CliError::OutcomeUnknown(format!(
            "{}: OUTCOME UNKNOWN, the order may have been placed: {e}. It was not resent; \
             check the open orders and fills (kiwoom domestic account unfilled-orders / \
             filled-orders) before placing it again",
            c.label()
        )),
        e => CliError::Kiwoom(e),
    }
}
