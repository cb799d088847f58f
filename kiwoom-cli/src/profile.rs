//! Profiles: where requests go and with which keys.
//!
//! - `simulator` (the default on a fresh machine): the bundled Kiwoom simulator, started in
//!   this process on a loopback port, so a command works with no account at all; or, when
//!   the profile has a `url` (`kiwoom login simulator --url ...`) or `KIWOOM_SIMULATOR_URL`
//!   is set, a simulator already running (`kiwoom sim`).
//! - `mock`: Kiwoom's mock-trading servers (모의투자); `real`: production. Keys from
//!   `KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY` when set, otherwise from the OS keyring where
//!   `kiwoom login` put them. The values go to the runtime's secret types, never printed.
//!
//! Every profile that talks to a server over the network caches its token in the
//! configuration directory's `tokens.json`, the runtime's `FileTokenStore` (0600, shared
//! by every `kiwoom` process: one token per app key, not one per command).

use std::path::PathBuf;
use std::sync::Arc;

use kiwoom_generated::kiwoom_runtime::{Client, Environment, FileTokenStore};
use kiwoom_mock::{MockConfig, MockServer};

use crate::config::{self, Config, KeySource, ProfileConfig};
use crate::error::CliError;
use crate::secrets::{self, Keys};

pub use crate::secrets::{APP_KEY_VAR, SECRET_KEY_VAR};

/// The profile used without `--profile` when set (before the configuration's default).
pub const PROFILE_VAR: &str = "KIWOOM_PROFILE";
/// A running simulator for the `simulator` profile (`kiwoom sim` prints it).
pub const SIMULATOR_URL_VAR: &str = "KIWOOM_SIMULATOR_URL";

/// The keys the in-process and `kiwoom sim` simulators accept (any non-empty key).
const SIMULATOR_KEY: &str = "kiwoom-cli-simulator";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Simulator,
    Mock,
    Real,
}

impl Profile {
    pub const NAMES: [&'static str; 3] = ["simulator", "mock", "real"];

    pub fn parse(name: &str) -> Result<Profile, CliError> {
        match name {
            "simulator" => Ok(Profile::Simulator),
            "mock" => Ok(Profile::Mock),
            "real" => Ok(Profile::Real),
            other => Err(CliError::Usage(format!(
                "unknown profile `{other}` (simulator, mock, real)"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Simulator => "simulator",
            Profile::Mock => "mock",
            Profile::Real => "real",
        }
    }

    /// `--profile`, else `KIWOOM_PROFILE`, else the configuration's default, else
    /// `simulator` (a fresh machine's first command needs no account).
    pub fn choose(flag: Option<&str>) -> Result<Profile, CliError> {
        if let Some(name) = flag {
            return Profile::parse(name);
        }
        if let Some(name) = std::env::var(PROFILE_VAR).ok().filter(|v| !v.is_empty()) {
            return Profile::parse(&name);
        }
        // Only read the configuration when there is one: a machine without a home
        // directory still runs the simulator.
        let default = config::dir()
            .ok()
            .map(|d| Config::load(&d))
            .transpose()?
            .and_then(|c| c.default_profile);
        Profile::parse(default.as_deref().unwrap_or("simulator"))
    }

    /// This profile's settings from the configuration directory (defaults when none).
    pub fn settings(self) -> Result<ProfileConfig, CliError> {
        match config::dir() {
            Ok(dir) => Ok(Config::load(&dir)?.profile(self.name())),
            // No home directory: only the in-process simulator can work; say why later.
            Err(_) => Ok(ProfileConfig::default()),
        }
    }
}

/// A client and, for the in-process simulator, the simulator it talks to (kept running
/// for as long as the session lives).
pub struct Session {
    pub client: Client,
    _simulator: Option<MockServer>,
}

/// Connect `profile` as the configuration directory describes it.
pub async fn connect(profile: Profile) -> Result<Session, CliError> {
    let settings = profile.settings()?;
    connect_with(profile, &settings, None).await
}

/// Connect `profile` with `settings`; `keys` given (by `kiwoom login`, before storing
/// them) win over the environment and the keyring.
pub async fn connect_with(
    profile: Profile,
    settings: &ProfileConfig,
    keys: Option<Keys>,
) -> Result<Session, CliError> {
    let url = match profile {
        Profile::Simulator => std::env::var(SIMULATOR_URL_VAR)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| settings.url.clone()),
        _ => settings.url.clone(),
    };
    if profile == Profile::Simulator && url.is_none() {
        return in_process_simulator().await;
    }
    let dir = config::dir()?;
    let keys = match (profile, keys) {
        (_, Some(k)) => k,
        (Profile::Simulator, None) => Keys {
            app_key: SIMULATOR_KEY.to_owned(),
            secret_key: SIMULATOR_KEY.to_owned(),
        },
        (_, None) => keys_for(profile, settings, &dir)?,
    };
    let environment = match (&url, profile) {
        (Some(u), _) => custom(u)?,
        (None, Profile::Mock) => Environment::Mock,
        (None, _) => Environment::Real,
    };
    config::create_private_dir(&dir)?;
    let store = FileTokenStore::new(token_file(&dir));
    let client = Client::builder()
        .environment(environment)
        .app_key(keys.app_key)
        .secret_key(keys.secret_key)
        .token_store(Arc::new(store))
        .build()?;
    Ok(Session {
        client,
        _simulator: None,
    })
}

/// The token file every networked profile shares.
pub fn token_file(dir: &std::path::Path) -> PathBuf {
    config::token_file(dir)
}

async fn in_process_simulator() -> Result<Session, CliError> {
    let sim = MockServer::start(MockConfig::default())
        .await
        .map_err(CliError::Simulator)?;
    tracing::debug!(url = %sim.base_url(), "simulator started");
    let client = Client::builder()
        .environment(Environment::Custom {
            base_url: sim.base_url(),
            ws_url: sim.ws_url(),
        })
        .app_key(SIMULATOR_KEY)
        .secret_key(SIMULATOR_KEY)
        .build()?;
    Ok(Session {
        client,
        _simulator: Some(sim),
    })
}

/// A server given by URL: `http://host:port` (its WebSocket on the same host, ws://).
pub fn custom(url: &str) -> Result<Environment, CliError> {
    let base = url.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        return Err(CliError::Config(format!(
            "profile URL `{url}` must start with http:// or https://"
        )));
    };
    Ok(Environment::Custom {
        base_url: base.to_owned(),
        ws_url: ws,
    })
}

/// The keys of `mock` / `real`: the environment first (CI, one-off runs), then the
/// keyring when `kiwoom login` stored them there. Errors name variables, never values.
fn keys_for(
    profile: Profile,
    settings: &ProfileConfig,
    dir: &std::path::Path,
) -> Result<Keys, CliError> {
    if let Some(keys) = secrets::from_env() {
        return Ok(keys);
    }
    match settings.keys {
        KeySource::Keyring => secrets::load(dir, profile.name()),
        KeySource::Env => Err(CliError::Config(format!(
            "{APP_KEY_VAR} is not set: the {} profile reads the app key and secret key from \
             {APP_KEY_VAR} and {SECRET_KEY_VAR}, or from the OS keyring after `kiwoom login {}` \
             (the simulator profile needs neither)",
            profile.name(),
            profile.name()
        ))),
    }
}

/// The value of a secret request field (`appkey`, `secretkey`) from the variable the
/// profiles read, when it is set.
pub fn secret_from_env(wire: &str) -> Option<String> {
    let var = match wire {
        "appkey" => APP_KEY_VAR,
        "secretkey" => SECRET_KEY_VAR,
        _ => return None,
    };
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}
