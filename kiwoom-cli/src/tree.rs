//! The clap command tree, built at start-up from the generated table: `kiwoom <market>
//! <group> <command> --flag ...` for every REST and OAuth TR, plus the catalog commands
//! and the global options.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, Command as Clap, value_parser};

use crate::catalog::{self, Command, Flag, Kind};

/// Global options: accepted before or after the command path.
pub mod global {
    pub const PROFILE: &str = "profile";
    pub const OUTPUT: &str = "output";
    pub const ALL_PAGES: &str = "all-pages";
    pub const MAX_PAGES: &str = "max-pages";
    pub const ALLOW_ORDERS: &str = "allow-orders";
    pub const YES: &str = "yes";
    pub const DRY_RUN: &str = "dry-run";
}

/// The whole `kiwoom` command.
pub fn build() -> Clap {
    let mut root = Clap::new("kiwoom")
        .about("Every Kiwoom REST API TR from the command line (키움증권 REST API)")
        .long_about(
            "Every Kiwoom REST API TR from the command line (키움증권 REST API).\n\n\
             kiwoom <market> <group> <command> --flag ...   call a TR with typed flags\n\
             kiwoom find <words>                            search TRs in English or Korean\n\
             kiwoom describe <api-id|command path>          fields, types, units, paging, safety\n\
             kiwoom call <api-id> --json '{..}'             call a TR with its wire JSON\n\
             kiwoom stream <type> [items] --count N         print realtime events\n\
             kiwoom mcp [--allow-orders]                    serve all of this to AI agents (MCP, stdio)\n\n\
             kiwoom login <profile> / logout / profiles    keys in the OS keyring, token cached\n\
             kiwoom sim                                     the simulator for other processes\n\n\
             The default profile, `simulator`, runs the bundled Kiwoom simulator in this process:\n\
             no account or key needed. `mock` and `real` read KIWOOM_APP_KEY and KIWOOM_SECRET_KEY,\n\
             or the OS keyring after `kiwoom login`.",
        )
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    root = root.subcommands(catalog_commands());
    let mut markets: BTreeMap<&str, BTreeMap<&str, Vec<&'static Command>>> = BTreeMap::new();
    for c in catalog::commands() {
        markets
            .entry(c.market)
            .or_default()
            .entry(c.group)
            .or_default()
            .push(c);
    }
    for (market, groups) in markets {
        let first = groups.values().next().and_then(|g| g.first());
        let korean = first
            .map(|c| c.group_korean.split(" > ").next().unwrap_or(c.group_korean))
            .unwrap_or_default();
        let mut m = Clap::new(market)
            .about(format!("{korean} ({market})"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for (group, commands) in groups {
            let about = commands
                .first()
                .map(|c| format!("{} ({})", c.group_english, c.group_korean))
                .unwrap_or_default();
            let mut g = Clap::new(group)
                .about(about)
                .subcommand_required(true)
                .arg_required_else_help(true);
            for c in commands {
                g = g.subcommand(tr_command(c));
            }
            m = m.subcommand(g);
        }
        root = root.subcommand(m);
    }
    root
}

fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new(global::PROFILE)
            .long("profile")
            .global(true)
            .value_parser(["simulator", "mock", "real"])
            .help("simulator: the bundled simulator (no keys); mock: Kiwoom's mock trading (모의투자); real: production. mock and real read KIWOOM_APP_KEY / KIWOOM_SECRET_KEY or the keyring (kiwoom login) [default: $KIWOOM_PROFILE, else the configuration's default, else simulator]"),
        Arg::new(global::OUTPUT)
            .long("output")
            .short('o')
            .global(true)
            .value_parser(["json", "ndjson", "csv", "table"])
            .help("Output format [default: table on a terminal, json otherwise]"),
        Arg::new(global::ALL_PAGES)
            .long("all-pages")
            .global(true)
            .action(ArgAction::SetTrue)
            .conflicts_with(global::MAX_PAGES)
            .help("Follow cont-yn / next-key to the last page, printing rows as they arrive"),
        Arg::new(global::MAX_PAGES)
            .long("max-pages")
            .global(true)
            .value_name("N")
            .value_parser(value_parser!(u32).range(1..))
            .help("Follow cont-yn / next-key for at most N pages, printing rows as they arrive"),
        Arg::new(global::ALLOW_ORDERS)
            .long("allow-orders")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Allow order TRs (buy, sell, amend, cancel, exchange): refused without it"),
        Arg::new(global::YES)
            .long("yes")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Send an order on the real profile without asking (otherwise it is shown and confirmed on the terminal, and refused without one)"),
        Arg::new(global::DRY_RUN)
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Validate and print the request body (secrets redacted) without sending anything"),
    ];
    // Listed after a TR's own flags in its --help.
    args.into_iter()
        .map(|a| a.help_heading("Global options"))
        .collect()
}

