//! User names (06 §1.1 `username`).

use crate::error::FieldError;

/// The model's `max_length`.
pub const MAX_USERNAME_CHARS: usize = 128;

/// A user name: at most 128 characters from `a–z 0–9 @ . + - _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// Parses a user name (Waldur's `^[0-9a-z_.@+-]+$`, at most 128 characters).
    ///
    /// One message is returned even when both rules fail: the format message first, as
    /// DRF runs the model's regex validator before the length validator.
    ///
    /// ```
    /// use tenancy_domain::validate::username::Username;
    /// assert!(Username::parse("alice.smith+test@example.org").is_ok());
    /// assert!(Username::parse("Alice").is_err());
    /// ```
    ///
    /// # Errors
    /// `Enter a valid username.` for a character outside the set (upper-case letters
    /// included); `Ensure this field has no more than 128 characters.` when too long.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let valid_chars = !text.is_empty()
            && text.chars().all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, '@' | '.' | '+' | '-' | '_')
            });
        if !valid_chars {
            return Err(FieldError::new("Enter a valid username."));
        }
        if text.chars().count() > MAX_USERNAME_CHARS {
            return Err(FieldError::too_long(MAX_USERNAME_CHARS));
        }
        Ok(Self(text.to_owned()))
    }

    /// The user name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_allowed_characters() {
        for ok in ["alice", "a.b+c-d_e@f", "007", "_", &"a".repeat(128)] {
            assert_eq!(Username::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_other_characters() {
        for bad in ["Alice", "al ice", "alice!", "jürgen", "a/b", "ａ", ""] {
            assert_eq!(
                Username::parse(bad).unwrap_err().message(),
                "Enter a valid username."
            );
        }
    }

    #[test]
    fn rejects_long_names() {
        assert_eq!(
            Username::parse(&"a".repeat(129)).unwrap_err().message(),
            "Ensure this field has no more than 128 characters."
        );
        // Both rules fail: the format message wins.
        assert_eq!(
            Username::parse(&"A".repeat(129)).unwrap_err().message(),
            "Enter a valid username."
        );
    }
}
