//! Reading typed values out of a JSON body with DRF's coercions (spec 01 §4.2), collecting
//! every type error into one [`ValidationErrors`].

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use uuid::Uuid;

use crate::body::type_name;
use crate::datetime::parse_datetime;

/// A body being read; every accessor returns `None` for an absent key or a bad value (the
/// error is recorded).
#[derive(Debug)]
pub struct Form<'a> {
    map: &'a Map<String, Value>,
    errors: ValidationErrors,
}

const NOT_A_STRING: &str = "Not a valid string.";

/// DRF's message for an unparsable date.
pub const DATE_FORMAT_ERROR: &str =
    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";

/// `YYYY-MM-DD` (spec 01 §6), or `None`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// DRF's `ProhibitNullCharactersValidator`, which every `CharField` runs: PostgreSQL text
/// cannot hold NUL either, so letting one through would end as a 500 at the insert.
const NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// The text of a string-typed value (numbers converted), trimmed unless `raw`, or the
/// message that refuses it.
fn text_of(value: &Value, raw: bool) -> Result<String, &'static str> {
    let text = match value {
        Value::String(s) if raw => s.clone(),
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(NOT_A_STRING),
    };
    if text.contains('\0') {
        return Err(NULL_CHARACTERS);
    }
    Ok(text)
}

/// DRF's `IntegerField` reading of a string: `int(re.sub(r"\.0*\s*$", "", text))`, so
/// `"12"`, `"-3"`, `"+4"` and `"5.0"` are integers, while `"1e3"` and `"1.5"` are not.
/// Values beyond i64 saturate (Python's `int` is unbounded; the bound check reports them).
fn integer_text(text: &str) -> Option<i64> {
    let text = match text.rfind('.') {
        Some(at) if text[at + 1..].bytes().all(|b| b == b'0') => &text[..at],
        _ => text,
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match digits.parse::<i64>() {
        Ok(n) if negative => -n,
        Ok(n) => n,
        Err(_) if negative => i64::MIN,
        Err(_) => i64::MAX,
    })
}

