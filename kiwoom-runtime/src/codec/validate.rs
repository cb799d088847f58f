//! Checks that generated `validate()` runs before anything is sent.

use super::table::{Checked, Field, SlotRef, Table};
use super::{Format, Wire};
use crate::{ValidationError, ValidationProblem};

/// Check one request field: present when required, not longer than the documented
/// maximum (in characters of the wire form), and not an enum's unknown code.
pub fn check<T: Wire>(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    value: Option<&T>,
    required: bool,
    max_length: Option<usize>,
    format: &Format,
) -> Result<(), ValidationError> {
    let problem = |problem| ValidationError {
        api_id,
        field,
        rust_name,
        problem,
    };
    let Some(value) = value else {
        return if required {
            Err(problem(ValidationProblem::Missing))
        } else {
            Ok(())
        };
    };
    if let Some(reason) = value.invalid_reason() {
        return Err(problem(ValidationProblem::Invalid {
            reason: reason.to_owned(),
        }));
    }
    let wire = value.write(format);
    if value.is_unknown() {
        return Err(problem(ValidationProblem::UnknownCode {
            code: wire.into_owned(),
        }));
    }
    if required && wire.trim().is_empty() {
        return Err(problem(ValidationProblem::Missing));
    }
    if let Some(max) = max_length {
        let actual = wire.chars().count();
        if actual > max {
            return Err(problem(ValidationProblem::TooLong { max, actual }));
        }
    }
    Ok(())
}

/// Check a list field of a request: a required list must not be empty.
pub fn check_list<T>(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    values: &[T],
    required: bool,
) -> Result<(), ValidationError> {
    if required && values.is_empty() {
        return Err(ValidationError {
            api_id,
            field,
            rust_name,
            problem: ValidationProblem::Missing,
        });
    }
    Ok(())
}

/// `validate()` of a generated request, from its field table: each field in order, like
/// [`check`] / [`check_list`].
pub fn validate_table(api_id: &'static str, table: &dyn Table) -> Result<(), ValidationError> {
    for (i, field) in table.fields().iter().enumerate() {
        let max = (field.max_length > 0).then_some(usize::from(field.max_length));
        match table.view(i) {
            SlotRef::Opt(value) => {
                check_value(api_id, field, value.checked(), field.required, max)?
            }
            SlotRef::Req(value) => {
                check_value(api_id, field, Some(value.checked()), field.required, max)?
            }
            SlotRef::List(rows) => check_list_len(api_id, field, rows.is_empty())?,
            SlotRef::Values(values) => check_list_len(api_id, field, values.is_empty())?,
            // Rows and objects inside a request are not checked (as before tables).
            SlotRef::Object(_) | SlotRef::Number(_) => {}
        }
    }
    Ok(())
}

fn check_list_len(api_id: &'static str, field: &Field, empty: bool) -> Result<(), ValidationError> {
    if field.required && empty {
        return Err(ValidationError {
            api_id,
            field: field.wire,
            rust_name: field.rust,
            problem: ValidationProblem::Missing,
        });
    }
    Ok(())
}

/// [`check`] for a value behind a `dyn`.
fn check_value(
    api_id: &'static str,
    field: &Field,
    value: Option<&dyn Checked>,
    required: bool,
    max_length: Option<usize>,
) -> Result<(), ValidationError> {
    let problem = |problem| ValidationError {
        api_id,
        field: field.wire,
        rust_name: field.rust,
        problem,
    };
    let Some(value) = value else {
        return if required {
            Err(problem(ValidationProblem::Missing))
        } else {
            Ok(())
        };
    };
    if let Some(reason) = value.invalid_reason() {
        return Err(problem(ValidationProblem::Invalid {
            reason: reason.to_owned(),
        }));
    }
    let wire = value.wire(&field.format);
    if value.is_unknown() {
        return Err(problem(ValidationProblem::UnknownCode {
            code: wire.into_owned(),
        }));
    }
    if required && wire.trim().is_empty() {
        return Err(problem(ValidationProblem::Missing));
    }
    if let Some(max) = max_length {
        let actual = wire.chars().count();
        if actual > max {
            return Err(problem(ValidationProblem::TooLong { max, actual }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_empty_and_too_long_are_refused() {
        let f = Format::PLAIN;
        let empty = String::new();
        let err = check(
            "ka10081",
            "stk_cd",
            "stock_code",
            Some(&empty),
            true,
            Some(20),
            &f,
        )
        .unwrap_err();
        assert_eq!(err.problem, ValidationProblem::Missing);
        assert_eq!(
            err.to_string(),
            "ka10081 request field `stk_cd` (stock_code): required but missing"
        );
        let long = "x".repeat(21);
        let err = check(
            "ka10081",
            "stk_cd",
            "stock_code",
            Some(&long),
            true,
            Some(20),
            &f,
        )
        .unwrap_err();
        assert_eq!(
            err.problem,
            ValidationProblem::TooLong {
                max: 20,
                actual: 21
            }
        );
        assert!(check::<String>("ka10081", "x", "x", None, true, None, &f).is_err());
        assert!(check::<String>("ka10081", "x", "x", None, false, None, &f).is_ok());
        assert!(
            check(
                "ka10081",
                "x",
                "x",
                Some(&"005930".to_owned()),
                true,
                Some(6),
                &f
            )
            .is_ok()
        );
    }
}
