//! A JSON scanner for the bodies Kiwoom sends: objects of string values, arrays of such
//! objects, a number or two (`return_code`). It reads values as borrowed `&str` straight
//! into the typed fields of a [`Table`], finds each field by wire name without allocating
//! (the next field in table order first), and builds nothing in between.
//!
//! It is strict JSON for what it accepts and declines everything else: an escape in a
//! string, a number that is not a plain integer, a value of a shape the field does not
//! take, a value that does not parse, a missing required field, a syntax error. A decline
//! is `None`; the caller then decodes the body again with `serde_json` (see
//! [`super::decode`]), which gives the result or the exact error it always gave. Failures
//! are rare, so decoding them twice costs nothing that matters, and there is one source of
//! error texts.
//!
//! Unknown keys are skipped here (validated) and their text parsed by `serde_json` into the
//! record's extras, so what is kept is exactly what the `serde_json` path would keep.

use super::WireForms;
use super::decode::{Extra, find_field, slot_no};
use super::realtime::{PAIRS, Pairs};
use super::stops::Quotes;
use super::table::{Field, ListValue, Mode, ObjectValue, SlotMut, Table};

/// Nesting deeper than this is left to `serde_json` (whose own limit is 128).
const MAX_DEPTH: usize = 100;

pub(super) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

