//! The customer's `user_email_patterns` (02 §2.2): regular expressions that e-mail
//! addresses are matched against (03 §5.6).

use regex::Regex;
use regex_syntax::ast::{self, Ast, RepetitionKind, RepetitionRange};

use crate::error::FieldError;

/// Longer patterns are refused as potentially slow (02 §2.2, inferred limit).
pub const MAX_PATTERN_CHARS: usize = 256;

/// Items longer than this many bytes are not compiled at all (they are too long anyway).
const COMPILE_LIMIT_BYTES: usize = 4096;

/// Upper bound of one compiled pattern, so validation stays cheap.
const COMPILED_SIZE_LIMIT: usize = 1 << 20;

/// A list of valid, safe regular expressions.
#[derive(Debug, Clone)]
pub struct EmailPatterns {
    patterns: Vec<(String, Regex)>,
}

impl PartialEq for EmailPatterns {
    fn eq(&self, other: &Self) -> bool {
        self.as_strs().eq(other.as_strs())
    }
}

impl Eq for EmailPatterns {}

impl EmailPatterns {
    /// Parses the list.
    ///
    /// First every item must be non-empty and compile with this service's regex engine
    /// (the `regex` crate: no look-around or back-references, 02 §2.2). If any fails, the
    /// error names all the failing items and nothing else is checked. Then every item must
    /// be at most 256 characters and free of nested quantifiers: a quantifier that may
    /// repeat more than once (`*`, `+`, `{m,}`, `{m,n}` with n > 1) applied to something
    /// that itself contains a variable quantifier (`?`, `*`, `+`, `{m,}`, `{m,n}` with
    /// m < n), e.g. `(a+)+`, `(a*)*`, `(\w+\s?)*`, `(a?){2,}`.
    ///
    /// ```
    /// use tenancy_domain::validate::patterns::EmailPatterns;
    /// let ok = EmailPatterns::parse(&[r".*@example\.com".to_owned()]).unwrap();
    /// assert!(ok.matches_any("alice@example.com"));
    /// let err = EmailPatterns::parse(&["(".to_owned(), "[".to_owned()]).unwrap_err();
    /// assert_eq!(err.message(), "Invalid regex patterns: ['(', '[']");
    /// ```
    ///
    /// # Errors
    /// `Invalid regex patterns: ['<p1>', '<p2>']`, or
    /// `Potentially dangerous patterns (nested quantifiers or too long): ['<p>']`, the
    /// offending items formatted as a Python list (`repr` quoting).
    pub fn parse(items: &[String]) -> Result<Self, FieldError> {
        let mut patterns = Vec::with_capacity(items.len());
        let mut invalid = Vec::new();
        for item in items {
            // Far too long to be anything but dangerous: not worth compiling (a 1 MiB body
            // could otherwise make the request compile megabytes of regex).
            if item.len() > COMPILE_LIMIT_BYTES {
                continue;
            }
            match regex::RegexBuilder::new(item)
                .size_limit(COMPILED_SIZE_LIMIT)
                .build()
            {
                Ok(re) if !item.is_empty() => patterns.push((item.clone(), re)),
                _ => invalid.push(item.as_str()),
            }
        }
        if !invalid.is_empty() {
            return Err(FieldError::new(format!(
                "Invalid regex patterns: {}",
                python_list(&invalid)
            )));
        }
        let dangerous: Vec<&str> = items
            .iter()
            .map(String::as_str)
            .filter(|p| p.chars().count() > MAX_PATTERN_CHARS || has_nested_quantifier(p))
            .collect();
        if !dangerous.is_empty() {
            return Err(FieldError::new(format!(
                "Potentially dangerous patterns (nested quantifiers or too long): {}",
                python_list(&dangerous)
            )));
        }
        Ok(Self { patterns })
    }

    /// The patterns as given.
    pub fn as_strs(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|(text, _)| text.as_str())
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// True when some pattern matches `email` **at its start**, like Python's `re.match`
    /// (which Waldur uses): the match must begin at the first character but may end before
    /// the last, so `alice` matches `alice@example.com`; anchor with `$` to require a full
    /// match. Matching is case-sensitive unless the pattern says `(?i)`.
    pub fn matches_any(&self, email: &str) -> bool {
        // The leftmost match starts at 0 exactly when some match starts at 0. Wrapping the
        // pattern in `^(?:…)` instead would break under `(?x)` with a trailing comment.
        self.patterns
            .iter()
            .any(|(_, re)| re.find(email).is_some_and(|m| m.start() == 0))
    }
}

fn has_nested_quantifier(pattern: &str) -> bool {
    ast::parse::Parser::new()
        .parse(pattern)
        .is_ok_and(|ast| nested_under_repetition(&ast, false))
}

/// Walks the tree; `repeated` says whether an enclosing quantifier may repeat.
fn nested_under_repetition(node: &Ast, repeated: bool) -> bool {
    match node {
        Ast::Repetition(rep) => {
            let (min, max) = bounds(&rep.op.kind);
            if repeated && max != Some(min) {
                return true;
            }
            nested_under_repetition(&rep.ast, repeated || max.is_none_or(|m| m > 1))
        }
        Ast::Group(group) => nested_under_repetition(&group.ast, repeated),
        Ast::Alternation(alt) => alt
            .asts
            .iter()
            .any(|a| nested_under_repetition(a, repeated)),
        Ast::Concat(concat) => concat
            .asts
            .iter()
            .any(|a| nested_under_repetition(a, repeated)),
        _ => false,
    }
}

