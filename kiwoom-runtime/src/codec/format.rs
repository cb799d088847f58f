//! Per-field codec facts, mirrored from the spec's `codec:` block.

/// How a value is written on the wire beyond its type. Generated code passes one per field;
/// most fields use [`Format::PLAIN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// The wire integer is the value times 10^scale (`683580` with scale 2 = 6835.80).
    pub scale: u8,
    /// The value may arrive with a doubled sign (`--1500` = -1500).
    pub double_sign: bool,
    /// The value may arrive saturated at 4294967295 (kept as that number, documented).
    pub saturates: bool,
    /// Zero-padded to this width on the wire (0 = not padded). Written back unpadded.
    pub zero_pad: u8,
    /// Digits after the point of a time value: `HHMM` (4) or `HHMMSS` (6, the default).
    pub time_digits: u8,
}

impl Format {
    /// No codec facts beyond the type.
    pub const PLAIN: Format = Format {
        scale: 0,
        double_sign: false,
        saturates: false,
        zero_pad: 0,
        time_digits: 6,
    };

    /// A wire integer holding the value times 10^`scale`.
    pub const fn scaled(scale: u8) -> Format {
        Format {
            scale,
            ..Format::PLAIN
        }
    }

    /// This format, for a value that may arrive with a doubled sign.
    pub const fn double_signed(self) -> Format {
        Format {
            double_sign: true,
            ..self
        }
    }

    /// This format, for a value that may arrive saturated at 4294967295.
    pub const fn saturating(self) -> Format {
        Format {
            saturates: true,
            ..self
        }
    }

    /// This format, zero-padded to `width` on the wire.
    pub const fn zero_padded(self, width: u8) -> Format {
        Format {
            zero_pad: width,
            ..self
        }
    }

    /// This format with `digits` digits of time (`HHMM` is 4).
    pub const fn time_digits(self, digits: u8) -> Format {
        Format {
            time_digits: digits,
            ..self
        }
    }
}

/// [`Format::PLAIN`] by reference, the argument most generated fields pass.
pub const PLAIN: &Format = &Format::PLAIN;
