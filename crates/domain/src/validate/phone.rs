//! Phone numbers (02 §2.2 `phone_number`, 06 §1.1).

use crate::error::FieldError;

/// `Invalid phone number format.`
const INVALID_PHONE: &str = "Invalid phone number format.";

/// A phone number of the loose shape Waldur accepts, kept exactly as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses an optional leading `+` followed by one or more of: ASCII digits, space, `-`,
    /// `(`, `)` (Waldur's `^\+?[\d \-\(\)]+$`, with `\d` narrowed to ASCII digits).
    ///
    /// ```
    /// use tenancy_domain::validate::phone::PhoneNumber;
    /// assert!(PhoneNumber::parse("+372 (5) 123-4567").is_ok());
    /// assert!(PhoneNumber::parse("call me").is_err());
    /// ```
    ///
    /// # Errors
    /// `Invalid phone number format.` for anything else.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let body = text.strip_prefix('+').unwrap_or(text);
        let valid = !body.is_empty()
            && body
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(FieldError::new(INVALID_PHONE))
        }
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_characters() {
        for ok in [
            "+3725551234",
            "555 12 34",
            "(555) 123-4567",
            "+1 (800) 555-0199",
            "-",
            "+()",
            "0",
        ] {
            assert_eq!(PhoneNumber::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "+",
            "++1",
            "1+2",
            "555.1234",
            "ext. 5",
            "12a",
            "１２３",
            "1\t2",
            "+ 1\n",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad).unwrap_err().message(),
                "Invalid phone number format."
            );
        }
    }
}