/// (minimum, maximum or `None` for unbounded) repetitions.
fn bounds(kind: &RepetitionKind) -> (u32, Option<u32>) {
    match kind {
        RepetitionKind::ZeroOrOne => (0, Some(1)),
        RepetitionKind::ZeroOrMore => (0, None),
        RepetitionKind::OneOrMore => (1, None),
        RepetitionKind::Range(RepetitionRange::Exactly(n)) => (*n, Some(*n)),
        RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (*n, None),
        RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (*m, Some(*n)),
    }
}

/// `repr(list_of_str)` as Python prints it: `['a', "it's"]`.
fn python_list(items: &[&str]) -> String {
    let reprs: Vec<String> = items.iter().map(|s| python_repr(s)).collect();
    format!("[{}]", reprs.join(", "))
}

/// Python's `repr(str)`: single quotes unless the text contains `'` and no `"`; backslash,
/// the chosen quote and non-printable characters escaped. "Non-printable" covers control
/// characters, separators other than space and the common format characters, which is
/// Python's `str.isprintable` except for unassigned code points.
fn python_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x1_0000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let format_char = matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e000}'..='\u{f8ff}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            | '\u{f0000}'..
    );
    !(c.is_control() || c.is_whitespace() || format_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn message(items: &[&str]) -> String {
        EmailPatterns::parse(&strings(items))
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn accepts_ordinary_patterns() {
        let list =
            EmailPatterns::parse(&strings(&[r".*@example\.com$", r"(?i)^admin", "[a-z]+@x"]))
                .unwrap();
        assert_eq!(list.as_strs().count(), 3);
        assert!(EmailPatterns::parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn lists_every_invalid_item_only() {
        assert_eq!(
            message(&["ok", "(", "", "[a-", "(a+)+"]),
            "Invalid regex patterns: ['(', '', '[a-']"
        );
        // Python accepts look-around and back-references; this engine does not.
        assert_eq!(
            message(&[r"(?=a)b", r"(a)\1"]),
            r"Invalid regex patterns: ['(?=a)b', '(a)\\1']"
        );
    }

    #[test]
    fn rejects_nested_quantifiers() {
        for bad in [
            "(a+)+",
            "(a*)*",
            r"(\w+\s?)*",
            "(?:x(ab|c+))*",
            "(a?){2,}",
            "(a{1,3}){5}",
            "((a+))+",
            "(.*a){3,5}",
        ] {
            assert_eq!(
                message(&[bad]),
                format!(
                    "Potentially dangerous patterns (nested quantifiers or too long): [{}]",
                    python_repr(bad)
                ),
                "{bad}"
            );
        }
        for ok in [
            "(a+)?", "(a+){1}", "(ab)+", "(a{2})+", "a+b*c?", "(a|b)*", "[a+]+", r"\(a+\)+",
        ] {
            assert!(EmailPatterns::parse(&strings(&[ok])).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_long_patterns() {
        let long = "a".repeat(257);
        assert!(EmailPatterns::parse(&["a".repeat(256)]).is_ok());
        let err =
            EmailPatterns::parse(&[long.clone(), "(a+)+".to_owned(), "b".to_owned()]).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "Potentially dangerous patterns (nested quantifiers or too long): \
                 ['{long}', '(a+)+']"
            )
        );
    }

    #[test]
    fn python_repr_quoting() {
        assert_eq!(python_repr("abc"), "'abc'");
        assert_eq!(python_repr("it's"), "\"it's\"");
        assert_eq!(python_repr("'\""), r#"'\'"'"#);
        assert_eq!(python_repr(r"a\d"), r"'a\\d'");
        assert_eq!(
            python_repr("a\nb\t\u{1}\u{7f}\u{a0}"),
            r"'a\nb\t\x01\x7f\xa0'"
        );
        assert_eq!(python_repr("ü\u{200b}\u{2028}"), r"'ü\u200b\u2028'");
        assert_eq!(python_list(&["a", "b"]), "['a', 'b']");
    }

    #[test]
    fn matches_at_the_start_like_re_match() {
        let list =
            EmailPatterns::parse(&strings(&[r".*@example\.com$", "(?i)ADMIN", "bob"])).unwrap();
        assert!(list.matches_any("alice@example.com"));
        assert!(!list.matches_any("alice@example.com.evil"));
        assert!(list.matches_any("admin@other.org"));
        assert!(list.matches_any("bobby@other.org"));
        assert!(!list.matches_any("jim.bob@other.org"));
        let commented = EmailPatterns::parse(&strings(&["(?x) carol # a comment"])).unwrap();
        assert!(commented.matches_any("carol@x.org"));
        assert!(!commented.matches_any("x.carol@x.org"));
    }

    #[test]
    fn equality_is_by_pattern_text() {
        let a = EmailPatterns::parse(&strings(&["a", "b"])).unwrap();
        let b = EmailPatterns::parse(&strings(&["a", "b"])).unwrap();
        let c = EmailPatterns::parse(&strings(&["b", "a"])).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
