//! Faults and rate limits written as text, for the standalone server's flags and its admin
//! endpoint (`/_mock/...`): the same syntax in both places.
//!
//! * Fault: `latency:<ms>`, `status:<code>`, `close-before-processing`,
//!   `close-after-processing`, `malformed-json`, `rate-limited`, `token-invalid`.
//! * Rate scope: `global`, `api:<api-id>`, `path:<url path>`.
//! * Flags: `--fault <api-id>=<fault>[*<times>]`, `--rate-limit <scope>=<per second>`.

use std::str::FromStr;
use std::time::Duration;

use crate::config::{Fault, RateScope};

/// Text that is not a fault, scope or switch, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SwitchError(String);

impl FromStr for Fault {
    type Err = SwitchError;

    fn from_str(s: &str) -> Result<Fault, SwitchError> {
        let s = s.trim();
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        let number = |what: &str| -> Result<u64, SwitchError> {
            arg.trim()
                .parse()
                .map_err(|_| SwitchError(format!("`{kind}` needs {what}: `{kind}:<{what}>`")))
        };
        Ok(match kind.trim() {
            "latency" => Fault::Latency(Duration::from_millis(number("milliseconds")?)),
            "status" => {
                let code = number("an HTTP status")?;
                if !(100..=599).contains(&code) {
                    return Err(SwitchError(format!("HTTP status {code} is not 100..=599")));
                }
                Fault::Status(code as u16)
            }
            "close-before-processing" => Fault::CloseBeforeProcessing,
            "close-after-processing" => Fault::CloseAfterProcessing,
            "malformed-json" => Fault::MalformedJson,
            "rate-limited" => Fault::RateLimited,
            "token-invalid" => Fault::TokenInvalid,
            other => {
                return Err(SwitchError(format!(
                    "unknown fault `{other}`: expected latency:<ms>, status:<code>, \
                     close-before-processing, close-after-processing, malformed-json, \
                     rate-limited or token-invalid"
                )));
            }
        })
    }
}

impl FromStr for RateScope {
    type Err = SwitchError;

    fn from_str(s: &str) -> Result<RateScope, SwitchError> {
        let s = s.trim();
        match s.split_once(':') {
            _ if s == "global" => Ok(RateScope::Global),
            Some(("api", id)) if !id.trim().is_empty() => Ok(RateScope::ApiId(id.trim().into())),
            Some(("path", p)) if p.trim().starts_with('/') => {
                Ok(RateScope::Category(p.trim().into()))
            }
            _ => Err(SwitchError(format!(
                "unknown rate scope `{s}`: expected global, api:<api-id> or path:</url/path>"
            ))),
        }
    }
}

/// `--fault <api-id>=<fault>[*<times>]`.
#[derive(Debug, Clone)]
pub struct FaultSwitch {
    pub api_id: String,
    pub fault: Fault,
    pub times: u32,
}

impl FromStr for FaultSwitch {
    type Err = SwitchError;

    fn from_str(s: &str) -> Result<FaultSwitch, SwitchError> {
        let (api_id, rest) = s
            .split_once('=')
            .ok_or_else(|| SwitchError(format!("`{s}`: expected <api-id>=<fault>[*<times>]")))?;
        let (fault, times) = match rest.rsplit_once('*') {
            Some((f, n)) => (
                f,
                n.trim()
                    .parse()
                    .map_err(|_| SwitchError(format!("`{n}` is not a number of times")))?,
            ),
            None => (rest, 1),
        };
        if api_id.trim().is_empty() {
            return Err(SwitchError(format!("`{s}`: the api-id is empty")));
        }
        Ok(FaultSwitch {
            api_id: api_id.trim().into(),
            fault: fault.parse()?,
            times,
        })
    }
}

/// `--rate-limit <scope>=<per second>`.
#[derive(Debug, Clone)]
pub struct RateSwitch {
    pub scope: RateScope,
    pub per_second: u32,
}

impl FromStr for RateSwitch {
    type Err = SwitchError;

    fn from_str(s: &str) -> Result<RateSwitch, SwitchError> {
        let (scope, n) = s
            .rsplit_once('=')
            .ok_or_else(|| SwitchError(format!("`{s}`: expected <scope>=<per second>")))?;
        Ok(RateSwitch {
            scope: scope.parse()?,
            per_second: n.trim().parse().map_err(|_| {
                SwitchError(format!("`{n}` is not a number of requests per second"))
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_parse_and_refuse_with_the_expected_syntax() {
        let f: FaultSwitch = "kt10000=latency:1500*3".parse().unwrap();
        assert_eq!(f.api_id, "kt10000");
        assert!(matches!(f.fault, Fault::Latency(d) if d == Duration::from_millis(1500)));
        assert_eq!(f.times, 3);
        let f: FaultSwitch = "ka10001=status:503".parse().unwrap();
        assert!(matches!(f.fault, Fault::Status(503)) && f.times == 1);
        assert!(matches!(
            "close-after-processing".parse::<Fault>(),
            Ok(Fault::CloseAfterProcessing)
        ));
        assert!("status:99".parse::<Fault>().is_err());
        assert!(
            "latency"
                .parse::<Fault>()
                .unwrap_err()
                .0
                .contains("latency:<milliseconds>")
        );
        assert!("explode".parse::<Fault>().is_err());
        assert!("=rate-limited".parse::<FaultSwitch>().is_err());

        let r: RateSwitch = "api:ka10081=5".parse().unwrap();
        assert_eq!(
            (r.scope, r.per_second),
            (RateScope::ApiId("ka10081".into()), 5)
        );
        let r: RateSwitch = "path:/api/dostk/chart=2".parse().unwrap();
        assert_eq!(r.scope, RateScope::Category("/api/dostk/chart".into()));
        let r: RateSwitch = "global=20".parse().unwrap();
        assert_eq!((r.scope, r.per_second), (RateScope::Global, 20));
        assert!("chart=2".parse::<RateSwitch>().is_err());
        assert!("global=many".parse::<RateSwitch>().is_err());
    }
}