/// Decode a whole body into `table`; `false` when the scanner declines (see the module doc).
pub(super) fn decode_record(text: &str, table: &mut dyn Table) -> bool {
    let mut s = Scanner::new(text);
    s.object(table).is_some() && s.end()
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    /// Where the cursor is.
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    /// The input from `start` to the cursor.
    pub(super) fn since(&self, start: usize) -> &'a str {
        &self.text[start..self.pos]
    }

    /// Only whitespace is left.
    pub(super) fn end(&mut self) -> bool {
        self.ws();
        self.pos == self.bytes.len()
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The input from the cursor on.
    #[inline(always)]
    pub(super) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Step over `n` bytes the caller has just matched in [`rest`](Self::rest).
    #[inline(always)]
    pub(super) fn skip(&mut self, n: usize) {
        self.pos += n;
    }

    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    pub(super) fn eat(&mut self, byte: u8) -> Option<()> {
        if self.peek()? == byte {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes, borrowed from the input (the cursor is on its `"`).
    #[inline]
    pub(super) fn string(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let end = find_special(self.bytes, start)?;
        // An escape (left to serde_json), or a raw control character (invalid).
        if self.bytes[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        // Both ends are ASCII quotes of a text that is valid UTF-8: a char boundary each.
        Some(self.piece(start, end))
    }

    /// Step over `byte` (whitespace before it allowed): the byte itself is tried first,
    /// as Kiwoom writes JSON without whitespace.
    #[inline(always)]
    pub(super) fn expect(&mut self, byte: u8) -> Option<()> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Some(())
        } else {
            self.eat(byte)
        }
    }

    /// `text[start..end]` for two positions the scanner found, each at an ASCII byte or
    /// just after one (so a char boundary of the valid UTF-8 input), `start <= end <= len`:
    /// without the checks `str::get` repeats (a call per string, a tenth of a 0B decode).
    #[inline(always)]
    fn piece(&self, start: usize, end: usize) -> &'a str {
        debug_assert!(start <= end && end <= self.text.len());
        debug_assert!(self.text.is_char_boundary(start) && self.text.is_char_boundary(end));
        // SAFETY: the caller's positions are in bounds and on char boundaries (above).
        unsafe { self.text.get_unchecked(start..end) }
    }

    /// A flat object of string values (the cursor on its `{`; a REAL entry's `values`),
    /// each key and value put in `pairs` in wire order; `false` when there were more than
    /// it holds (all were still read and checked). `None` for anything else: an escape, a
    /// value that is not a string, a syntax error.
    pub(super) fn string_pairs(&mut self, pairs: &mut Pairs<'a>) -> Option<bool> {
        pairs.clear();
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(true);
        }
        let first = self.pos;
        if let Some(fits) = self.compact_pairs(pairs) {
            return Some(fits);
        }
        // Any other form (whitespace, an escape to decline): again from the first key.
        self.pos = first;
        pairs.clear();
        let mut fits = true;
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            let value = self.string()?;
            fits &= pairs.try_push((key, value)).is_ok();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(fits);
                }
                _ => return None,
            }
        }
    }

    /// The pairs as Kiwoom writes them, from the first key's `"`: `"id":"value"` joined by
    /// `,` up to `}`, with nothing between and no escape or control character. `None` (the
    /// cursor unmoved) at the first byte of any other form.
    ///
    /// Each pair is four quotes in a row of the input: the key's, then the value's, the
    /// value's opening one right after `:`, the next key's right after `,`.
    // Not inlined: in the entry reader's body its loop spilled its registers to the stack.
    #[inline(never)]
    fn compact_pairs(&mut self, pairs: &mut Pairs<'a>) -> Option<bool> {
        let bytes = self.bytes;
        let mut quotes = Quotes::new(bytes, self.pos);
        let mut open = quotes.next()?;
        if open != self.pos {
            return None;
        }
        // The pairs are written through a pointer and counted in a register, the length
        // set once at the end: `try_push` stored the length to memory at every pair.
        let out = pairs.as_mut_ptr();
        let mut count = pairs.len();
        loop {
            let key_end = quotes.next()?;
            let value_open = quotes.next()?;
            if value_open != key_end + 2 || bytes[key_end + 1] != b':' {
                return None;
            }
            let value_end = quotes.next()?;
            if count < PAIRS {
                // Just after a `"`, at a `"`: char boundaries.
                let pair = (
                    self.piece(open + 1, key_end),
                    self.piece(value_open + 1, value_end),
                );
                // SAFETY: `count` is below the capacity; the slot is past the length.
                unsafe { out.add(count).write(pair) };
            }
            count += 1;
            match bytes.get(value_end + 1) {
                Some(b',') => {
                    open = quotes.next()?;
                    if open != value_end + 2 {
                        return None;
                    }
                }
                Some(b'}') if quotes.clean_until(value_end) => {
                    self.pos = value_end + 2;
                    // SAFETY: the first `min(count, PAIRS)` slots were written above.
                    unsafe { pairs.set_len(count.min(PAIRS)) };
                    return Some(count <= PAIRS);
                }
                _ => return None,
            }
        }
    }

    /// An object key: the field of `fields` it names (the one after the previous match is
    /// tried first, against the raw bytes, which for a key without escapes is its text),
    /// or the key's text when no field has that name.
    #[inline]
    pub(super) fn key(&mut self, fields: &[Field], hint: &mut usize) -> Option<Key<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        if let Some(field) = fields.get(*hint) {
            let start = self.pos + 1;
            let end = start + field.wire.len();
            if self.bytes.get(end) == Some(&b'"')
                && self.bytes.get(start..end) == Some(field.wire.as_bytes())
            {
                self.pos = end + 1;
                *hint += 1;
                return Some(Key::Field(*hint - 1));
            }
        }
        let text = self.string()?;
        Some(match find_field(fields, text, hint) {
            Some(i) => Key::Field(i),
            None => Key::Other(text),
        })
    }

    /// A literal `null`, `true` or `false`.
    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end)? == word.as_bytes() {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    /// A JSON integer whose text is what `serde_json` would hand on (`to_string` of the
    /// number): no `-0`, no fraction or exponent, within `i64`/`u64`.
    fn integer(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let mut i = start;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = i;
        while self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let text = &self.text[start..i];
        let body = &self.text[digits..i];
        let plain = !body.is_empty()
            && (body == "0" || !body.starts_with('0'))
            && text != "-0"
            && !matches!(self.bytes.get(i), Some(b'.' | b'e' | b'E'))
            && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok());
        if !plain {
            return None;
        }
        self.pos = i;
        Some(text)
    }

    /// Skip any JSON value, checking its syntax; its text is `&text[start..self.pos]`.
    pub(super) fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.nest()?;
                self.pos += 1;
                if self.peek()? == b'}' {
                    self.pos += 1;
                } else {
                    loop {
                        self.string()?;
                        self.eat(b':')?;
                        self.skip_value()?;
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'[' => {
                self.nest()?;
                self.pos += 1;
                if self.peek()? == b']' {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_value()?;
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'n' => self.literal("null"),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// Any JSON number (for skipping): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        self.pos = i;
        Some(())
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Skip a value and parse its text with `serde_json`, for an unknown key.
    pub(super) fn extra_value(&mut self) -> Option<serde_json::Value> {
        self.ws();
        let start = self.pos;
        self.skip_value()?;
        serde_json::from_str(&self.text[start..self.pos]).ok()
    }

    /// A string, a plain integer (as its text), `true`/`false`, or `null` (`None` inside).
    /// Strings are marked so that their wire form can be kept.
    fn scalar(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Scalar::Str),
            b'n' => self.literal("null").map(|()| Scalar::Null),
            b't' => self.literal("true").map(|()| Scalar::Other("true")),
            b'f' => self.literal("false").map(|()| Scalar::Other("false")),
            b'-' | b'0'..=b'9' => self.integer().map(Scalar::Other),
            _ => None,
        }
    }

    /// An object into `table` (the cursor is on its `{`).
    fn object(&mut self, table: &mut dyn Table) -> Option<()> {
        self.eat(b'{')?;
        self.nest()?;
        let fields = table.fields();
        let mut extra = Extra::new();
        let mut forms = WireForms::default();
        let mut required_seen = 0usize;
        let mut hint = 0;
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            loop {
                let key = self.key(fields, &mut hint)?;
                self.eat(b':')?;
                match key {
                    Key::Other(key) => {
                        let value = self.extra_value()?;
                        extra.insert(key.to_owned(), value);
                    }
                    Key::Field(i) => {
                        let field = &fields[i];
                        if field.place.holds_text() {
                            let present = match self.scalar()? {
                                Scalar::Str(raw) => table
                                    .set_text(i, raw, Mode::Record, Some((&mut forms, slot_no(i))))
                                    .ok()?,
                                Scalar::Other(raw) => {
                                    table.set_text(i, raw, Mode::Record, None).ok()?
                                }
                                Scalar::Null => {
                                    table.slot(i).clear();
                                    false
                                }
                            };
                            // Counted once per field: a repeated key is left to serde_json.
                            if field.required {
                                if !present {
                                    return None;
                                }
                                required_seen += 1;
                            }
                        } else {
                            match table.slot(i) {
                                SlotMut::List(list) => {
                                    self.list(&mut *list)?;
                                    if list.is_empty() {
                                        forms.keep(slot_no(i), super::forms::EMPTY_LIST);
                                    }
                                }
                                SlotMut::Object(object) => self.nested(object)?,
                                // Bare-value lists are rare enough to leave to serde_json.
                                _ => return None,
                            }
                        }
                    }
                }
                match self.peek()? {
                    b',' => self.pos += 1,
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        if required_seen != fields.iter().filter(|f| f.required).count() {
            return None;
        }
        // Records start blank: only what was found needs moving in.
        if !extra.is_empty() || !forms.is_empty() {
            if let Some(rest) = table.rest() {
                *rest.extra = extra;
                *rest.forms = forms;
            }
        }
        Some(())
    }

    /// A list of row objects; `null` or a blank string is an empty list.
    fn list(&mut self, list: &mut dyn ListValue) -> Option<()> {
        list.truncate(0);
        match self.peek()? {
            b'[' => {
                self.pos += 1;
                self.nest()?;
                if self.peek()? == b']' {
                    self.pos += 1;
                } else {
                    loop {
                        if self.peek()? != b'{' {
                            return None;
                        }
                        self.object(list.push_blank())?;
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'n' => self.literal("null"),
            b'"' => self.string()?.trim().is_empty().then_some(()),
            _ => None,
        }
    }

    /// An optional nested object; `null` or a blank string is `None`.
    fn nested(&mut self, object: &mut dyn ObjectValue) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(object.fill()),
            b'n' => {
                object.clear();
                self.literal("null")
            }
            b'"' => {
                object.clear();
                self.string()?.trim().is_empty().then_some(())
            }
            _ => None,
        }
    }
}

/// Where the first `"`, `\\` or control character at or after `i` is: eight bytes at a
/// time (a value or key is rarely longer), then byte by byte.
#[inline(always)]
fn find_special(bytes: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero after the xor (or below 0x20); the lowest
        // flagged byte is exact (a borrow only reaches bytes above a flagged one).
        let hits = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f))
        .map(|at| i + at)
}

/// An object key, matched against a field table.
pub(super) enum Key<'a> {
    Field(usize),
    Other(&'a str),
}

enum Scalar<'a> {
    Str(&'a str),
    Other(&'a str),
    Null,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kiwoom's form takes the quote-mask loop, not the pair-by-pair one: 50 pairs of ids
    /// and values of every length up to 70 bytes (so across the 64-byte blocks), read in
    /// full, in order, the cursor after the `}`.
    #[test]
    fn plain_values_take_the_compact_path() {
        let want: Vec<(String, String)> = (0..50)
            .map(|i| (format!("{}", 10 + i * 37), "7".repeat(i * 13 % 71)))
            .collect();
        let body: Vec<String> = want
            .iter()
            .map(|(k, v)| format!(r#""{k}":"{v}""#))
            .collect();
        let text = format!("{{{}}}", body.join(","));
        let mut s = Scanner::new(&text);
        s.pos = 1;
        let mut pairs = Pairs::new();
        assert_eq!(s.compact_pairs(&mut pairs), Some(true));
        assert_eq!(s.pos, text.len());
        let got: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }
}
