//! Coded values in descriptions (quirks #31-#36): `0:보통 , 3:시장가`, `S:성공 F:실패`, multi-line
//! lists, `1:KRX, 2:NXT 3.통합`, `'': 보합`, and bare lists `KRX,NXT,SOR`. The parser returns the
//! codes it found and whatever text it could not attribute to a code (the residue), so that
//! nothing is dropped silently.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCode {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedEnum {
    pub codes: Vec<ParsedCode>,
    /// Text that belongs to no code (prose before/after the list), trimmed, joined by ` | `.
    pub residue: String,
    /// Codes listed twice (the first one is kept).
    pub duplicates: Vec<String>,
}

/// A code marker: a separator (or the start), a code, optional blanks, then `:` (or the typo
/// `;` as in `1;천주이상`, or `.` as in `3.통합`). A code is short and ASCII, or `''`.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s,(/])(''|[A-Za-z0-9%+\-]{1,8})(?:\s*:\s*|;(?:[^\s;])|\.(?:[^0-9\s]))")
        .expect("valid regex")
});

/// `KRX,NXT,SOR`, `Y,N`, `KRX , NXT , 통합` (labels are the codes themselves).
static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([A-Z]{1,4}|통합)(\s*,\s*([A-Z]{1,4}|통합))+\s*$").expect("valid regex")
});

/// A date or time format written as a pattern (`HH:mm:ss`, `HH:mm`, `YYYY-MM-DD`): the
/// letters before a `:` look like codes but are format fields.
static FORMAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[YMDHhms]{2,4}(?:[:\-/. ][YMDHhms]{2,4})+$").expect("valid regex")
});

/// A label that ends in a bare list of codes (`%:(전체), KRX, NXT, SOR`): the trailing words
/// are codes of their own, labelled by themselves.
static TRAILING_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)\s*,\s*([A-Z]{2,4}(?:\s*,\s*[A-Z]{2,4})+)$").expect("valid regex")
});

/// Does the description look like it lists codes at all (for the statistics and for the
/// "codes but no enum" report)?
pub fn lists_codes(description: &str) -> bool {
    let text = description.trim();
    !FORMAT.is_match(text) && (BARE.is_match(text) || markers(text).len() >= 2)
}

/// A list that names only some codes and sends the reader elsewhere for the rest
/// (`000:전체, usa10101 참고`, `... 701: KRX100 나머지 ※ 업종코드 참고`): the set is open
/// (any industry code), so it cannot be an enum.
pub fn refers_elsewhere(description: &str) -> bool {
    description.contains("참고")
}

/// (code start, label start, code) of every marker, except clock times (`장시작(09:00)`,
/// `알림(8:40~)`, `15:30 이후`), which look like `code:label` but are not.
fn markers(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for caps in MARKER.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        let code = caps.get(1).expect("code group");
        let mut end = whole.end();
        // The `.`/`;` forms consumed the first label character: give it back.
        if text[code.end()..].starts_with(['.', ';']) {
            end = code.end() + 1;
        }
        let label = &text[end..];
        if code.as_str().bytes().all(|b| b.is_ascii_digit()) && CLOCK.is_match(label) {
            continue;
        }
        out.push((code.start(), end, code.as_str().to_string()));
    }
    out
}

/// The minutes of a clock time: two digits then `~`, `)`, a blank or the end.
static CLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{2}(?:~(?:\D|$)|[)\s]|$)").expect("valid regex"));

pub fn parse(description: &str) -> Option<ParsedEnum> {
    let text = description.trim();
    if text.is_empty() || FORMAT.is_match(text) {
        return None;
    }
    if BARE.is_match(text) {
        let mut out = ParsedEnum::default();
        for code in text.split(',').map(str::trim) {
            push(&mut out, code, code);
        }
        return Some(out);
    }
    let markers = markers(text);
    if markers.is_empty() {
        return None;
    }
    let mut out = ParsedEnum::default();
    let mut residue: Vec<String> = Vec::new();
    let before = text[..markers[0].0].trim();
    if !before.is_empty() {
        residue.push(before.to_string());
    }
    for (i, (_, label_start, code)) in markers.iter().enumerate() {
        let next = markers.get(i + 1).map(|m| m.0).unwrap_or(text.len());
        let span = &text[*label_start..next.max(*label_start)];
        // A label ends at a line break; what follows on later lines is prose.
        let mut lines = span.split('\n');
        let label = lines
            .next()
            .unwrap_or("")
            .trim()
            .trim_end_matches([',', '/'])
            .trim()
            .to_string();
        let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
        if !rest.is_empty() {
            residue.push(rest.join(" "));
        }
        let code = if code == "''" {
            String::new()
        } else {
            code.clone()
        };
        match TRAILING_BARE.captures(&label) {
            Some(c) => {
                push(&mut out, &code, c[1].trim());
                for bare in c[2].split(',').map(str::trim) {
                    push(&mut out, bare, bare);
                }
            }
            None => push(&mut out, &code, &label),
        }
    }
    out.residue = residue.join(" | ");
    Some(out)
}

