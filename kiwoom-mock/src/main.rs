//! `kiwoom-mock`: run the simulator on a fixed port.
//!
//! `cargo run -p kiwoom-mock -- --port 8080`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use kiwoom_mock::{MockConfig, MockServer};

#[derive(Parser, Debug)]
#[command(about = "A local Kiwoom REST + WebSocket simulator driven by spec/")]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Accept only this app key on au10001 (default: any non-empty key).
    #[arg(long)]
    app_key: Option<String>,
    /// Accept only this secret key on au10001 (default: any non-empty key).
    #[arg(long)]
    secret_key: Option<String>,
    /// Seed of the synthesized data.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Pages served by paged TRs.
    #[arg(long, default_value_t = 3)]
    pages: u32,
    /// Rows per page.
    #[arg(long, default_value_t = 20)]
    rows_per_page: u32,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, default_value_t = 86_400)]
    token_lifetime_secs: u64,
    /// Spec directory (default: the workspace spec/).
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// Send a SYSTEM frame before each WebSocket LOGIN ack.
    #[arg(long)]
    system_frame: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let config = MockConfig {
        seed: args.seed,
        token_lifetime: Duration::from_secs(args.token_lifetime_secs),
        app_key: args.app_key,
        secret_key: args.secret_key,
        pages: args.pages,
        rows_per_page: args.rows_per_page,
        spec_dir: args.spec_dir,
        system_frame_before_login: args.system_frame,
        ..MockConfig::default()
    };
    let server =
        MockServer::start_on(config, SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    tracing::info!(
        "REST:      {}  (POST with the api-id header; token: POST /oauth2/token)",
        server.base_url()
    );
    tracing::info!("WebSocket: {}/api/dostk/websocket", server.ws_url());
    tracing::info!("WebSocket: {}/api/us/websocket", server.ws_url());
    tracing::info!("Ctrl-C to stop");
    // Serve until the process is interrupted; the OS closes every socket on exit.
    futures::future::pending::<()>().await;
    drop(server);
    Ok(())
}
