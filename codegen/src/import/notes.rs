//! Codec facts that follow from Kiwoom's own measurement notes (api_commands.csv `notes`):
//! the rules here are generic (a note's wording -> a fact on every matching field). Facts
//! that name single fields (x100 scales, ghost fields, unit corrections) are overrides with
//! the note quoted as the reason.

use crate::spec::{Field, Sign, Tr, ValueType};

use super::report::Report;

pub fn apply(tr: &mut Tr, report: &mut Report) {
    let note = tr.notes.join(" ");
    if note.contains("--N") {
        let mut n = 0;
        walk(&mut tr.response, &mut |f| {
            if f.codec.sign != Sign::None && matches!(f.ty, ValueType::Integer | ValueType::Decimal)
            {
                f.codec.double_sign = true;
                n += 1;
            }
        });
        report.add(
            "note-double-sign",
            format!("{}: {n} signed fields may arrive as '--N'", tr.id),
        );
    }
    if note.contains("4294967295") {
        let mut n = 0;
        walk(&mut tr.response, &mut |f| {
            let volume = f.korean.contains("거래량") || f.wire.ends_with("trde_qty");
            if volume && matches!(f.ty, ValueType::Integer | ValueType::Decimal) {
                f.codec.saturates = true;
                n += 1;
            }
        });
        report.add(
            "note-saturates",
            format!("{}: {n} volume fields may saturate at 4294967295", tr.id),
        );
    }
}

pub fn walk(fields: &mut [Field], f: &mut impl FnMut(&mut Field)) {
    for field in fields {
        f(field);
        walk(&mut field.fields, f);
    }
}