fn push(out: &mut ParsedEnum, code: &str, label: &str) {
    if out.codes.iter().any(|c| c.code == code) {
        out.duplicates.push(code.to_string());
    } else {
        out.codes.push(ParsedCode {
            code: code.to_string(),
            label: label.to_string(),
        });
    }
}

/// Labels that are examples of values rather than meanings (`KRX:039490,NXT:039490_NX`):
/// such a list describes a format, not a set of codes.
pub fn looks_like_value_examples(parsed: &ParsedEnum) -> bool {
    parsed.codes.iter().all(|c| {
        let l = c.label.trim_end_matches(')');
        !l.is_empty()
            && l.chars()
                .all(|ch| ch.is_ascii_digit() || ch == '_' || ch.is_ascii_uppercase())
            && l.chars().any(|ch| ch.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(d: &str) -> Vec<(String, String)> {
        parse(d)
            .map(|p| p.codes.into_iter().map(|c| (c.code, c.label)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn comma_lists() {
        assert_eq!(
            codes("1: 상한가, 2:상승, 3:보합"),
            vec![
                ("1".into(), "상한가".into()),
                ("2".into(), "상승".into()),
                ("3".into(), "보합".into())
            ]
        );
    }

    #[test]
    fn dotted_and_spaced_codes() {
        assert_eq!(
            codes("1:KRX, 2:NXT 3.통합"),
            vec![
                ("1".into(), "KRX".into()),
                ("2".into(), "NXT".into()),
                ("3".into(), "통합".into())
            ]
        );
    }

    #[test]
    fn letter_codes_space_separated_and_typo_separators() {
        assert_eq!(
            codes("S:성공 F:실패"),
            vec![("S".into(), "성공".into()), ("F".into(), "실패".into())]
        );
        assert_eq!(
            codes("NA: AMEX, ND: NASDAQ, NY: NYSE")[1],
            ("ND".into(), "NASDAQ".into())
        );
        assert_eq!(
            codes("0:당일, 1:전일, 10;10일")[2],
            ("10".into(), "10일".into())
        );
    }

    #[test]
    fn clock_times_are_not_codes() {
        let c = codes("0 : 장시작전 알림(8:40~),\n3 : 장시작(09:00),\n4 : 장마감(15:30)");
        let only: Vec<&str> = c.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(only, ["0", "3", "4"]);
        assert_eq!(c[1].1, "장시작(09:00)");
        // A range `4:10~20` is a code, not a clock.
        assert_eq!(codes("3:10이상,4:10~20")[1], ("4".into(), "10~20".into()));
    }

    #[test]
    fn value_examples_are_recognised() {
        let p =
            parse("거래소별 종목코드\n(KRX:039490,NXT:039490_NX,SOR:039490_AL)").expect("parsed");
        assert!(looks_like_value_examples(&p));
        assert!(!lists_codes("단위: 원"));
    }

    #[test]
    fn bare_lists_and_empty_codes() {
        assert_eq!(codes("KRX , NXT , 통합").len(), 3);
        assert_eq!(
            codes("+: 상승, -:하락, '': 보합")[2],
            (String::new(), "보합".into())
        );
    }

    #[test]
    fn format_patterns_are_not_codes() {
        for format in ["HH:mm:ss", "HH:mm", "YYYY-MM-DD"] {
            assert_eq!(parse(format), None, "{format}");
            assert!(!lists_codes(format), "{format}");
        }
    }

    #[test]
    fn a_label_ending_in_bare_codes_adds_them() {
        assert_eq!(
            codes("%:(전체), KRX, NXT, SOR"),
            vec![
                ("%".into(), "(전체)".into()),
                ("KRX".into(), "KRX".into()),
                ("NXT".into(), "NXT".into()),
                ("SOR".into(), "SOR".into())
            ]
        );
        // An ordinary label with a comma stays whole.
        assert_eq!(codes("1:KOSPI, 2:KOSDAQ")[0], ("1".into(), "KOSPI".into()));
    }

    #[test]
    fn lists_that_point_elsewhere_are_open() {
        assert!(refers_elsewhere("000:전체, usa10101 참고"));
        assert!(!refers_elsewhere("1:전일, 4:5일"));
    }

    #[test]
    fn multi_line_keeps_prose_as_residue() {
        let p = parse("등록(REG)시\n0:기존유지안함 1:기존유지(Default)\n 0일경우 해지")
            .expect("parsed");
        assert_eq!(p.codes.len(), 2);
        assert_eq!(p.codes[1].label, "기존유지(Default)");
        assert_eq!(p.residue, "등록(REG)시 | 0일경우 해지");
    }
}
