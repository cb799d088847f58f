//! REAL frames for the WebSocket session: the entries as [`RealItem`]s (values in wire
//! order, see [`RealValues`]), read by the same scanner and entry reader as
//! [`RealFrame`](super::RealFrame), so the live path and `decode_response` share their
//! code. The typed decode then reads each entry's values straight into its struct.

use super::realtime::{Pairs, RawValues, scan_entry};
use super::scan::Scanner;
use crate::{RealItem, RealValues};

/// The entries of a `{"trnm":"REAL","data":[..]}` frame, at most `max_entries` of them
/// kept, and how many the frame held. `None` when the frame is not a REAL frame or the
/// scanner declines anything in it (an escape, a value that is not a string, an entry
/// without a `type`, a syntax error): the session then reads it with `serde_json`, entry by
/// entry, which reports each bad entry on its own.
#[doc(hidden)]
pub fn scan_real_items(text: &str, max_entries: usize) -> Option<(Vec<RealItem>, usize)> {
    let mut pairs = Pairs::new();
    let mut items = Vec::new();
    let mut total = 0;
    let mut real = false;
    let mut data = false;
    let mut s = Scanner::new(text);
    s.eat(b'{')?;
    if s.peek()? == b'}' {
        return None;
    }
    loop {
        let key = s.string()?;
        s.eat(b':')?;
        match key {
            "trnm" => real = s.string()? == "REAL",
            "data" => {
                data = true;
                s.eat(b'[')?;
                if s.peek()? == b']' {
                    s.eat(b']')?;
                } else {
                    loop {
                        if total < max_entries {
                            items.push(item(scan_entry(&mut s, &mut pairs)?)?);
                        } else {
                            s.skip_value()?;
                        }
                        total += 1;
                        match s.peek()? {
                            b',' => s.eat(b',')?,
                            _ => {
                                s.eat(b']')?;
                                break;
                            }
                        }
                    }
                }
            }
            _ => s.skip_value()?,
        }
        match s.peek()? {
            b',' => s.eat(b',')?,
            _ => {
                s.eat(b'}')?;
                break;
            }
        }
    }
    (real && data && s.end()).then_some((items, total))
}

/// An entry as the session keeps it; `None` for one without a `type` (the serde path
/// reports it).
fn item(entry: super::RawEntry<'_>) -> Option<RealItem> {
    if entry.kind.trim().is_empty() {
        return None;
    }
    let values = match &entry.values {
        RawValues::Slice(pairs) => {
            let bytes = pairs.iter().map(|(id, raw)| id.len() + raw.len()).sum();
            let mut values = RealValues::with_capacity(pairs.len(), bytes);
            for (id, raw) in pairs.iter() {
                values.push(id, raw);
            }
            values
        }
        other => other.to_values(),
    };
    Some(RealItem {
        kind: entry.kind.into_owned(),
        name: entry.name.into_owned(),
        item: entry.item.into_owned(),
        values,
        extra: entry.extra,
    })
}
