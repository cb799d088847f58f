//! The quotes of the input in order, found 64 bytes at a time as bit masks, for the
//! scanner's loop over a REAL entry's `values`.
//!
//! Finding each string's end by itself (eight bytes at a time) made every step wait for the
//! previous one: load, test, count the zeros, and only then the next load. A 0B entry has 90
//! short strings, and that chain was the largest cost of decoding the frame. Here the mask
//! of a whole block is computed up front (independent loads, 16 bytes per instruction on
//! x86-64), and each next quote is one bit count away.
//!
//! A string in this fast path holds no escape and no control character: the block's mask of
//! those ([`Quotes::clean_until`]) tells the caller to leave the text to the general path.

/// The `"` of the input from a start position on, in order.
pub(super) struct Quotes<'a> {
    bytes: &'a [u8],
    /// Start of the block the masks describe.
    base: usize,
    /// Bit `i` set: `bytes[base + i]` is a `"` not yet handed out.
    quotes: u64,
    /// Bit `i` set: `bytes[base + i]` is a `\` or below 0x20 (at or after the start).
    specials: u64,
}

impl<'a> Quotes<'a> {
    /// The quotes of `bytes` at or after `start`.
    pub(super) fn new(bytes: &'a [u8], start: usize) -> Self {
        let (quotes, specials) = block_masks(bytes, start);
        Quotes {
            bytes,
            base: start,
            quotes,
            specials,
        }
    }

    /// The next quote; `None` at the end of the input, or when a `\` or control character
    /// comes before it (the text is then not the plain form this reader takes).
    #[inline(always)]
    pub(super) fn next(&mut self) -> Option<usize> {
        while self.quotes == 0 {
            // Every byte of this block is before the next quote: none may be special.
            if self.specials != 0 || self.base + 64 >= self.bytes.len() {
                return None;
            }
            self.base += 64;
            (self.quotes, self.specials) = block_masks(self.bytes, self.base);
        }
        let at = self.base + self.quotes.trailing_zeros() as usize;
        self.quotes &= self.quotes - 1;
        Some(at)
    }

    /// No `\` or control character from the start up to `end` (exclusive; `end` is at or
    /// before the last quote handed out plus one, so inside the current block or at its
    /// end).
    #[inline(always)]
    pub(super) fn clean_until(&self, end: usize) -> bool {
        let below = end - self.base;
        let mask = if below >= 64 {
            u64::MAX
        } else {
            (1u64 << below) - 1
        };
        self.specials & mask == 0
    }
}

/// The quote and special masks of the 64 bytes from `start` (bytes past the end count as
/// spaces: neither).
#[inline(never)]
fn block_masks(bytes: &[u8], start: usize) -> (u64, u64) {
    let rest = bytes.get(start..).unwrap_or_default();
    match rest.first_chunk::<64>() {
        Some(block) => masks64(block),
        None => {
            let mut block = [b' '; 64];
            block[..rest.len()].copy_from_slice(rest);
            masks64(&block)
        }
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn masks64(block: &[u8; 64]) -> (u64, u64) {
    // SAFETY: compiled only where SSE2 is enabled (every x86-64 target has it).
    unsafe { masks64_sse2(block) }
}

/// The masks 16 bytes per instruction.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn masks64_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let below_space = _mm_set1_epi8(0x1f);
    let (mut quotes, mut specials) = (0u64, 0u64);
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 readable bytes; the load is unaligned.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        // A byte is below 0x20 when the unsigned max of it and 0x1f is 0x1f.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space);
        let special = _mm_or_si128(_mm_cmpeq_epi8(v, backslash), control);
        quotes |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u16) << (16 * i);
        specials |= u64::from(_mm_movemask_epi8(special) as u16) << (16 * i);
    }
    (quotes, specials)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn masks64(block: &[u8; 64]) -> (u64, u64) {
    masks64_swar(block)
}

