//! Where an example runs, shared by every example: the Kiwoom simulator in this process (the
//! default, no credentials), Kiwoom's mock-trading server (`--mock`) or Kiwoom's real server
//! (`--real`, which places orders only with `--allow-real-orders` as well). Each example uses
//! part of this file.

#![allow(dead_code)]

use kiwoom_generated::prelude::*;
use kiwoom_mock::{MockConfig, MockServer};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Simulator,
    KiwoomMock,
    KiwoomReal { allow_orders: bool },
}

impl Target {
    /// Reads `--mock`, `--real` and `--allow-real-orders`; `own` lists the example's own
    /// flags that take a value (`--seed 7`), returned by name. Anything else is refused, so a
    /// typo never silently runs against the wrong server.
    pub fn from_args(
        args: &[String],
        own: &[&str],
    ) -> Result<(Target, Vec<(String, String)>), BoxError> {
        let mut values = Vec::new();
        let (mut mock, mut real, mut allow) = (false, false, false);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--mock" => mock = true,
                "--real" => real = true,
                "--allow-real-orders" => allow = true,
                flag if own.contains(&flag) => {
                    let value = args.next().ok_or(format!("{flag} needs a value"))?;
                    values.push((flag.to_owned(), value.clone()));
                }
                other => {
                    return Err(format!(
                        "unknown argument {other}; use --mock, --real, --allow-real-orders {}",
                        own.join(" ")
                    )
                    .into());
                }
            }
        }
        let target = match (mock, real) {
            (false, false) => Target::Simulator,
            (true, false) => Target::KiwoomMock,
            (false, true) => Target::KiwoomReal {
                allow_orders: allow,
            },
            (true, true) => return Err("choose one of --mock and --real".into()),
        };
        Ok((target, values))
    }

    /// Orders go to the simulator and to Kiwoom's mock server freely; to the real server
    /// only when asked for in so many words.
    pub fn may_place_orders(self) -> bool {
        !matches!(
            self,
            Target::KiwoomReal {
                allow_orders: false
            }
        )
    }
}

/// A client, and the simulator it talks to when there is one (kept alive with it).
pub struct Connection {
    pub client: Client,
    pub simulator: Option<MockServer>,
}

impl Connection {
    /// Starts the simulator with `config` (for `Target::Simulator`), or reads
    /// `KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY` for Kiwoom's servers.
    pub async fn open(target: Target, config: MockConfig) -> Result<Connection, BoxError> {
        let (builder, simulator) = match target {
            Target::Simulator => {
                let sim = MockServer::start(config).await?;
                println!("simulator at {} (no credentials needed)", sim.base_url());
                let builder = Client::builder()
                    .environment(Environment::Custom {
                        base_url: sim.base_url(),
                        ws_url: sim.ws_url(),
                    })
                    .app_key("example-app-key")
                    .secret_key("example-secret-key");
                (builder, Some(sim))
            }
            Target::KiwoomMock | Target::KiwoomReal { .. } => {
                let key = |name: &str| {
                    std::env::var(name)
                        .map_err(|_| format!("{name} must be set for --mock / --real"))
                };
                let environment = if target == Target::KiwoomMock {
                    Environment::Mock
                } else {
                    Environment::Real
                };
                println!("talking to Kiwoom ({environment:?})");
                let builder = Client::builder()
                    .environment(environment)
                    .app_key(key("KIWOOM_APP_KEY")?)
                    .secret_key(key("KIWOOM_SECRET_KEY")?);
                (builder, None)
            }
        };
        Ok(Connection {
            client: builder.build()?,
            simulator,
        })
    }

    /// Stops the simulator, if this example started one.
    pub async fn close(self) {
        if let Some(sim) = self.simulator {
            sim.shutdown().await;
        }
    }
}

impl Connection {
    /// The account number (ka00001): the order journal keys its records by it.
    pub async fn account(&self) -> Result<String, BoxError> {
        use kiwoom_generated::domestic_account::AccountsRequest;
        let answer = self
            .client
            .domestic()
            .account()
            .accounts(AccountsRequest::new())
            .await?;
        Ok(answer
            .account_number
            .filter(|a| !a.is_empty())
            .ok_or("ka00001 named no account")?)
    }
}