impl<'a> Form<'a> {
    /// Starts reading `map`.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            errors: ValidationErrors::new(),
        }
    }

    /// The errors collected so far.
    pub fn finish(self) -> ValidationErrors {
        self.errors
    }

    /// Whether the key is present.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    fn error(&mut self, key: &str, message: &str) {
        self.errors.add(key, FieldError::new(message));
    }

    /// Adds an error found by the caller.
    pub fn add(&mut self, key: &str, error: FieldError) {
        self.errors.add(key, error);
    }

    fn text(&mut self, key: &str, raw: bool) -> Option<String> {
        match self.map.get(key)? {
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            v => match text_of(v, raw) {
                Ok(text) => Some(text),
                Err(message) => {
                    self.error(key, message);
                    None
                }
            },
        }
    }

    /// A non-nullable string (numbers are converted; whitespace trimmed; NUL refused).
    pub fn string(&mut self, key: &str) -> Option<String> {
        self.text(key, false)
    }

    /// A string that is not trimmed (passwords).
    pub fn raw_string(&mut self, key: &str) -> Option<String> {
        self.text(key, true)
    }

    /// A nullable string.
    pub fn nullable_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.map.get(key)? {
            Value::Null => Some(None),
            _ => self.string(key).map(Some),
        }
    }

    /// A boolean: `true`/`false`, `"true"`/`"false"`/`"1"`/`"0"` (any case), `1`/`0`.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.map.get(key)?;
        let parsed = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            Value::Null => {
                self.errors.add(key, FieldError::null());
                return None;
            }
            _ => None,
        };
        if parsed.is_none() {
            self.error(key, "Must be a valid boolean.");
        }
        parsed
    }

    /// A nullable integer: a JSON integer, an integral float, or a string holding one.
    pub fn nullable_integer(&mut self, key: &str) -> Option<Option<i64>> {
        let value = self.map.get(key)?;
        let parsed = match value {
            Value::Null => return Some(None),
            // An integer beyond i64 (serde gives it as u64) is still an integer: saturate,
            // so the field's bound reports it, as Python's unbounded `int` would.
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_u64().map(|_| i64::MAX))
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                }),
            Value::String(s) => integer_text(s.trim()),
            _ => None,
        };
        match parsed {
            Some(v) => Some(Some(v)),
            None => {
                self.error(key, "A valid integer is required.");
                None
            }
        }
    }

    /// A nullable float: a JSON number or a numeric string.
    pub fn nullable_number(&mut self, key: &str) -> Option<Option<f64>> {
        let value = self.map.get(key)?;
        let parsed = match value {
            Value::Null => return Some(None),
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        };
        match parsed {
            Some(v) => Some(Some(v)),
            None => {
                self.error(key, "A valid number is required.");
                None
            }
        }
    }

    /// Decimal text as sent (a number's JSON text, or a trimmed string).
    pub fn decimal_text(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            _ => {
                self.error(key, "A valid number is required.");
                None
            }
        }
    }

    /// A date-time (spec 01 §6 input rules).
    pub fn datetime(&mut self, key: &str) -> Option<DateTime<Utc>> {
        match self.map.get(key)? {
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            Value::String(s) => parse_datetime(s.trim()).or_else(|| {
                self.error(key, crate::datetime::DATETIME_FORMAT_ERROR);
                None
            }),
            _ => {
                self.error(key, crate::datetime::DATETIME_FORMAT_ERROR);
                None
            }
        }
    }

    /// A nullable date `YYYY-MM-DD`.
    pub fn nullable_date(&mut self, key: &str) -> Option<Option<NaiveDate>> {
        match self.map.get(key)? {
            Value::Null => Some(None),
            Value::String(s) => match parse_date(s.trim()) {
                Some(d) => Some(Some(d)),
                None => {
                    self.error(key, DATE_FORMAT_ERROR);
                    None
                }
            },
            _ => {
                self.error(key, DATE_FORMAT_ERROR);
                None
            }
        }
    }

    /// A nullable UUID in any accepted form (spec 01 §5.1).
    pub fn nullable_uuid(&mut self, key: &str) -> Option<Option<Uuid>> {
        match self.map.get(key)? {
            Value::Null => Some(None),
            Value::String(s) => match tenancy_domain::validate::uuid::parse_uuid(s.trim()) {
                Some(u) => Some(Some(u)),
                None => {
                    self.error(key, "Must be a valid UUID.");
                    None
                }
            },
            _ => {
                self.error(key, "Must be a valid UUID.");
                None
            }
        }
    }

    /// A list of strings; item errors are keyed by index.
    pub fn string_list(&mut self, key: &str) -> Option<Vec<String>> {
        match self.map.get(key)? {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Null => {
                            ok = false;
                            self.errors.add_item(key, i, FieldError::null());
                        }
                        v => match text_of(v, false) {
                            Ok(s) => out.push(s),
                            Err(message) => {
                                ok = false;
                                self.errors.add_item(key, i, FieldError::new(message));
                            }
                        },
                    }
                }
                ok.then_some(out)
            }
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            other => {
                let message = format!(
                    "Expected a list of items but got type \"{}\".",
                    type_name(other)
                );
                self.error(key, &message);
                None
            }
        }
    }

    /// The raw value of `key`.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form_of(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn strings_are_trimmed_and_numbers_converted() {
        let map = form_of(json!({"a": "  x ", "b": 12, "c": true, "d": null}));
        let mut f = Form::new(&map);
        assert_eq!(f.string("a").as_deref(), Some("x"));
        assert_eq!(f.string("b").as_deref(), Some("12"));
        assert_eq!(f.string("c"), None);
        assert_eq!(f.string("d"), None);
        assert_eq!(f.string("absent"), None);
        let errors = f.finish();
        assert!(errors.has("c") && errors.has("d") && !errors.has("absent"));
    }

    #[test]
    fn nul_characters_are_refused_in_strings_and_list_items() {
        let map = form_of(json!({"a": "x\u{0}y", "l": ["ok", "\u{0}"], "p": " \u{0} "}));
        let mut f = Form::new(&map);
        assert_eq!(f.string("a"), None);
        assert_eq!(f.string_list("l"), None);
        assert_eq!(f.raw_string("p"), None);
        let rendered = crate::error::field_map(&f.finish());
        assert_eq!(rendered["a"][0], NULL_CHARACTERS);
        assert_eq!(rendered["l"]["1"][0], NULL_CHARACTERS);
        assert_eq!(rendered["p"][0], NULL_CHARACTERS);
    }

    #[test]
    fn booleans_and_integers_coerce_like_drf() {
        let map = form_of(json!({"a": "TRUE", "b": 0, "c": "yes", "i": "12", "j": 1.0, "k": 1.5}));
        let mut f = Form::new(&map);
        assert_eq!(f.boolean("a"), Some(true));
        assert_eq!(f.boolean("b"), Some(false));
        assert_eq!(f.boolean("c"), None);
        assert_eq!(f.nullable_integer("i"), Some(Some(12)));
        assert_eq!(f.nullable_integer("j"), Some(Some(1)));
        assert_eq!(f.nullable_integer("k"), None);
    }

    #[test]
    fn integer_strings_follow_drf() {
        for (text, expected) in [
            ("12", Some(12)),
            ("-3", Some(-3)),
            ("+4", Some(4)),
            ("5.0", Some(5)),
            ("6.", Some(6)),
            ("99999999999999999999", Some(i64::MAX)),
            ("-99999999999999999999", Some(i64::MIN)),
            ("1e3", None),
            ("1.5", None),
            ("", None),
            (".", None),
            ("--1", None),
        ] {
            assert_eq!(integer_text(text), expected, "{text}");
        }
    }

    #[test]
    fn dates_are_strict_iso() {
        assert_eq!(
            parse_date("2026-04-01"),
            NaiveDate::from_ymd_opt(2026, 4, 1)
        );
        for bad in [
            "2026-4-01",
            "2026-02-30",
            "20260401",
            "2026-04-01T00:00",
            "",
            "٢٠٢٦-04-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        let map = form_of(json!({"a": "2026-13-01", "b": null, "c": 5}));
        let mut f = Form::new(&map);
        assert_eq!(f.nullable_date("a"), None);
        assert_eq!(f.nullable_date("b"), Some(None));
        assert_eq!(f.nullable_date("c"), None);
        let rendered = crate::error::field_map(&f.finish());
        assert_eq!(rendered["a"][0], DATE_FORMAT_ERROR);
        assert_eq!(rendered["c"][0], DATE_FORMAT_ERROR);
    }

    #[test]
    fn list_items_are_reported_by_index() {
        let map = form_of(json!({"l": ["a", true], "m": "x"}));
        let mut f = Form::new(&map);
        assert_eq!(f.string_list("l"), None);
        assert_eq!(f.string_list("m"), None);
        let errors = f.finish();
        let rendered = crate::error::field_map(&errors);
        assert_eq!(rendered["l"]["1"][0], "Not a valid string.");
        assert_eq!(
            rendered["m"][0],
            "Expected a list of items but got type \"str\"."
        );
    }
}
