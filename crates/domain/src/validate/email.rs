//! E-mail addresses (Django's `EmailValidator`, 02 §2.2) and comma-separated lists of them.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::FieldError;

/// `Enter a valid email address.`
const INVALID_EMAIL: &str = "Enter a valid email address.";

/// Django rejects longer values outright (a guard against slow regex matching).
const MAX_EMAIL_CHARS: usize = 320;

/// Django's `user_regex`: a dot-atom, or a quoted string.
static USER_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$",
        r#"|^"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$)"#,
    ))
    .ok()
});

/// Django's `domain_regex` without its final `(?<!-)`, which `regex` cannot express; the
/// caller checks that the name does not end with `-`.
static DOMAIN_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z0-9-]{2,63}$").ok()
});

/// Django's `literal_regex`: a bracketed address, checked as IPv4/IPv6 afterwards.
static LITERAL_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)^\[([A-F0-9:.]+)\]$").ok());

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(text))
}

/// A syntactically valid e-mail address, kept exactly as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address by Django's `EmailValidator` rules.
    ///
    /// The address splits at its **last** `@` (so a quoted local part may contain `@`). The
    /// local part is a dot-atom of ``[-!#$%&'*+/=?^_`{}|~0-9A-Z]`` (any case) or a quoted
    /// string. The domain is `localhost`, dot-separated labels whose last label has 2–63
    /// characters and does not end with `-`, or a bracketed IPv4/IPv6 literal
    /// (`[192.0.2.1]`, `[2001:db8::1]`). A non-ASCII domain is converted to punycode (IDNA)
    /// and checked again, as Django does. Values longer than 320 characters are invalid.
    ///
    /// ```
    /// use tenancy_domain::validate::email::Email;
    /// assert!(Email::parse("alice@example.com").is_ok());
    /// assert!(Email::parse("alice@example").is_err());
    /// ```
    ///
    /// # Errors
    /// `Enter a valid email address.` when the text is not an address.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        if is_valid_email(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(FieldError::new(INVALID_EMAIL))
        }
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `text` is an address by the rules of [`Email::parse`].
pub fn is_valid_email(text: &str) -> bool {
    if text.is_empty() || text.chars().count() > MAX_EMAIL_CHARS {
        return false;
    }
    let Some((user, domain)) = text.rsplit_once('@') else {
        return false;
    };
    if !matches(&USER_RE, user) {
        return false;
    }
    if domain == "localhost" || is_valid_domain_part(domain) {
        return true;
    }
    // Django retries with the IDNA (punycode) form; only a non-ASCII name can change
    // meaningfully, so ASCII names are not re-encoded (UTS 46 would merely lower-case them).
    if domain.is_ascii() {
        return false;
    }
    let ascii = ::url::quirks::domain_to_ascii(domain);
    !ascii.is_empty() && is_valid_domain_part(&ascii)
}

fn is_valid_domain_part(domain: &str) -> bool {
    if matches(&DOMAIN_RE, domain) && !domain.ends_with('-') {
        return true;
    }
    if !matches(&LITERAL_RE, domain) {
        return false;
    }
    let inner = &domain[1..domain.len() - 1];
    inner.parse::<Ipv4Addr>().is_ok() || inner.parse::<Ipv6Addr>().is_ok()
}

/// The `notification_emails` field: a comma-separated list of addresses (02 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEmails {
    text: String,
    emails: Vec<Email>,
}

impl NotificationEmails {
    /// Parses a comma-separated list. Items are trimmed and empty items are skipped, so
    /// `"a@example.com, ,b@example.com,"` holds two addresses; a text with no items at all
    /// is a valid empty list.
    ///
    /// # Errors
    /// `Invalid email address: <item>` naming the first item that is not an address.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let mut emails = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match Email::parse(item) {
                Ok(email) => emails.push(email),
                Err(_) => {
                    return Err(FieldError::new(format!("Invalid email address: {item}")));
                }
            }
        }
        Ok(Self {
            text: text.to_owned(),
            emails,
        })
    }

    /// The text as given (what is stored).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The addresses, in the order given.
    pub fn emails(&self) -> &[Email] {
        &self.emails
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(USER_RE.is_some());
        assert!(DOMAIN_RE.is_some());
        assert!(LITERAL_RE.is_some());
    }

    #[test]
    fn accepts_django_valid_addresses() {
        let long_tld = format!("example@atm.{}", "a".repeat(63));
        for ok in [
            long_tld.as_str(),
            "email@here.com",
            "weirder-email@here.and.there.com",
            "email@[127.0.0.1]",
            "email@[2001:dB8::1]",
            "email@[2001:dB8:0:0:0:0:0:1]",
            "email@[::fffF:127.0.0.1]",
            "example@valid-----hyphens.com",
            "example@valid-with-hyphens.com",
            "test@domain.with.idn.tld.उदाहरण.परीक्षा",
            "email@localhost",
            "\"test@test\"@example.com",
            "\"\\\u{0B}\"@here.com",
            "a.b+c_d!#$%&'*/=?^`{|}~@EXAMPLE.COM",
            "user@bücher.de",
            "x@a.b1",
            "x@xn--bcher-kva.de",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_django_invalid_addresses() {
        let long_label = format!("a@{}.com", "a".repeat(64));
        let too_long = format!("{}@example.com", "a".repeat(310));
        for bad in [
            "",
            "abc",
            "abc@",
            "abc@bar",
            "a @x.cz",
            "abc@.com",
            "something@@somewhere.com",
            "email@127.0.0.1",
            "email@[127.0.0.256]",
            "email@[2001:db8::12345]",
            "email@[2001:db8:0:0:0:0:1:2:3]",
            "email@[::ffff:127.0.0.256]",
            "email@[2001:dg8::1]",
            "email@[2001:dG8:0:0:0:0:0:1]",
            "email@[::fTzF:127.0.0.1]",
            "example@invalid-.com",
            "example@-invalid.com",
            "example@invalid.com-",
            "example@inv-.alid-.com",
            "example@inv-.-alid.com",
            "test@example.com\n\n<script src=\"x.js\">",
            "\"\\\n\"@here.com",
            "trailingdot@shouldfail.com.",
            "a@b.c",
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "user@LOCALHOST",
            "email@[01.2.3.4]",
            long_label.as_str(),
            too_long.as_str(),
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn parse_reports_the_waldur_message() {
        let err = Email::parse("not-an-email").unwrap_err();
        assert_eq!(err.message(), "Enter a valid email address.");
        assert_eq!(
            Email::parse("a@example.com").unwrap().as_str(),
            "a@example.com"
        );
    }

    #[test]
    fn notification_emails_skip_empty_items() {
        let list = NotificationEmails::parse(" a@example.com, ,b@example.org,").unwrap();
        let got: Vec<&str> = list.emails().iter().map(Email::as_str).collect();
        assert_eq!(got, ["a@example.com", "b@example.org"]);
        assert_eq!(list.as_str(), " a@example.com, ,b@example.org,");
        assert!(NotificationEmails::parse(",, ,")
            .unwrap()
            .emails()
            .is_empty());
    }

    #[test]
    fn notification_emails_report_first_bad_item_trimmed() {
        let err = NotificationEmails::parse("a@example.com,  bad one , worse").unwrap_err();
        assert_eq!(err.message(), "Invalid email address: bad one");
    }
}
