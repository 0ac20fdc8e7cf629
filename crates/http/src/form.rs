//! Reading typed values out of a JSON body with DRF's coercions (spec 01 §4.2), collecting
//! every type error into one [`ValidationErrors`].

use chrono::{DateTime, Utc};
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

fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
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

    /// A non-nullable string (numbers are converted; whitespace trimmed).
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            v => string_of(v).or_else(|| {
                self.error(key, "Not a valid string.");
                None
            }),
        }
    }

    /// A string that is not trimmed (passwords).
    pub fn raw_string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => {
                self.errors.add(key, FieldError::null());
                None
            }
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(key, "Not a valid string.");
                None
            }
        }
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
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => {
                let t = s.trim();
                t.parse::<i64>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
            }
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
                        v => match string_of(v) {
                            Some(s) => out.push(s),
                            None => {
                                ok = false;
                                self.errors.add_item(
                                    key,
                                    i,
                                    FieldError::new("Not a valid string."),
                                );
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
