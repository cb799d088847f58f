//! App keys and secret keys: from the environment, typed without echo, or kept in the OS
//! keyring (the `keyring` crate: macOS Keychain, Windows Credential Manager, the Linux
//! kernel keyring). A key is handed to the runtime's secret types and never printed,
//! logged or written to a file by this crate.
//!
//! Entries are named per configuration directory (`kiwoom-rs:<dir>` / `<profile>:app_key`),
//! so two directories (a test's, a user's) never read each other's keys.
//!
//! Where no keyring backend exists (a CI container, a locked-down kernel) every operation
//! says so and names the alternative (`KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY`).
//! `KIWOOM_KEYRING=off` turns the keyring off on purpose.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::CliError;

pub const APP_KEY_VAR: &str = "KIWOOM_APP_KEY";
pub const SECRET_KEY_VAR: &str = "KIWOOM_SECRET_KEY";
pub const KEYRING_VAR: &str = "KIWOOM_KEYRING";

/// An app key and a secret key. `Debug` never shows them.
#[derive(Clone)]
pub struct Keys {
    pub app_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

#[derive(Clone, Copy)]
enum Which {
    App,
    Secret,
}

impl Which {
    fn account(self, profile: &str) -> String {
        match self {
            Which::App => format!("{profile}:app_key"),
            Which::Secret => format!("{profile}:secret_key"),
        }
    }
}

/// Both keys from `KIWOOM_APP_KEY` / `KIWOOM_SECRET_KEY`, when both are set.
pub fn from_env() -> Option<Keys> {
    let get = |var| {
        std::env::var(var)
            .ok()
            .filter(|v: &String| !v.trim().is_empty())
    };
    Some(Keys {
        app_key: get(APP_KEY_VAR)?,
        secret_key: get(SECRET_KEY_VAR)?,
    })
}

/// Ask for both keys on the terminal without echo. Refused when stdin is not a terminal
/// (a key is never read from a pipe by accident; use the variables there).
pub fn prompt() -> Result<Keys, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Config(format!(
            "no keys: stdin is not a terminal to type them on; set {APP_KEY_VAR} and \
             {SECRET_KEY_VAR} instead"
        )));
    }
    let read = |label: &str| -> Result<String, CliError> {
        let v = rpassword::prompt_password(format!("{label} (not shown): "))
            .map_err(|e| CliError::Config(format!("cannot read the {label}: {e}")))?;
        let v = v.trim().to_owned();
        if v.is_empty() {
            return Err(CliError::Config(format!("the {label} is empty")));
        }
        Ok(v)
    };
    Ok(Keys {
        app_key: read("app key")?,
        secret_key: read("secret key")?,
    })
}

/// The keyring service name for a configuration directory.
fn service(config_dir: &Path) -> String {
    format!("kiwoom-rs:{}", config_dir.display())
}

fn entry(config_dir: &Path, profile: &str, which: Which) -> Result<keyring::Entry, CliError> {
    if std::env::var(KEYRING_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return Err(unavailable(&format!("{KEYRING_VAR}=off")));
    }
    own_session_keyring();
    keyring::Entry::new(&service(config_dir), &which.account(profile))
        .map_err(|e| keyring_error(e, profile))
}

fn unavailable(why: &str) -> CliError {
    CliError::Config(format!(
        "no OS keyring available ({why}): keys cannot be stored; set {APP_KEY_VAR} and \
         {SECRET_KEY_VAR} in the environment instead (kiwoom login --keys env)"
    ))
}

/// A keyring error, worded for the user. The crate's messages name the entry, never the
/// secret.
fn keyring_error(e: keyring::Error, profile: &str) -> CliError {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            unavailable(&inner.to_string())
        }
        keyring::Error::NoEntry => CliError::Config(format!(
            "no keys for profile `{profile}` in the keyring: run `kiwoom login {profile}` or \
             set {APP_KEY_VAR} and {SECRET_KEY_VAR}"
        )),
        other => CliError::Config(format!("keyring: {other}")),
    }
}

