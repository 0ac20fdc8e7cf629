//! Slugs: generation from names (02 §5.1) and staff-supplied values (02 §2.2 `slug`).

use unicode_normalization::UnicodeNormalization;

use super::is_python_space;
use crate::error::FieldError;

/// The model's `max_length` for slugs.
pub const MAX_SLUG_CHARS: usize = 50;

/// Waldur's `SLUG_NAME_LIMIT`: generated slugs keep this many characters of the name.
pub const SLUG_BASE_CHARS: usize = 8;

/// Django's `slugify` (without `allow_unicode`): decompose (NFKD) and drop every non-ASCII
/// character; lower-case; delete every character that is not a letter, digit, `_`, `-` or
/// whitespace; replace each run of whitespace and/or hyphens by one `-`; strip `-` and `_`
/// from both ends.
///
/// ```
/// use tenancy_domain::validate::slug::slugify;
/// assert_eq!(slugify(" Jürgen's  Café -- Ünit_ "), "jurgens-cafe-unit");
/// assert_eq!(slugify("Привет"), "");
/// ```
pub fn slugify(text: &str) -> String {
    let kept: String = text
        .nfkd()
        .filter(char::is_ascii)
        .map(|c| c.to_ascii_lowercase())
        .filter(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || is_python_space(c))
        .collect();
    let mut out = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.chars() {
        if c == '-' || is_python_space(c) {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim_matches(|c| c == '-' || c == '_').to_owned()
}

/// Step 2 of 02 §5.1: the first 8 characters of `slugify(name)` (they may end with `-`),
/// or `fallback` when that is empty (`customer`, `user`, `project` per resource).
///
/// ```
/// use tenancy_domain::validate::slug::slug_base;
/// assert_eq!(slug_base("Capture Org", "customer"), "capture-");
/// assert_eq!(slug_base("東京", "customer"), "customer");
/// ```
pub fn slug_base(name: &str, fallback: &str) -> String {
    let slug = slugify(name);
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug.chars().take(SLUG_BASE_CHARS).collect()
    }
}

/// Step 3 of 02 §5.1: 1 + the largest N such that an existing slug starts with `base` and
/// the text after its last `-` is the decimal number N; 1 when there is none.
///
/// As in Waldur (`int(slug.split("-")[-1])`), a slug without any `-` counts with its whole
/// text. N must be ASCII digits that fit a `u64`; other slugs are ignored.
///
/// ```
/// use tenancy_domain::validate::slug::next_slug_number;
/// assert_eq!(next_slug_number("alpha-al", ["alpha-al-1", "alpha-al-22", "alpha-al-x"]), 23);
/// assert_eq!(next_slug_number("capture-", []), 1);
/// ```
pub fn next_slug_number<'a>(base: &str, existing: impl IntoIterator<Item = &'a str>) -> u64 {
    existing
        .into_iter()
        .filter(|slug| slug.starts_with(base))
        .filter_map(|slug| {
            let tail = slug.rsplit('-').next().unwrap_or(slug);
            let digits = !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit());
            if digits {
                tail.parse::<u64>().ok()
            } else {
                None
            }
        })
        .max()
        .map_or(1, |n| n.saturating_add(1))
}

/// Step 4 of 02 §5.1: `base-number`.
///
/// ```
/// use tenancy_domain::validate::slug::generated_slug;
/// assert_eq!(generated_slug("capture-", 1), "capture--1");
/// ```
pub fn generated_slug(base: &str, number: u64) -> String {
    format!("{base}-{number}")
}

/// A staff-supplied slug: at most 50 characters from `a–z A–Z 0–9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Parses a non-blank slug.
    ///
    /// When both rules fail only the format message is returned (Decision: it says more;
    /// DRF would list both).
    ///
    /// ```
    /// use tenancy_domain::validate::slug::Slug;
    /// assert!(Slug::parse("my_Org-2").is_ok());
    /// assert!(Slug::parse("my org").is_err());
    /// ```
    ///
    /// # Errors
    /// `Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.` for a
    /// character outside the set; `Ensure this field has no more than 50 characters.` when
    /// longer than 50.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let valid_chars = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_chars {
            return Err(FieldError::new(
                "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.",
            ));
        }
        if text.chars().count() > MAX_SLUG_CHARS {
            return Err(FieldError::too_long(MAX_SLUG_CHARS));
        }
        Ok(Self(text.to_owned()))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_matches_django() {
        for (name, slug) in [
            ("Hello World", "hello-world"),
            ("Capture Org", "capture-org"),
            ("Alpha Alpha Center 00808", "alpha-alpha-center-00808"),
            (" Jürgen's  Café ", "jurgens-cafe"),
            ("--a--b--", "a-b"),
            ("_a_", "a"),
            ("__-a-__", "a"),
            ("a - _ b", "a-_-b"),
            ("a\t\n b", "a-b"),
            ("a\u{1c}b", "a-b"),
            ("ﬁle Ⅻ", "file-xii"),
            ("Ǆemal", "dzemal"),
            ("100% sure!", "100-sure"),
            ("a.b,c", "abc"),
            ("Привет", ""),
            ("   ", ""),
            ("a\u{a0}b", "a-b"),
        ] {
            assert_eq!(slugify(name), slug, "{name:?}");
        }
    }

    #[test]
    fn spec_examples() {
        let base = slug_base("Capture Org", "customer");
        assert_eq!(base, "capture-");
        assert_eq!(
            generated_slug(&base, next_slug_number(&base, [])),
            "capture--1"
        );

        let base = slug_base("Alpha Alpha Center 00808", "customer");
        assert_eq!(base, "alpha-al");
        assert_eq!(
            generated_slug(&base, next_slug_number(&base, [])),
            "alpha-al-1"
        );

        let existing: Vec<String> = (1..=22).map(|n| format!("alpha-al-{n}")).collect();
        let n = next_slug_number(&base, existing.iter().map(String::as_str));
        assert_eq!(generated_slug(&base, n), "alpha-al-23");
    }

    #[test]
    fn empty_base_uses_the_fallback() {
        assert_eq!(slug_base("Тест", "customer"), "customer");
        assert_eq!(slug_base("!!!", "project"), "project");
        assert_eq!(slug_base("ab", "user"), "ab");
    }

    #[test]
    fn numbering_uses_the_text_after_the_last_hyphen() {
        assert_eq!(
            next_slug_number("abc", ["abc-7", "abc-def-9", "abc-x", "xabc-100"]),
            10
        );
        assert_eq!(
            next_slug_number("abc", ["abc-", "abc-1a", "abc-+5", "ABC-50"]),
            1
        );
        assert_eq!(next_slug_number("12", ["12345"]), 12346);
        assert_eq!(next_slug_number("abc", ["abc-99999999999999999999999"]), 1);
        assert_eq!(next_slug_number("", ["x-4", "y-2"]), 5);
        assert_eq!(
            next_slug_number("abc", ["abc-18446744073709551615"]),
            u64::MAX
        );
    }

    #[test]
    fn slug_parse() {
        assert_eq!(Slug::parse("Aa_0-z").unwrap().as_str(), "Aa_0-z");
        assert!(Slug::parse(&"a".repeat(50)).is_ok());
        let format =
            "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.";
        for bad in ["a b", "ä", "a.b", "a/b", ""] {
            assert_eq!(Slug::parse(bad).unwrap_err().message(), format);
        }
        assert_eq!(
            Slug::parse(&"a".repeat(51)).unwrap_err().message(),
            "Ensure this field has no more than 50 characters."
        );
        assert_eq!(Slug::parse(&"ä".repeat(51)).unwrap_err().message(), format);
    }
}
