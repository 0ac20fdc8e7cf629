//! Fixed-point decimals with DRF `DecimalField` semantics (01 §4.2, §6; 02 §2.2
//! `default_tax_percent`).

use crate::error::FieldError;

/// DRF's `DecimalField.MAX_STRING_LENGTH`.
const MAX_STRING_CHARS: usize = 1000;

/// `A valid number is required.`
fn invalid() -> FieldError {
    FieldError::new("A valid number is required.")
}

/// The digits and exponent of a decimal as Python's `Decimal(text).as_tuple()` has them.
struct Parsed {
    negative: bool,
    /// The coefficient's digits without leading zeros (`"0"` for zero).
    digits: String,
    exponent: i64,
}

/// Python's `Decimal(str)` grammar: optional sign, digits with an optional `.` (at least
/// one digit in all), optional `e`/`E` exponent with optional sign. ASCII digits only;
/// `NaN`, `Infinity` and underscores are refused (DRF refuses the first two anyway).
fn parse_decimal(text: &str) -> Option<Parsed> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part) {
        return None;
    }
    let exponent = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if unsigned.is_empty() || !all_digits(unsigned) {
                return None;
            }
            // Beyond ±10^15 no field could accept the value anyway; saturate.
            let magnitude = unsigned.trim_start_matches('0');
            let value: i64 = if magnitude.len() > 15 {
                1_000_000_000_000_000
            } else {
                magnitude.parse().unwrap_or(0)
            };
            if e.starts_with('-') {
                -value
            } else {
                value
            }
        }
    };
    let fraction_len = i64::try_from(frac_part.len()).ok()?;
    let coefficient = format!("{int_part}{frac_part}");
    let trimmed = coefficient.trim_start_matches('0');
    Some(Parsed {
        negative,
        digits: if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        },
        exponent: exponent - fraction_len,
    })
}

/// Parses a decimal and returns it scaled by 10^`decimal_places` (`"12.5"` with 2 places
/// is `1250`).
///
/// The text is trimmed first. The digit rules are DRF's `validate_precision`, on the digits
/// as given: leading zeros of the integer part do not count, trailing zeros of the fraction
/// do (`"1.500"` has 3 decimal places); `"0.05"` counts as 2 digits in total. Exponent forms
/// (`"1.5e1"`) are accepted as Python's `Decimal` does. `max_digits` must be at most 18 so
/// that the result fits an `i64`.
///
/// ```
/// use tenancy_domain::validate::decimal::parse_fixed_decimal;
/// assert_eq!(parse_fixed_decimal("12.5", 5, 2), Ok(1250));
/// assert_eq!(
///     parse_fixed_decimal("1.500", 5, 2).unwrap_err().message(),
///     "Ensure that there are no more than 2 decimal places."
/// );
/// ```
///
/// # Errors
/// The first failing of, in DRF's order: `A valid number is required.` (also for more
/// than 1000 characters, where DRF says `String value too large.`); `Ensure that there are
/// no more than <max_digits> digits in total.`; `Ensure that there are no more than
/// <decimal_places> decimal places.`; `Ensure that there are no more than <max_digits -
/// decimal_places> digits before the decimal point.`
pub fn parse_fixed_decimal(
    text: &str,
    max_digits: u32,
    decimal_places: u32,
) -> Result<i64, FieldError> {
    let text = text.trim();
    if text.chars().count() > MAX_STRING_CHARS {
        return Err(FieldError::new("String value too large."));
    }
    let parsed = parse_decimal(text).ok_or_else(invalid)?;
    let n_digits = i64::try_from(parsed.digits.len()).map_err(|_| invalid())?;
    let (total, whole, places) = if parsed.exponent >= 0 {
        let total = n_digits.saturating_add(parsed.exponent);
        (total, total, 0)
    } else if n_digits > -parsed.exponent {
        (n_digits, n_digits + parsed.exponent, -parsed.exponent)
    } else {
        (-parsed.exponent, 0, -parsed.exponent)
    };
    if total > i64::from(max_digits) {
        return Err(FieldError::new(format!(
            "Ensure that there are no more than {max_digits} digits in total."
        )));
    }
    if places > i64::from(decimal_places) {
        return Err(FieldError::new(format!(
            "Ensure that there are no more than {decimal_places} decimal places."
        )));
    }
    let max_whole = max_digits.saturating_sub(decimal_places);
    if whole > i64::from(max_whole) {
        return Err(FieldError::new(format!(
            "Ensure that there are no more than {max_whole} digits before the decimal point."
        )));
    }
    // Now at most `max_digits` significant digits remain: scale exactly.
    let shift =
        u32::try_from(parsed.exponent + i64::from(decimal_places)).map_err(|_| invalid())?;
    let coefficient: i64 = parsed.digits.parse().map_err(|_| invalid())?;
    let magnitude = 10_i64
        .checked_pow(shift)
        .and_then(|factor| coefficient.checked_mul(factor))
        .ok_or_else(invalid)?;
    Ok(if parsed.negative {
        -magnitude
    } else {
        magnitude
    })
}

