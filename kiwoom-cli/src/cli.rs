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
            let record = sub.get_one::<std::path::PathBuf>("record");
            match sub.get_one::<std::path::PathBuf>("replay") {
                Some(file) => crate::record::replay(&args, file, format, out),
                None => {
                    crate::stream::run_recorded(&args, options.profile, record, format, out).await
                }
            }
        }
        "login" => {
            let args = crate::login::LoginArgs {
                profile: Profile::parse(sub.get_one::<String>("name").map_or("", String::as_str))?,
                keys: sub.get_one::<String>("keys").map(|k| match k.as_str() {
                    "env" => crate::config::KeySource::Env,
                    _ => crate::config::KeySource::Keyring,
                }),
                url: sub.get_one::<String>("url").cloned(),
                allow_orders: sub.get_one::<String>("orders").map(|o| o == "allowed"),
                make_default: sub.get_flag("default"),
            };
            crate::login::login(&args, out).await
        }
        "logout" => {
            let profile = Profile::parse(sub.get_one::<String>("name").map_or("", String::as_str))?;
            crate::login::logout(profile, out).await
        }
        "profiles" => crate::login::list(options.format, out),
        "sim" => crate::sim::run(sub.get_one::<u16>("port").copied().unwrap_or(8080), out).await,
        crate::secrets::CHECK_COMMAND => {
            let profile = sub.get_one::<String>("name").map_or("", String::as_str);
            if crate::secrets::check_here(&crate::config::dir()?, profile) {
                Ok(())
            } else {
                Err(CliError::Config("keys not readable".to_owned()))
            }
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
            run::run(c, request, body, &with_profile_gate(options)?, out).await
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
            run::run(c, request, body, &with_profile_gate(options)?, out).await
        }
    }
}

/// A TR command's options with the profile's own order setting: a profile saved with
/// `kiwoom login <p> --orders allowed` needs no `--allow-orders` (real still confirms).
fn with_profile_gate(mut options: Options) -> Result<Options, CliError> {
    if !options.allow_orders {
        options.allow_orders = options.profile.settings()?.allow_orders;
    }
    Ok(options)
}

fn options(m: &ArgMatches) -> Result<Options, CliError> {
    let profile = Profile::choose(m.get_one::<String>(global::PROFILE).map(String::as_str))?;
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