fn catalog_commands() -> Vec<Clap> {
    vec![
        Clap::new("find")
            .about("Find TRs by words in English or Korean (api-id, name, group, field labels)")
            .arg(Arg::new("words").required(true).num_args(1..).help("Words that must all match")),
        Clap::new("describe")
            .about("Describe a TR: its command, flags, response fields, units, paging and safety")
            .arg(
                Arg::new("what")
                    .required(true)
                    .num_args(1..=3)
                    .help("An api-id (ka10081) or a command path (domestic chart stock-daily-chart)"),
            ),
        Clap::new("stream")
            .about("Register a realtime type and print its events (0B 005930 000660; 00 for order fills)")
            .arg(Arg::new("type").required(true).help("The realtime type: 0B (주식체결), 00 (주문체결), FE (US trades) ..."))
            .arg(
                Arg::new("items")
                    .num_args(0..)
                    .help("Stock or sector codes; US symbols as SYMBOL:EXCHANGE (NVDA:ND); none for account-wide types"),
            )
            .arg(
                Arg::new("count")
                    .long("count")
                    .value_parser(value_parser!(u64).range(1..))
                    .help("Stop after N events"),
            )
            .arg(
                Arg::new("duration")
                    .long("duration")
                    .value_name("SECONDS")
                    .value_parser(value_parser!(u64).range(1..))
                    .help("Stop after this many seconds"),
            )
            .arg(
                Arg::new("record")
                    .long("record")
                    .value_name("FILE")
                    .value_parser(value_parser!(std::path::PathBuf))
                    .conflicts_with("replay")
                    .help("Also append every frame received to FILE: NDJSON, one REAL/SYSTEM frame per line with its receive time (received_at)"),
            )
            .arg(
                Arg::new("replay")
                    .long("replay")
                    .value_name("FILE")
                    .value_parser(value_parser!(std::path::PathBuf))
                    .help("Print the events of a --record file instead of connecting"),
            ),
        Clap::new("login")
            .about("Save a profile: keys into the OS keyring (typed without echo, or from KIWOOM_APP_KEY / KIWOOM_SECRET_KEY), a token issued and cached")
            .arg(Arg::new("name").required(true).value_parser(["simulator", "mock", "real"]).help("The profile"))
            .arg(Arg::new("keys").long("keys").value_parser(["keyring", "env"]).help("Where the keys live: keyring (stored now) or env (read from KIWOOM_APP_KEY / KIWOOM_SECRET_KEY at each run) [default: keyring]"))
            .arg(Arg::new("url").long("url").value_name("URL").help("Another server for this profile: http://127.0.0.1:8080 for a `kiwoom sim`"))
            .arg(Arg::new("orders").long("orders").value_parser(["allowed", "gated"]).help("allowed: order TRs run without --allow-orders (real still asks to confirm); gated [default]"))
            .arg(Arg::new("default").long("default").action(ArgAction::SetTrue).help("Use this profile when --profile is not given")),
        Clap::new("logout")
            .about("Forget a profile: revoke its cached token, remove its keys from the keyring")
            .arg(Arg::new("name").required(true).value_parser(["simulator", "mock", "real"]).help("The profile")),
        // Run by `kiwoom login` on itself: can a fresh process read the keys it stored?
        Clap::new(crate::secrets::CHECK_COMMAND)
            .hide(true)
            .arg(Arg::new("name").required(true)),
        Clap::new("profiles").about("List the profiles: default, where the keys are, server (never a key)"),
        Clap::new("sim")
            .about("Run the bundled simulator in the foreground on a loopback port, for other kiwoom processes (--profile simulator with KIWOOM_SIMULATOR_URL or kiwoom login simulator --url)")
            .arg(
                Arg::new("port")
                    .long("port")
                    .default_value("8080")
                    .value_parser(value_parser!(u16))
                    .help("Port on 127.0.0.1 (0: any free port)"),
            ),
        Clap::new("mcp")
            .about("Serve the catalog, read TRs and realtime snapshots to AI agents: a Model Context Protocol server on stdio (orders only with --allow-orders, each with a confirm step)"),
        Clap::new("call")
            .about("Call a TR by api-id with its wire JSON body, validated before sending")
            .arg(Arg::new("api-id").required(true).help("The api-id: ka10081"))
            .arg(
                Arg::new("json")
                    .long("json")
                    .required(true)
                    .help("The request body as Kiwoom writes it: {\"stk_cd\":\"005930\"} (strict: a key given twice is refused)"),
            ),
    ]
}

