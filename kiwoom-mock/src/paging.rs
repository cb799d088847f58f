//! Continuation keys. The live `next-key` looks like `A0059302025042810480000010000`:
//! a market letter, the stock code, a date and time, then counters. The simulator writes the
//! same shape with the page number in the first counter, so a key is opaque to clients yet
//! tells the simulator which page comes next.

/// The key that asks for page `page` (0-based) of a listing about `code` on `date`.
pub fn next_key(code: &str, date: &str, page: u32) -> String {
    format!("A{code}{date}153000{page:04}0000")
}

/// The page a key asks for; `None` if it is not one of ours.
pub fn page_of(key: &str) -> Option<u32> {
    let key = key.trim();
    if !key.starts_with('A') || key.len() < 9 || !key.is_ascii() {
        return None;
    }
    let tail = &key[key.len() - 8..];
    if !tail.bytes().all(|b| b.is_ascii_digit()) || &tail[4..] != "0000" {
        return None;
    }
    tail[..4].parse().ok()
}

/// The key that continues a listing of the book's orders below position `position`
/// (newest first): `B` and ten digits, a shape of the simulator's own.
pub fn position_key(position: usize) -> String {
    format!("B{position:010}")
}

/// The book position a `position_key` continues below; `None` if it is not one.
pub fn position_of(key: &str) -> Option<usize> {
    let digits = key.trim().strip_prefix('B')?;
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The key that continues a per-execution listing (kt00009) below execution `execution`
/// (oldest = 0) of the order at book position `order`, then below that order: `C`, ten
/// digits, six digits.
pub fn execution_key(order: usize, execution: usize) -> String {
    format!("C{order:010}{execution:06}")
}

/// The (order position, execution index) an `execution_key` continues below.
pub fn execution_of(key: &str) -> Option<(usize, usize)> {
    let digits = key.trim().strip_prefix('C')?;
    if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits[..10].parse().ok()?, digits[10..].parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_look_live() {
        let k = next_key("005930", "20250428", 1);
        assert_eq!(k, "A0059302025042815300000010000");
        assert_eq!(k.len(), "A0059302025042810480000010000".len());
        assert_eq!(page_of(&k), Some(1));
        assert_eq!(page_of("garbage"), None);
        assert_eq!(page_of(""), None);
        assert_eq!(position_of(&position_key(42)), Some(42));
        assert_eq!(position_of(&k), None);
        assert_eq!(execution_of(&execution_key(42, 7)), Some((42, 7)));
        assert_eq!(execution_of(&position_key(42)), None);
        assert_eq!(position_of(&execution_key(42, 7)), None);
    }
}
