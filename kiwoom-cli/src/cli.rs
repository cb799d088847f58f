//! From parsed arguments to the command that runs.

use std::io::Write;

use clap::ArgMatches;
use serde_json::Value as Json;

use crate::catalog::{self, Command};
use crate::error::CliError;
use crate::find;
use crate::flags;
use crate::output::Format;
use crate::profile::Profile;
use crate::run::{self, Options};
use crate::tree::global;

/// Run the command `matches` describes, printing to `out`.
pub async fn dispatch(matches: &ArgMatches, out: &mut dyn Write) -> Result<(), CliError> {
    let options = options(matches)?;
    let Some((name, sub)) = matches.subcommand() else {
        return Err(CliError::Usage(
            "no command given (see kiwoom --help)".to_owned(),
        ));
    };
    match name {
        "find" => {
            let words: Vec<String> = sub
                .get_many::<String>("words")
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            let found = find::find(&words);
            find::print_found(&found, options.format, out)
        }
        "describe" => {
            let what: Vec<String> = sub
                .get_many::<String>("what")
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            let c = find::resolve(&what)?;
            find::describe(c, options.format, out)
        }
        "stream" => {
            let args = crate::stream::StreamArgs {
                code: sub.get_one::<String>("type").cloned().unwrap_or_default(),
                items: sub
                    .get_many::<String>("items")
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
                count: sub.get_one::<u64>("count").copied(),
                duration: sub
                    .get_one::<u64>("duration")
                    .map(|s| std::time::Duration::from_secs(*s)),
            };
            // Events are one JSON object per line unless asked for a table (their value
            // ids differ per frame, so they make no CSV).
            let format = match options.format {
                Format::Json | Format::Csv => Format::Ndjson,
                f => f,
            };
            crate::stream::run(&args, options.profile, format, out).await
        }
        "mcp" => crate::mcp::serve(options.profile, options.allow_orders).await,
        "call" => {
            let id = sub
                .get_one::<String>("api-id")
                .map(String::as_str)
                .unwrap_or_default();
            let text = sub.get_one::<String>("json").cloned().unwrap_or_default();
            let c = catalog::by_api_id(id).ok_or_else(|| {
                CliError::Usage(format!(
                    "`{id}` is not the api-id of a REST TR (try `kiwoom find {id}`)"
                ))
            })?;
            // The text goes to the reader as text, so a key given twice is refused.
            let body = Json::String(text);
            let request = flags::parse(c, &body)?;
            run::run(c, request, body, &options, out).await
        }
        market => {
            let (group, rest) = sub
                .subcommand()
                .ok_or_else(|| CliError::Usage(format!("kiwoom {market}: no group given")))?;
            let (command, flag_matches) = rest.subcommand().ok_or_else(|| {
                CliError::Usage(format!("kiwoom {market} {group}: no command given"))
            })?;
            let c: &'static Command =
                catalog::by_path(market, group, command).ok_or_else(|| {
                    CliError::Usage(format!("no command `{market} {group} {command}`"))
                })?;
            let (request, body) = flags::request(c, flag_matches)?;
            run::run(c, request, body, &options, out).await
        }
    }
}

fn options(m: &ArgMatches) -> Result<Options, CliError> {
    let profile = Profile::parse(
        m.get_one::<String>(global::PROFILE)
            .map(String::as_str)
            .unwrap_or("simulator"),
    )?;
    let pages = if m.get_flag(global::ALL_PAGES) {
        Some(None)
    } else {
        m.get_one::<u32>(global::MAX_PAGES)
            .map(|n| Some(*n as usize))
    };
    Ok(Options {
        profile,
        format: Format::choose(m.get_one::<String>(global::OUTPUT).map(String::as_str)),
        pages,
        allow_orders: m.get_flag(global::ALLOW_ORDERS),
        yes: m.get_flag(global::YES),
        dry_run: m.get_flag(global::DRY_RUN),
    })
}