/// The same masks eight bytes at a time in a `u64` (every target; checked against the
/// vector form in the tests).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn masks64_swar(block: &[u8; 64]) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (mut quotes, mut specials) = (0u64, 0u64);
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let quote = flag_zero(w ^ (ONES * u64::from(b'"')));
        let special = flag_zero(w ^ (ONES * u64::from(b'\\'))) | flag_below_space(w);
        quotes |= gather(quote) << (8 * i);
        specials |= gather(special) << (8 * i);
    }
    (quotes, specials)
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each byte of `w` that is zero, exact for every byte: (b & 0x7f) + 0x7f
/// sets a byte's high bit iff its low seven bits are not all zero, and carries into no
/// other byte.
fn flag_zero(w: u64) -> u64 {
    !(((w & LOW7) + LOW7) | w) & !LOW7
}

/// The high bit of each byte of `w` below 0x20, exact for every byte: (b & 0x7f) + 0x60
/// reaches 0x80 iff the low seven bits are 0x20 or more, with no carry out of the byte.
fn flag_below_space(w: u64) -> u64 {
    const BIAS: u64 = 0x6060_6060_6060_6060;
    !(((w & LOW7) + BIAS) | w) & !LOW7
}

/// One bit per byte from the bytes' high bits: each moved to bit 56 + its byte's index by
/// one multiplication (no two products meet, so nothing carries).
fn gather(flags: u64) -> u64 {
    ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) & 0xff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(block: &[u8]) -> (u64, u64) {
        let mask = |f: fn(u8) -> bool| {
            block
                .iter()
                .enumerate()
                .filter(|(_, b)| f(**b))
                .fold(0, |mask, (i, _)| mask | 1 << i)
        };
        (mask(|b| b == b'"'), mask(|b| b == b'\\' || b < 0x20))
    }

    /// Every byte value in every position, next to every other kind of byte: both forms
    /// agree with the byte-by-byte definition.
    #[test]
    fn masks_match_the_definition() {
        let mut block = [b'a'; 64];
        for value in 0..=255u8 {
            for neighbour in [0u8, b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0xff, b'a'] {
                for at in 0..64 {
                    block.fill(neighbour);
                    block[at] = value;
                    let want = naive(&block);
                    assert_eq!(
                        masks64(&block),
                        want,
                        "{value:#x} at {at} in {neighbour:#x}"
                    );
                    assert_eq!(
                        masks64_swar(&block),
                        want,
                        "{value:#x} at {at} in {neighbour:#x}"
                    );
                }
            }
        }
    }

    /// `next` hands out the quotes in order, a quote only when no block of 64 bytes passed
    /// before it held a special byte; `clean_until` says whether any special byte lies
    /// between the start and a position. Inputs of every length around the block size,
    /// read from any start.
    #[test]
    fn quotes_in_order_until_a_special() {
        for len in [0, 1, 7, 63, 64, 65, 127, 128, 129, 200] {
            for special_every in [None, Some(37), Some(90)] {
                let bytes: Vec<u8> = (0..len)
                    .map(|i| match i {
                        _ if special_every.is_some_and(|n| i % n == n - 1) => b'\\',
                        _ if i % 5 == 2 => b'"',
                        _ if i % 29 == 0 => b'\n',
                        _ => b'x',
                    })
                    .collect();
                let special = |i: &usize| bytes[*i] == b'\\' || bytes[*i] < 0x20;
                for start in 0..len.min(70) {
                    // The model: a quote is handed out when the blocks before its own hold
                    // no special byte; after the first one refused, none is.
                    let mut want = Vec::new();
                    for q in (start..len).filter(|&i| bytes[i] == b'"') {
                        let own_block = start + (q - start) / 64 * 64;
                        if (start..own_block).any(|i| special(&i)) {
                            break;
                        }
                        want.push(q);
                    }
                    let mut quotes = Quotes::new(&bytes, start);
                    let mut got = Vec::new();
                    while let Some(q) = quotes.next() {
                        let clean = !(start..q + 1).any(|i| special(&i));
                        assert_eq!(
                            quotes.clean_until(q + 1),
                            clean,
                            "len {len} start {start} q {q}"
                        );
                        got.push(q);
                    }
                    assert_eq!(got, want, "len {len} start {start} every {special_every:?}");
                }
            }
        }
    }
}
