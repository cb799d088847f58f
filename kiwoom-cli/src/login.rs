//! `kiwoom login <profile>`, `kiwoom logout <profile>`, `kiwoom profiles`: the profiles of
//! the configuration directory. Keys go to the OS keyring (or stay in the environment);
//! the configuration file says only where they are. Login proves the keys by issuing a
//! token, which the runtime's file store caches (0600) for every later command.

use std::io::Write;

use serde_json::json;

use crate::config::{self, Config, KeySource, ProfileConfig};
use crate::error::CliError;
use crate::output::Format;
use crate::profile::{self, Profile};
use crate::secrets::{self, Keys};

/// What `kiwoom login` was asked to do.
#[derive(Debug, Clone)]
pub struct LoginArgs {
    pub profile: Profile,
    /// `None`: keep what the profile had (the keyring for mock and real on first login).
    pub keys: Option<KeySource>,
    pub url: Option<String>,
    pub allow_orders: Option<bool>,
    pub make_default: bool,
}

pub async fn login(args: &LoginArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let dir = config::dir()?;
    let mut config = Config::load(&dir)?;
    let name = args.profile.name();
    let existing = config.profiles.get(name).cloned();
    let mut settings = existing.clone().unwrap_or_else(|| ProfileConfig {
        keys: if args.profile == Profile::Simulator {
            KeySource::Env
        } else {
            KeySource::Keyring
        },
        ..ProfileConfig::default()
    });
    if let Some(k) = args.keys {
        settings.keys = k;
    }
    if let Some(u) = &args.url {
        profile::custom(u)?;
        settings.url = Some(u.trim_end_matches('/').to_owned());
    }
    if let Some(a) = args.allow_orders {
        settings.allow_orders = a;
    }

    // The keys to prove (and, for the keyring, to keep): typed without echo on a
    // terminal, else from the environment.
    let keys: Option<Keys> = match (args.profile, settings.keys) {
        (Profile::Simulator, _) => None,
        (_, KeySource::Keyring) => Some(match secrets::from_env() {
            Some(k) => k,
            None => secrets::prompt()?,
        }),
        (_, KeySource::Env) => Some(secrets::from_env().ok_or_else(|| {
            CliError::Config(format!(
                "--keys env: set {} and {} first",
                secrets::APP_KEY_VAR,
                secrets::SECRET_KEY_VAR
            ))
        })?),
    };
    // With the keyring chosen, find out now whether there is one, before a token is issued.
    if settings.keys == KeySource::Keyring && args.profile != Profile::Simulator {
        secrets::probe(&dir, name)?;
    }

    let verified = if args.profile == Profile::Simulator && settings.url.is_none() {
        None
    } else {
        let session = profile::connect_with(args.profile, &settings, keys.clone()).await?;
        Some(session.client.token_expires_at().await?)
    };

    if let (KeySource::Keyring, Some(k)) = (settings.keys, &keys) {
        secrets::store(&dir, name, k)?;
    }
    config.profiles.insert(name.to_owned(), settings.clone());
    if args.make_default {
        config.default_profile = Some(name.to_owned());
    }
    let path = config.save(&dir)?;

    let keys_where = match (args.profile, settings.keys) {
        (Profile::Simulator, _) => "none needed",
        (_, KeySource::Keyring) => "OS keyring",
        (_, KeySource::Env) => "KIWOOM_APP_KEY / KIWOOM_SECRET_KEY at each run",
    };
    writeln!(out, "profile {name} saved in {}", path.display())?;
    writeln!(out, "  keys: {keys_where}")?;
    if let Some(u) = &settings.url {
        writeln!(out, "  server: {u}")?;
    }
    writeln!(
        out,
        "  orders: {}",
        if settings.allow_orders {
            "allowed without --allow-orders"
        } else {
            "need --allow-orders"
        }
    )?;
    match verified {
        Some(expires) => writeln!(
            out,
            "  token issued, cached in {} until {expires}",
            profile::token_file(&dir).display()
        )?,
        None => writeln!(
            out,
            "  the simulator runs in each kiwoom process: nothing to log in to"
        )?,
    }
    Ok(())
}

/// Forget a profile: revoke its cached token when its keys are at hand, remove its keys
/// from the keyring and its entry from the configuration.
pub async fn logout(profile: Profile, out: &mut dyn Write) -> Result<(), CliError> {
    let dir = config::dir()?;
    let mut config = Config::load(&dir)?;
    let name = profile.name();
    let settings = config.profile(name);
    let networked = profile != Profile::Simulator || settings.url.is_some();
    if networked {
        match profile::connect_with(profile, &settings, None).await {
            // The cached token is loaded first (a fresh process holds none), then revoked
            // with au10002 and removed from tokens.json.
            Ok(session) => match async {
                session.client.authenticate().await?;
                session.client.revoke_token().await
            }
            .await
            {
                Ok(()) => writeln!(out, "token revoked and removed from the cache")?,
                Err(e) => eprintln!("warning: the token was not revoked: {e}"),
            },
            Err(e) => eprintln!("warning: the token was not revoked: {e}"),
        }
    }
    if settings.keys == KeySource::Keyring && secrets::delete(&dir, name)? {
        writeln!(out, "keys removed from the OS keyring")?;
    }
    if config.profiles.remove(name).is_some() {
        if config.default_profile.as_deref() == Some(name) {
            config.default_profile = None;
        }
        config.save(&dir)?;
    }
    writeln!(out, "profile {name} logged out")?;
    Ok(())
}

/// The profiles, where their keys are, the default. Never a key.
pub fn list(format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let dir = config::dir()?;
    let config = Config::load(&dir)?;
    let default = Profile::choose(None)?;
    let rows: Vec<serde_json::Value> = Profile::NAMES
        .iter()
        .map(|name| {
            let s = config.profile(name);
            let keys = match (*name, s.keys, config.profiles.contains_key(*name)) {
                ("simulator", _, _) => "none needed",
                (_, KeySource::Keyring, true) => "keyring",
                _ => "env",
            };
            json!({
                "profile": name,
                "default": *name == default.name(),
                "keys": keys,
                "url": s.url,
                "allow_orders": s.allow_orders,
            })
        })
        .collect();
    match format {
        Format::Table => {
            writeln!(out, "configuration: {}", dir.display())?;
            for r in &rows {
                writeln!(
                    out,
                    "{} {:<9}  keys: {:<11}  server: {}{}",
                    if r["default"] == true { "*" } else { " " },
                    r["profile"].as_str().unwrap_or_default(),
                    r["keys"].as_str().unwrap_or_default(),
                    r["url"].as_str().unwrap_or("(the profile's own)"),
                    if r["allow_orders"] == true {
                        "  orders allowed"
                    } else {
                        ""
                    }
                )?;
            }
        }
        _ => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).map_err(std::io::Error::other)?
        )?,
    }
    Ok(())
}