/// Formats a scaled value with exactly `decimal_places` decimals, as Waldur emits decimals
/// (`format_fixed_decimal(0, 2)` is `"0.00"`, `format_fixed_decimal(-5, 2)` is `"-0.05"`).
pub fn format_fixed_decimal(scaled: i64, decimal_places: u32) -> String {
    let sign = if scaled < 0 { "-" } else { "" };
    let digits = scaled.unsigned_abs().to_string();
    let places = decimal_places as usize;
    if places == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (whole, fraction) = padded.split_at(padded.len() - places);
    format!("{sign}{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<i64, String> {
        parse_fixed_decimal(text, 5, 2).map_err(|e| e.message().to_owned())
    }

    const TOTAL: &str = "Ensure that there are no more than 5 digits in total.";
    const PLACES: &str = "Ensure that there are no more than 2 decimal places.";
    const WHOLE: &str = "Ensure that there are no more than 3 digits before the decimal point.";
    const INVALID: &str = "A valid number is required.";

    #[test]
    fn accepts_numbers_in_range() {
        for (text, scaled) in [
            ("0", 0),
            ("12.5", 1250),
            ("12.50", 1250),
            ("200", 20000),
            ("+1", 100),
            ("-0.05", -5),
            ("-0", 0),
            ("007.25", 725),
            (".5", 50),
            ("5.", 500),
            (" 3.14 ", 314),
            ("999.99", 99999),
            ("1e2", 10000),
            ("1.5E+1", 1500),
            ("25e-2", 25),
            ("0.00", 0),
            ("000", 0),
        ] {
            assert_eq!(parse(text), Ok(scaled), "{text}");
        }
    }

    #[test]
    fn rejects_non_numbers() {
        for text in [
            "", "abc", "1,5", "1.2.3", "--1", "+-1", ".", "e5", "1e", "1e+", "NaN", "inf",
            "Infinity", "1_000", "١", "0x10", "1 2",
        ] {
            assert_eq!(parse(text), Err(INVALID.to_owned()), "{text:?}");
        }
        let long = "1".repeat(1001);
        assert_eq!(parse(&long), Err("String value too large.".to_owned()));
    }

    #[test]
    fn digit_rules_in_drf_order() {
        assert_eq!(parse("123456"), Err(TOTAL.to_owned()));
        assert_eq!(parse("1.500"), Err(PLACES.to_owned()));
        assert_eq!(parse("0.001"), Err(PLACES.to_owned()));
        assert_eq!(parse("1234.5"), Err(WHOLE.to_owned()));
        assert_eq!(parse("1234"), Err(WHOLE.to_owned()));
        assert_eq!(parse("1e3"), Err(WHOLE.to_owned()));
        assert_eq!(parse("1e5"), Err(TOTAL.to_owned()));
        assert_eq!(parse("1e999999999999999999999"), Err(TOTAL.to_owned()));
        assert_eq!(parse("1e-999999999999999999999"), Err(TOTAL.to_owned()));
        // 6 digits in total beats 3 decimal places.
        assert_eq!(parse("123.456"), Err(TOTAL.to_owned()));
        // 0.000001 counts 6 digits (all places), so the total message comes first.
        assert_eq!(parse("0.000001"), Err(TOTAL.to_owned()));
        // Leading zeros of the integer part do not count.
        assert_eq!(parse("000000012.34"), Ok(1234));
    }

    #[test]
    fn other_precisions() {
        assert_eq!(parse_fixed_decimal("42", 18, 0), Ok(42));
        assert_eq!(
            parse_fixed_decimal("999999999999999999", 18, 0),
            Ok(999_999_999_999_999_999)
        );
        assert_eq!(
            parse_fixed_decimal("-1.234567", 10, 6).map_err(|e| e.to_string()),
            Ok(-1_234_567)
        );
    }

    #[test]
    fn formats_fixed_places() {
        assert_eq!(format_fixed_decimal(0, 2), "0.00");
        assert_eq!(format_fixed_decimal(1250, 2), "12.50");
        assert_eq!(format_fixed_decimal(5, 2), "0.05");
        assert_eq!(format_fixed_decimal(-5, 2), "-0.05");
        assert_eq!(format_fixed_decimal(-12345, 2), "-123.45");
        assert_eq!(format_fixed_decimal(20000, 2), "200.00");
        assert_eq!(format_fixed_decimal(7, 0), "7");
        assert_eq!(format_fixed_decimal(i64::MIN, 2), "-92233720368547758.08");
    }
}
