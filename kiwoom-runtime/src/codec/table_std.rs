//! `Debug` and `PartialEq` of generated structs, through their field table.
//!
//! A derive writes one function per struct with one statement per field (for `PartialEq`,
//! one branch per field); over the generated crate's ~900 structs that was about a quarter
//! of its build time. These two functions are compiled once and walk the table instead; the
//! output is what the derives printed (the fields in declaration order, then the kept
//! unknown keys and wire forms of a decoded record) and equality is field by field, kept
//! parts included. Secrets print through their own redacting `Debug`.
//!
//! Not a public API: `record_table!` / `request_table!` are the only callers.

use std::fmt;

use super::table::{ListValue, SlotRef, Table};

/// `Debug` of a generated struct: `Name { field: value, .. }`, as `#[derive(Debug)]`.
pub fn debug_table(table: &dyn Table, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut out = f.debug_struct(table.type_name());
    for (i, field) in table.fields().iter().enumerate() {
        match table.view(i) {
            SlotRef::Opt(v) => out.field(field.rust, v.debug()),
            SlotRef::Req(v) => out.field(field.rust, v.debug()),
            SlotRef::Number(v) => out.field(field.rust, &v),
            SlotRef::List(v) => out.field(field.rust, &RowsDebug(v)),
            SlotRef::Object(v) => out.field(field.rust, &v.get().map(TableDebug)),
            SlotRef::Values(v) => out.field(field.rust, v.debug()),
        };
    }
    if let Some((extra, forms)) = table.kept() {
        out.field("extra", extra).field("forms", forms);
    }
    out.finish()
}

/// `PartialEq` of two values of one generated struct: every field, then the kept unknown
/// keys and wire forms, as `#[derive(PartialEq)]`.
pub fn eq_table(a: &dyn Table, b: &dyn Table) -> bool {
    let fields = a.fields().len();
    if b.fields().len() != fields {
        return false;
    }
    (0..fields).all(|i| match (a.view(i), b.view(i)) {
        (SlotRef::Opt(x), SlotRef::Opt(y)) => x.same(y),
        (SlotRef::Req(x), SlotRef::Req(y)) => x.same(y),
        (SlotRef::Number(x), SlotRef::Number(y)) => x == y,
        (SlotRef::List(x), SlotRef::List(y)) => {
            x.len() == y.len() && (0..x.len()).all(|i| eq_table(x.row(i), y.row(i)))
        }
        (SlotRef::Object(x), SlotRef::Object(y)) => match (x.get(), y.get()) {
            (Some(x), Some(y)) => eq_table(x, y),
            (x, y) => x.is_none() && y.is_none(),
        },
        (SlotRef::Values(x), SlotRef::Values(y)) => x.same(y),
        _ => false,
    }) && a.kept() == b.kept()
}

/// A nested table, printed as its own `Debug` would (rows and objects are tables too).
struct TableDebug<'a>(&'a dyn Table);

impl fmt::Debug for TableDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_table(self.0, f)
    }
}

/// A list of rows, printed as a `Vec` of them.
struct RowsDebug<'a>(&'a dyn ListValue);

impl fmt::Debug for RowsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.0.len()).map(|i| TableDebug(self.0.row(i))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Extra, Field, WireForms};

    // A hand-written table of the shape the macros write, with the derives beside it to
    // compare against.
    #[derive(Debug, Clone, PartialEq)]
    struct Derived {
        price: Option<i64>,
        name: Option<String>,
        rows: Vec<Row>,
        extra: Extra,
        forms: WireForms,
    }

    #[derive(Clone)]
    struct Row {
        qty: Option<i64>,
    }

    // SAFETY: the place is made by `__table_place!` from `Row`'s field.
    unsafe impl Table for Row {
        fn type_name(&self) -> &'static str {
            "Row"
        }
        fn fields(&self) -> &'static [Field] {
            const F: &[Field] = &[Field::new(
                "qty",
                "qty",
                crate::__table_place!(Int, Row, qty),
            )];
            F
        }
        fn blank() -> Self {
            Row { qty: None }
        }
    }
    impl fmt::Debug for Row {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug_table(self, f)
        }
    }
    impl PartialEq for Row {
        fn eq(&self, other: &Self) -> bool {
            eq_table(self, other)
        }
    }

    #[derive(Clone)]
    struct Record(Derived);

    // SAFETY: the places are made by `__table_place!` from `Record`'s fields.
    unsafe impl Table for Record {
        fn type_name(&self) -> &'static str {
            "Derived"
        }
        fn fields(&self) -> &'static [Field] {
            const F: &[Field] = &[
                Field::new("p", "price", crate::__table_place!(Int, Record, 0.price)),
                Field::new("n", "name", crate::__table_place!(Text, Record, 0.name)),
                Field::new("r", "rows", crate::__table_place!(List, Record, 0.rows)),
            ];
            F
        }
        fn kept(&self) -> Option<(&Extra, &WireForms)> {
            Some((&self.0.extra, &self.0.forms))
        }
        fn blank() -> Self {
            unreachable!("not decoded into")
        }
    }

    fn sample() -> Derived {
        let mut extra = Extra::new();
        extra.insert("new_key".into(), serde_json::json!("7"));
        let mut forms = WireForms::default();
        forms.keep(0, "+0001500");
        Derived {
            price: Some(1500),
            name: Some("삼성전자".into()),
            rows: vec![Row { qty: Some(3) }, Row { qty: None }],
            extra,
            forms,
        }
    }

    #[test]
    fn debug_prints_what_the_derive_printed() {
        let derived = sample();
        let table = Record(derived.clone());
        let via_table = format!("{:?}", DebugOf(&table));
        assert_eq!(via_table, format!("{derived:?}"));
        assert_eq!(format!("{:#?}", DebugOf(&table)), format!("{derived:#?}"));
    }

    #[test]
    fn equality_is_field_by_field_kept_parts_included() {
        let a = Record(sample());
        let same = Record(sample());
        assert!(eq_table(&a, &same));
        // The kept wire forms never make two values unequal (`WireForms`' own `PartialEq`).
        type Change = fn(&mut Derived);
        let changes: [(Change, bool); 6] = [
            (|d| d.price = Some(1501), false),
            (|d| d.name = None, false),
            (|d| d.rows[1].qty = Some(0), false),
            (|d| d.rows.truncate(1), false),
            (|d| d.extra.clear(), false),
            (|d| d.forms = WireForms::default(), true),
        ];
        for (change, still_equal) in changes {
            let mut changed = sample();
            change(&mut changed);
            assert_eq!(changed == sample(), still_equal, "the derive");
            assert_eq!(eq_table(&Record(changed), &a), still_equal, "the table");
        }
    }

    struct DebugOf<'a>(&'a dyn Table);
    impl fmt::Debug for DebugOf<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug_table(self.0, f)
        }
    }
}