/// Keep both keys in the keyring under `profile`, then prove that another process can
/// read them (see [`check_from_another_process`]); when it cannot, the entries are removed
/// again and the keyring is reported unavailable.
pub fn store(config_dir: &Path, profile: &str, keys: &Keys) -> Result<(), CliError> {
    for (which, value) in [
        (Which::App, &keys.app_key),
        (Which::Secret, &keys.secret_key),
    ] {
        entry(config_dir, profile, which)?
            .set_password(value)
            // A refusal while storing (keyutils reports a denied link as a missing entry)
            // means a keyring that will not keep the key.
            .map_err(|e| match e {
                keyring::Error::NoEntry => unavailable("the keyring refused the entry"),
                e => keyring_error(e, profile),
            })?;
    }
    if !check_from_another_process(profile)? {
        let _ = delete(config_dir, profile);
        return Err(unavailable(
            "another process could not read the keys back: a container or session without \
             a persistent keyring",
        ));
    }
    Ok(())
}

/// The hidden command that reads a profile's keys in a fresh process (exit 0 when it can).
pub const CHECK_COMMAND: &str = "__keyring-check";

/// Run this binary's [`CHECK_COMMAND`]: a later `kiwoom` must find the keys, and a kernel
/// keyring without a usable persistent keyring keeps them only in the session keyring of
/// the process that stored them (the check, like every `kiwoom`, reads from a session
/// keyring of its own: see [`own_session_keyring`]).
fn check_from_another_process(profile: &str) -> Result<bool, CliError> {
    let exe = std::env::current_exe().map_err(|e| {
        CliError::Config(format!(
            "cannot find this program to check the keyring: {e}"
        ))
    })?;
    let status = std::process::Command::new(exe)
        .args([CHECK_COMMAND, profile])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| CliError::Config(format!("cannot check the keyring: {e}")))?;
    Ok(status.success())
}

/// The check itself: read both keys (in this fresh process).
pub fn check_here(config_dir: &Path, profile: &str) -> bool {
    load(config_dir, profile).is_ok()
}

/// Linux: give this process a session keyring of its own before the first keyring call.
///
/// The `keyring` crate keeps each key in the session keyring and links it into the user's
/// persistent keyring, where later processes find it. A process started without a session
/// keyring (a container, a service, some SSH sessions) would otherwise search the shared
/// user-session keyring, into which the persistent keyring cannot always be linked, and
/// find nothing. With a session keyring of its own every process, the one that stores and
/// the ones that read, reaches the keys the same way: through the persistent keyring.
fn own_session_keyring() {
    #[cfg(target_os = "linux")]
    {
        static JOINED: std::sync::Once = std::sync::Once::new();
        JOINED.call_once(|| {
            // KEYCTL_JOIN_SESSION_KEYRING (1) with no name: a new anonymous session keyring.
            // SAFETY: keyctl(2) with a null name pointer reads no memory of ours.
            let joined = unsafe {
                libc::syscall(
                    libc::SYS_keyctl,
                    1 as libc::c_long,
                    std::ptr::null::<libc::c_char>(),
                )
            };
            if joined < 0 {
                tracing::debug!(
                    error = %std::io::Error::last_os_error(),
                    "no session keyring of our own"
                );
            }
        });
    }
}

/// Both keys of `profile` from the keyring.
pub fn load(config_dir: &Path, profile: &str) -> Result<Keys, CliError> {
    let get = |which| {
        entry(config_dir, profile, which)?
            .get_password()
            .map_err(|e| keyring_error(e, profile))
    };
    Ok(Keys {
        app_key: get(Which::App)?,
        secret_key: get(Which::Secret)?,
    })
}

/// Whether a keyring backend answers (an entry missing is an answer): found out before a
/// login issues a token, so a missing keyring fails the login early and clearly.
pub fn probe(config_dir: &Path, profile: &str) -> Result<(), CliError> {
    match entry(config_dir, profile, Which::App)?.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e, profile)),
    }
}

/// Remove both keys of `profile`; true when something was removed.
pub fn delete(config_dir: &Path, profile: &str) -> Result<bool, CliError> {
    let mut removed = false;
    for which in [Which::App, Which::Secret] {
        match entry(config_dir, profile, which)?.delete_credential() {
            Ok(()) => removed = true,
            Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(keyring_error(e, profile)),
        }
    }
    Ok(removed)
}
