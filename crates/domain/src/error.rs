//! Domain errors: field validation results and rule violations.
//!
//! Waldur reports every bad field of a request at once, so validation collects
//! [`FieldError`]s into one [`ValidationErrors`] instead of stopping at the first.

use std::fmt;

/// One validation message about one value, without the field name (the caller knows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError(String);

impl FieldError {
    /// A message, exactly as the client will read it.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The message text.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// `This field is required.`
    pub fn required() -> Self {
        Self::new("This field is required.")
    }

    /// `This field may not be blank.`
    pub fn blank() -> Self {
        Self::new("This field may not be blank.")
    }

    /// `This field may not be null.`
    pub fn null() -> Self {
        Self::new("This field may not be null.")
    }

    /// `Ensure this field has no more than <n> characters.`
    pub fn too_long(max: usize) -> Self {
        Self::new(format!(
            "Ensure this field has no more than {max} characters."
        ))
    }

    /// `Ensure this value is greater than or equal to <n>.`
    pub fn min_value(min: impl fmt::Display) -> Self {
        Self::new(format!(
            "Ensure this value is greater than or equal to {min}."
        ))
    }

    /// `Ensure this value is less than or equal to <n>.`
    pub fn max_value(max: impl fmt::Display) -> Self {
        Self::new(format!("Ensure this value is less than or equal to {max}."))
    }

    /// `"<value>" is not a valid choice.`
    pub fn invalid_choice(value: &str) -> Self {
        Self::new(format!("\"{value}\" is not a valid choice."))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The messages about one field: a plain list, or per-item lists for list-valued fields
/// (`{"user_email_patterns": {"1": ["Not a valid string."]}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldMessages {
    /// Messages about the field as a whole.
    List(Vec<String>),
    /// Messages about items of a list-valued field, by index (ascending).
    Items(Vec<(usize, Vec<String>)>),
}

/// Field name → messages, in the order the fields were checked (Waldur's serializer order).
/// `non_field_errors` holds object-level rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    entries: Vec<(String, FieldMessages)>,
}

/// The key Waldur uses for object-level (cross-field) messages.
pub const NON_FIELD_ERRORS: &str = "non_field_errors";

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One error on one field.
    pub fn single(field: &str, error: FieldError) -> Self {
        let mut errors = Self::new();
        errors.add(field, error);
        errors
    }

    /// Adds a message to `field`.
    pub fn add(&mut self, field: &str, error: FieldError) {
        match self.entries.iter_mut().find(|(name, _)| name == field) {
            Some((_, FieldMessages::List(messages))) => messages.push(error.0),
            Some((_, entry @ FieldMessages::Items(_))) => {
                *entry = FieldMessages::List(vec![error.0]);
            }
            None => self
                .entries
                .push((field.to_owned(), FieldMessages::List(vec![error.0]))),
        }
    }

    /// Adds a message about item `index` of the list-valued `field`.
    pub fn add_item(&mut self, field: &str, index: usize, error: FieldError) {
        match self.entries.iter_mut().find(|(name, _)| name == field) {
            Some((_, FieldMessages::Items(items))) => {
                match items.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, messages)) => messages.push(error.0),
                    None => {
                        items.push((index, vec![error.0]));
                        items.sort_by_key(|(i, _)| *i);
                    }
                }
            }
            Some((_, FieldMessages::List(_))) => {}
            None => self.entries.push((
                field.to_owned(),
                FieldMessages::Items(vec![(index, vec![error.0])]),
            )),
        }
    }

    /// Records the outcome of a check: `Ok(v)` becomes `Some(v)`, an error is added to `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    /// Moves every entry of `other` into `self`.
    pub fn merge(&mut self, other: ValidationErrors) {
        for (field, messages) in other.entries {
            match messages {
                FieldMessages::List(list) => {
                    for m in list {
                        self.add(&field, FieldError(m));
                    }
                }
                FieldMessages::Items(items) => {
                    for (i, list) in items {
                        for m in list {
                            self.add_item(&field, i, FieldError(m));
                        }
                    }
                }
            }
        }
    }

    /// Reorders the entries by the position of their field in `order` (a serializer's field
    /// order), keeping the relative order of fields it does not list, after the listed
    /// ones: errors collected in several passes then read as DRF reports them.
    pub fn sort_by_field_order(&mut self, order: &[&str]) {
        self.entries.sort_by_key(|(field, _)| {
            order
                .iter()
                .position(|name| name == field)
                .unwrap_or(order.len())
        });
    }

    /// Drops the entries of fields for which `keep` is false.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.entries.retain(|(field, _)| keep(field));
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True when `field` has at least one message.
    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(name, _)| name == field)
    }

    /// The entries, in the order they were first reported.
    pub fn entries(&self) -> &[(String, FieldMessages)] {
        &self.entries
    }

    /// `Ok(value)` when empty, else `Err(self)`.
    ///
    /// # Errors
    /// Returns `self` when any error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}

impl std::error::Error for ValidationErrors {}

/// A business rule that forbids an operation in the object's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Request body validation failed (400 with a field map).
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// A state rule checked outside body validation (400 with a bare list of messages),
    /// e.g. `Blocked organization is not available.`.
    #[error("{0}")]
    Unavailable(String),
    /// The object's state forbids the operation (409), e.g. a customer with active projects.
    #[error("{0}")]
    Conflict(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_follows_the_field_order_and_keeps_unlisted_fields_last() {
        let mut errors = ValidationErrors::new();
        errors.add(NON_FIELD_ERRORS, FieldError::new("x"));
        errors.add("country", FieldError::new("c"));
        errors.add_item("tags", 1, FieldError::new("t"));
        errors.add("name", FieldError::new("n"));
        errors.sort_by_field_order(&["name", "tags", "country"]);
        let fields: Vec<&str> = errors.entries().iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "tags", "country", NON_FIELD_ERRORS]);
    }
}
