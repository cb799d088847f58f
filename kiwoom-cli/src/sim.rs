//! `kiwoom sim`: the bundled simulator in the foreground on a loopback port, so other
//! `kiwoom` processes (and programs using kiwoom-rs) share one simulated account: orders
//! placed by one are seen by the next. Runs until Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;

use kiwoom_mock::{MockConfig, MockServer};

use crate::error::CliError;
use crate::profile::SIMULATOR_URL_VAR;

pub async fn run(port: u16, out: &mut dyn Write) -> Result<(), CliError> {
    // Loopback only: the simulator accepts any key and has admin endpoints.
    let server = MockServer::start_on(
        MockConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], port)),
    )
    .await
    .map_err(CliError::Simulator)?;
    let url = server.base_url();
    // stdout has the URL alone, for scripts (`kiwoom sim --port 0 | head -1`); the
    // guidance for a person goes to stderr.
    writeln!(out, "{url}")?;
    out.flush()?;
    eprintln!(
        "simulator listening on {url} (WebSocket {}); no account or key needed.\n\
         From another terminal:\n  \
         {SIMULATOR_URL_VAR}={url} kiwoom domestic stock-info stock-info --stock-code 005930\n\
         or once for every later command:\n  \
         kiwoom login simulator --url {url}\n\
         Stop with Ctrl-C.",
        server.ws_url()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Config(format!("cannot wait for Ctrl-C: {e}")))?;
    eprintln!("stopping the simulator");
    server.shutdown().await;
    Ok(())
}
