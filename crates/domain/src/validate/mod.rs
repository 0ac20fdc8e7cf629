//! Value objects and checks for single request fields, with Waldur's exact messages.
//!
//! Every value object here is a newtype with a private field and a `parse` constructor
//! that returns the value or a [`FieldError`](crate::error::FieldError): once you hold an
//! [`email::Email`], it is a valid address. Nothing here does IO.
//!
//! Unless a constructor says otherwise it receives **trimmed, non-blank** text: trimming,
//! blank handling and length limits of the field (01 §4.2, 02 §2.2) belong to the caller,
//! because they differ per field while the format rules do not.

pub mod cidr;
mod countries_table;
pub mod country;
pub mod decimal;
pub mod email;
mod format_string;
pub mod patterns;
pub mod phone;
pub mod slug;
pub mod template;
pub mod url;
pub mod username;
pub mod uuid;
pub mod vat;

/// Python's `str.isspace()` for one character, as far as it differs from Rust's
/// [`char::is_whitespace`]: Python also counts the information separators U+001C–U+001F.
///
/// Django's validators and `slugify` use `\s`, which in Python means this set.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}
