//! Profiles: where requests go and with which keys.
//!
//! - `simulator` (the default): the bundled Kiwoom simulator, started in this process on a
//!   loopback port, so a command works on a fresh machine with no account at all;
//! - `mock`: Kiwoom's mock-trading servers (모의투자); `real`: production. Both read the
//!   app key and secret key from `KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY`; the values are
//!   handed to the runtime's secret types and never printed.

use kiwoom_generated::kiwoom_runtime::{Client, Environment};
use kiwoom_mock::{MockConfig, MockServer};

use crate::error::CliError;

pub const APP_KEY_VAR: &str = "KIWOOM_APP_KEY";
pub const SECRET_KEY_VAR: &str = "KIWOOM_SECRET_KEY";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Simulator,
    Mock,
    Real,
}

impl Profile {
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
}

/// A client and, for the simulator profile, the simulator it talks to (kept running for
/// as long as the session lives).
pub struct Session {
    pub client: Client,
    _simulator: Option<MockServer>,
}

pub async fn connect(profile: Profile) -> Result<Session, CliError> {
    match profile {
        Profile::Simulator => {
            let sim = MockServer::start(MockConfig::default())
                .await
                .map_err(CliError::Simulator)?;
            tracing::debug!(url = %sim.base_url(), "simulator started");
            let client = Client::builder()
                .environment(Environment::Custom {
                    base_url: sim.base_url(),
                    ws_url: sim.ws_url(),
                })
                // The simulator accepts any non-empty key.
                .app_key("kiwoom-cli-simulator")
                .secret_key("kiwoom-cli-simulator")
                .build()?;
            Ok(Session {
                client,
                _simulator: Some(sim),
            })
        }
        Profile::Mock | Profile::Real => {
            let environment = if profile == Profile::Mock {
                Environment::Mock
            } else {
                Environment::Real
            };
            let client = Client::builder()
                .environment(environment)
                .app_key(key(APP_KEY_VAR)?)
                .secret_key(key(SECRET_KEY_VAR)?)
                .build()?;
            Ok(Session {
                client,
                _simulator: None,
            })
        }
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

/// A key from the environment; the error names the variable, never a value.
fn key(var: &str) -> Result<String, CliError> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(CliError::Config(format!(
            "{var} is not set: the mock and real profiles read the app key and secret key from \
             {APP_KEY_VAR} and {SECRET_KEY_VAR} (the simulator profile needs neither)"
        ))),
    }
}