/// One TR's command; its flags are the request fields.
fn tr_command(c: &'static Command) -> Clap {
    let mut about = format!("{} [{}]", c.korean_name, c.api_id);
    if c.is_order() {
        about.push_str(" (order: needs --allow-orders)");
    }
    let mut long_about = format!("{} [{}]", c.korean_name, c.api_id);
    if !c.summary.is_empty() {
        long_about.push_str(&format!("\n\n{}", c.summary));
    }
    long_about.push_str(&format!("\n\nSafety: {}", c.safety_name()));
    if let Some(list) = c.paging_list {
        long_about.push_str(&format!("; pages `{list}` (--all-pages, --max-pages N)"));
    }
    if c.is_order() {
        long_about.push_str("; an order: refused without --allow-orders (and --yes on real)");
    }
    Clap::new(c.name).about(about).long_about(long_about).args(
        c.flags
            .iter()
            .enumerate()
            .map(|(i, f)| flag_arg(f).display_order(i)),
    )
}

fn flag_arg(f: &'static Flag) -> Arg {
    let mut help = String::new();
    if f.required {
        help.push_str("[required] ");
    }
    help.push_str(f.korean);
    if let Some(unit) = f.unit {
        help.push_str(&format!(" ({unit})"));
    }
    // An enum's description is its code list, printed below from the table.
    let is_enum = matches!(f.kind, Kind::Enum { .. });
    if !is_enum && !f.description.is_empty() && f.description != f.korean {
        help.push_str(&format!(": {}", f.description));
    }
    help.push_str(&format!(" [{}]", f.wire));
    if let Some(var) = match f.wire {
        "appkey" if matches!(f.kind, Kind::Secret) => Some(crate::profile::APP_KEY_VAR),
        "secretkey" if matches!(f.kind, Kind::Secret) => Some(crate::profile::SECRET_KEY_VAR),
        _ => None,
    } {
        help.push_str(&format!(" [default: ${var}, not shown]"));
    }
    if let Kind::Enum { values, .. } = f.kind {
        let listed: Vec<String> = values
            .iter()
            .map(|v| format!("{}={} ({})", v.code, v.name, v.korean))
            .collect();
        help.push_str(&format!(" [values: {}]", listed.join(", ")));
    }
    // Required flags are checked by the request's own validation, not by clap, so the error
    // names the TR and the field like every other refused request.
    Arg::new(f.long)
        .long(f.long)
        .value_name(f.kind.placeholder())
        .help(help)
}
