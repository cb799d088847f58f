//! Profiles, the token cache, `kiwoom sim` and the real-profile order gate, run as a user
//! runs them: a `kiwoom sim` process serves the other `kiwoom` processes of each test, each
//! with its own empty configuration directory (`KIWOOM_CONFIG_DIR`). The simulator's admin
//! counters (`/_mock/counters/<api-id>`) say what reached the server.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};

use assert_cmd::Command;
use serde_json::Value;

const APP_KEY: &str = "app-key-7f3a9c-never-printed";
const SECRET_KEY: &str = "secret-key-51be02-never-printed";

/// A `kiwoom sim --port 0` process, killed when dropped.
struct Sim {
    child: Child,
    url: String,
    /// Kept open: the simulator's stdout stays a live pipe while it runs.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Sim {
    fn start() -> Sim {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiwoom"))
            .args(["sim", "--port", "0"])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kiwoom sim starts");
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout
            .read_line(&mut first)
            .expect("kiwoom sim prints its URL");
        let url = first.trim().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "first line: {first:?}"
        );
        Sim {
            child,
            url,
            _stdout: stdout,
        }
    }

    /// How many requests of `api_id` reached the simulator, and how many it processed.
    fn counters(&self, api_id: &str) -> (u64, u64) {
        let addr = self.url.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).expect("connect to the simulator");
        write!(
            s,
            "GET /_mock/counters/{api_id} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        let body = answer.split("\r\n\r\n").nth(1).expect("a body");
        let v: Value = serde_json::from_str(body).expect("counters are JSON");
        (
            v["requests"].as_u64().expect("requests"),
            v["processed"].as_u64().expect("processed"),
        )
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kiwoom` with only `dir` as its configuration and no keys or profile from the test's
/// environment.
fn kiwoom(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kiwoom").expect("the kiwoom binary builds");
    cmd.env("KIWOOM_CONFIG_DIR", dir)
        .env_remove("KIWOOM_APP_KEY")
        .env_remove("KIWOOM_SECRET_KEY")
        .env_remove("KIWOOM_PROFILE")
        .env_remove("KIWOOM_SIMULATOR_URL")
        .env_remove("KIWOOM_KEYRING")
        .env_remove("RUST_LOG");
    cmd
}

fn with_keys(mut cmd: Command) -> Command {
    cmd.env("KIWOOM_APP_KEY", APP_KEY)
        .env("KIWOOM_SECRET_KEY", SECRET_KEY);
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command, args: &[&str]) -> Run {
    // stdin an empty pipe: never a terminal, as under a script or CI.
    let out = cmd
        .args(args)
        .write_stdin("")
        .output()
        .expect("kiwoom runs");
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for text in [&r.stdout, &r.stderr] {
        assert!(
            !text.contains(APP_KEY) && !text.contains(SECRET_KEY),
            "a key was printed: {text}"
        );
    }
    r
}

/// Every file in `dir`: no key in any of them.
fn assert_no_key_in_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("config dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains(APP_KEY) && !text.contains(SECRET_KEY),
            "a key in {}",
            path.display()
        );
    }
}

const STOCK_INFO: &[&str] = &[
    "-o",
    "json",
    "domestic",
    "stock-info",
    "stock-info",
    "--stock-code",
    "005930",
];

const BUY: &[&str] = &[
    "domestic",
    "order",
    "buy-stock",
    "--domestic-exchange-type",
    "krx",
    "--stock-code",
    "005930",
    "--order-quantity",
    "1",
    "--order-unit-price",
    "70000",
    "--trade-type",
    "normal",
];

fn args<'a>(lists: &[&[&'a str]]) -> Vec<&'a str> {
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

#[test]
fn a_fresh_machine_defaults_to_the_in_process_simulator() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = run(kiwoom(dir.path()), STOCK_INFO);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(body["stk_cd"], "005930");
    let r = run(kiwoom(dir.path()), &["-o", "json", "profiles"]);
    let profiles: Vec<Value> = serde_json::from_str(&r.stdout).expect("json");
    let default: Vec<&Value> = profiles.iter().filter(|p| p["default"] == true).collect();
    assert_eq!(default.len(), 1);
    assert_eq!(default[0]["profile"], "simulator");
}

#[test]
fn login_caches_one_token_owner_only_for_every_later_process() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("kiwoom");

    let r = run(
        with_keys(kiwoom(&cfg)),
        &["login", "real", "--url", &sim.url, "--keys", "env"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("token issued"), "{}", r.stdout);
    assert_eq!(sim.counters("au10001"), (1, 1), "login issued one token");

    let token_file = cfg.join("tokens.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode(&token_file), 0o600, "tokens.json");
        assert_eq!(mode(&cfg.join("config.json")), 0o600, "config.json");
        assert_eq!(mode(&cfg), 0o700, "the configuration directory");
    }
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(cfg.join("config.json")).expect("config"))
            .expect("config is JSON");
    assert_eq!(config["profiles"]["real"]["keys"], "env");
    assert_eq!(config["profiles"]["real"]["url"], sim.url.as_str());

    // Two later processes read through the cached token: no second au10001.
    for _ in 0..2 {
        let r = run(
            with_keys(kiwoom(&cfg)),
            &args(&[&["--profile", "real"], STOCK_INFO]),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(sim.counters("au10001"), (1, 1), "the token was reused");
    assert_eq!(sim.counters("ka10001").1, 2);
    assert_no_key_in_files(&cfg);

    // Without keys the real profile says where they come from.
    let r = run(kiwoom(&cfg), &args(&[&["--profile", "real"], STOCK_INFO]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("KIWOOM_APP_KEY"), "{}", r.stderr);

    // Logout revokes the token and forgets the profile.
    let r = run(with_keys(kiwoom(&cfg)), &["logout", "real"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sim.counters("au10002").1, 1, "the token was revoked");
    let config = std::fs::read_to_string(cfg.join("config.json")).expect("config");
    assert!(!config.contains("\"real\""), "{config}");
}

#[test]
fn a_real_order_without_a_terminal_is_sent_only_with_yes() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let r = run(
        with_keys(kiwoom(dir.path())),
        &["login", "real", "--url", &sim.url, "--keys", "env"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // stdin is not a terminal (run() gives it an empty pipe): refused, nothing sent.
    let r = run(
        with_keys(kiwoom(dir.path())),
        &args(&[&["--profile", "real", "--allow-orders"], BUY]),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    for word in ["stdin is not a terminal", "--yes", "nothing was sent"] {
        assert!(r.stderr.contains(word), "no {word:?} in {}", r.stderr);
    }
    assert_eq!(
        sim.counters("kt10000"),
        (0, 0),
        "nothing reached the server"
    );

    // The profile allowing orders does not lift the confirmation.
    let r = run(
        with_keys(kiwoom(dir.path())),
        &[
            "login", "real", "--url", &sim.url, "--keys", "env", "--orders", "allowed",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        with_keys(kiwoom(dir.path())),
        &args(&[&["--profile", "real"], BUY]),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        sim.counters("kt10000"),
        (0, 0),
        "nothing reached the server"
    );

    // --yes is the one way past the confirmation without a terminal.
    let r = run(
        with_keys(kiwoom(dir.path())),
        &args(&[&["--profile", "real", "--yes", "-o", "json"], BUY]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sim.counters("kt10000"), (1, 1));
}

#[test]
fn kiwoom_sim_serves_other_processes_through_the_simulator_profile() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");

    // One-off, through the variable `kiwoom sim` prints.
    let mut cmd = kiwoom(dir.path());
    cmd.env("KIWOOM_SIMULATOR_URL", &sim.url);
    let r = run(cmd, &args(&[&["--allow-orders", "-o", "json"], BUY]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        sim.counters("kt10000").1,
        1,
        "the order reached `kiwoom sim`"
    );
    let placed: Value = serde_json::from_str(&r.stdout).expect("json");
    let order_number = placed["ord_no"].as_str().expect("an order number");

    // Saved in the simulator profile, so a plain command goes there too.
    let r = run(
        kiwoom(dir.path()),
        &["login", "simulator", "--url", &sim.url],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(kiwoom(dir.path()), STOCK_INFO);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sim.counters("ka10001").1, 1, "served by `kiwoom sim`");
    // The order placed by the first process is in the account the later one reads (the
    // simulator fills a marketable limit order at once).
    let r = run(
        kiwoom(dir.path()),
        &[
            "-o",
            "json",
            "domestic",
            "account",
            "filled-orders",
            "--query-type",
            "all",
            "--sell-type",
            "all",
            "--exchange-type",
            "krx",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let filled: Value = serde_json::from_str(&r.stdout).expect("json");
    let orders: Vec<&str> = filled["cntr"]
        .as_array()
        .expect("cntr list")
        .iter()
        .filter_map(|o| o["ord_no"].as_str())
        .collect();
    assert!(
        orders.contains(&order_number),
        "{order_number} not in {orders:?}"
    );
}

#[test]
fn keyring_login_keeps_the_keys_for_later_processes_or_says_there_is_no_keyring() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");

    // Turned off on purpose: a clear refusal, nothing saved.
    let mut off = with_keys(kiwoom(dir.path()));
    off.env("KIWOOM_KEYRING", "off");
    let r = run(off, &["login", "real", "--url", &sim.url]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no OS keyring available"), "{}", r.stderr);
    assert!(r.stderr.contains("KIWOOM_APP_KEY"), "{}", r.stderr);
    assert!(!dir.path().join("config.json").exists(), "nothing saved");

    // The platform's keyring: either it keeps the keys for a later process with no keys
    // in its environment, or (a container without a persistent keyring) login says so.
    let r = run(
        with_keys(kiwoom(dir.path())),
        &["login", "real", "--url", &sim.url],
    );
    if r.code == 0 {
        let later = run(
            kiwoom(dir.path()),
            &args(&[&["--profile", "real"], STOCK_INFO]),
        );
        assert_eq!(later.code, 0, "keys from the keyring: {}", later.stderr);
        assert_no_key_in_files(dir.path());
        let r = run(kiwoom(dir.path()), &["logout", "real"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("keys removed"), "{}", r.stdout);
        let after = run(
            kiwoom(dir.path()),
            &args(&[&["--profile", "real"], STOCK_INFO]),
        );
        assert_eq!(after.code, 1, "the keys are gone: {}", after.stdout);
    } else {
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("no OS keyring available"), "{}", r.stderr);
        let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap_or_default();
        assert!(!config.contains("\"real\""), "nothing saved: {config}");
        eprintln!("no persistent OS keyring here: {}", r.stderr.trim());
    }
}

#[test]
fn stream_record_writes_frames_that_parse_back_and_replay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("rec.ndjson");
    let file_arg = file.to_str().expect("utf-8 path");
    let r = run(
        kiwoom(dir.path()),
        &[
            "-o", "ndjson", "stream", "0B", "005930", "--count", "4", "--record", file_arg,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let live: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(live.len(), 4, "{}", r.stdout);

    let text = std::fs::read_to_string(&file).expect("the recording");
    let frames: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON frame per line"))
        .collect();
    let real: Vec<&Value> = frames.iter().filter(|f| f["trnm"] == "REAL").collect();
    assert!(real.len() >= 4, "{} REAL frames: {text}", real.len());
    for f in &real {
        let at = f["received_at"].as_str().expect("received_at");
        chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339");
        let entry = &f["data"][0];
        assert_eq!(entry["type"], "0B");
        assert_eq!(entry["item"], "005930");
        assert!(entry["values"]["10"].is_string(), "wire ids kept: {entry}");
    }

    // Replaying prints what the live stream printed.
    let r = run(
        kiwoom(dir.path()),
        &[
            "-o", "ndjson", "stream", "0B", "--count", "4", "--replay", file_arg,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), live);
}
