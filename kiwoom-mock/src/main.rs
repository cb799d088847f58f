//! `kiwoom-mock`: run the simulator on a fixed port.
//!
//! `cargo run -p kiwoom-mock -- --port 8080`
//!
//! Faults and rate limits from the command line (repeatable), or at run time through the
//! admin endpoints under `/_mock/` (see the crate docs):
//!
//! `cargo run -p kiwoom-mock -- --port 8080 --rate-limit api:kt10000=5 --fault kt10000=close-after-processing*2`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use kiwoom_mock::{FaultSwitch, MockConfig, MockServer, RateSwitch};

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
    /// Spec directory (default: the spec/ bundled into this binary when it was built).
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// Send a SYSTEM frame before each WebSocket LOGIN ack.
    #[arg(long)]
    system_frame: bool,
    /// Inject a fault into the next requests of an api-id: `<api-id>=<fault>[*<times>]`, the
    /// fault one of latency:<ms>, status:<code>, close-before-processing,
    /// close-after-processing, malformed-json, rate-limited, token-invalid. Repeatable.
    #[arg(long = "fault", value_name = "API_ID=FAULT[*TIMES]")]
    faults: Vec<FaultSwitch>,
    /// Answer 1700 beyond this many requests per second: `<scope>=<n>`, the scope one of
    /// global, api:<api-id>, path:</url/path>. Repeatable.
    #[arg(long = "rate-limit", value_name = "SCOPE=PER_SECOND")]
    rate_limits: Vec<RateSwitch>,
    /// Seconds a WebSocket client has to echo a PING before it is disconnected.
    #[arg(long, default_value_t = 10)]
    ping_echo_timeout_secs: u64,
    /// Seconds between the server's PINGs.
    #[arg(long, default_value_t = 10)]
    ping_interval_secs: u64,
    /// Largest request body, in bytes (a larger one is answered 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Most HTTP connections at once (one more is answered 503).
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers (idle keep-alive included).
    #[arg(long, default_value_t = 75)]
    header_read_timeout_secs: u64,
    /// Do not serve the `/_mock/` admin endpoints.
    #[arg(long)]
    no_admin: bool,
    /// Move the market one step every this many milliseconds (default: only when told to,
    /// through `POST /_mock/market/step`).
    #[arg(long)]
    market_step_ms: Option<u64>,
    /// Keep the book (orders, fills, holdings, cash, prices) in this file across restarts.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Drop the realtime 00 frames of the next N order events (the book still changes).
    #[arg(long, value_name = "N")]
    drop_order_frames: Option<u64>,
    /// Drop each order event's 00 frame with this probability (seeded: 0..=1).
    #[arg(long, value_name = "P")]
    drop_order_frames_probability: Option<f64>,
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
        ping_echo_timeout: Duration::from_secs(args.ping_echo_timeout_secs),
        ping_interval: Duration::from_secs(args.ping_interval_secs),
        max_body_bytes: args.max_body_bytes,
        max_connections: args.max_connections,
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs),
        admin: !args.no_admin,
        market_step_interval: args.market_step_ms.map(Duration::from_millis),
        state_file: args.state_file,
        ..MockConfig::default()
    };
    let admin = config.admin;
    let server =
        MockServer::start_on(config, SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    let control = server.control();
    for s in args.rate_limits {
        tracing::info!(scope = ?s.scope, per_second = s.per_second, "rate limit");
        control.set_rate_limit(s.scope, s.per_second);
    }
    for f in args.faults {
        tracing::info!(api_id = f.api_id, fault = ?f.fault, times = f.times, "fault injected");
        control.inject(&f.api_id, f.fault, f.times);
    }
    if let Some(n) = args.drop_order_frames {
        tracing::info!(n, "fault: the next 00 frames are dropped");
        control.drop_order_frames(n);
    }
    if let Some(p) = args.drop_order_frames_probability {
        tracing::info!(p, "fault: 00 frames dropped at random");
        control.drop_order_frames_randomly(p);
    }
    tracing::info!(
        "REST:      {}  (POST with the api-id header; token: POST /oauth2/token)",
        server.base_url()
    );
    tracing::info!("WebSocket: {}/api/dostk/websocket", server.ws_url());
    tracing::info!("WebSocket: {}/api/us/websocket", server.ws_url());
    if admin {
        tracing::info!(
            "Admin:     {}/_mock  (faults, rate limits, counters)",
            server.base_url()
        );
    }
    tracing::info!("Ctrl-C to stop");
    // Serve until the process is interrupted; the OS closes every socket on exit.
    futures::future::pending::<()>().await;
    drop(server);
    Ok(())
}
