//! The customer's `project_slug_template` (02 §2.2) and its rendering (06 §4.5).

use std::collections::BTreeSet;

use super::format_string::{parse_format_string, Item};
use crate::error::FieldError;

/// The placeholders a template may use, sorted (the order of the error message).
pub const ALLOWED_PLACEHOLDERS: [&str; 6] = [
    "counter",
    "counter_padded",
    "customer_slug",
    "month",
    "project_name",
    "year",
];

/// Decision: placeholders with a conversion or format spec are refused (see
/// [`ProjectSlugTemplate::parse`]).
const UNSUPPORTED_FIELD: &str =
    "Invalid template format: conversions and format specs are not supported";

/// Rendered slugs are cut to this many characters (06 §4.5).
const MAX_RENDERED_CHARS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    CustomerSlug,
    ProjectName,
    Year,
    Month,
    Counter,
    CounterPadded,
}

impl Placeholder {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "customer_slug" => Self::CustomerSlug,
            "project_name" => Self::ProjectName,
            "year" => Self::Year,
            "month" => Self::Month,
            "counter" => Self::Counter,
            "counter_padded" => Self::CounterPadded,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(Placeholder),
}

/// The values a template is rendered with (06 §4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVars {
    /// The customer's slug.
    pub customer_slug: String,
    /// The **slugified** project name (02 §5.1 step 1, not truncated); the caller slugifies.
    pub project_name: String,
    /// The UTC year, rendered with four digits.
    pub year: i32,
    /// The UTC month 1–12, rendered with two digits.
    pub month: u32,
    /// 1 + the number of the customer's projects, soft-deleted ones included.
    /// `counter_padded` is this zero-padded to three digits.
    pub counter: u64,
}

/// A valid project slug template, e.g. `{customer_slug}-{year}{month}-{counter_padded}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSlugTemplate {
    text: String,
    segments: Vec<Segment>,
}

impl ProjectSlugTemplate {
    /// Parses a non-empty template with Python's `str.format` syntax, as Waldur does
    /// (`string.Formatter().parse`): `{name}` is a placeholder, `{{` and `}}` are literal
    /// braces. Syntax errors carry Python's own reasons (`Single '}' encountered in format
    /// string`, `Single '{' encountered in format string`, `expected '}' before end of
    /// string`, `unexpected '{' in field name`, …).
    ///
    /// Decision: a placeholder with a conversion or format spec (`{counter!r}`,
    /// `{counter:04d}`) is refused with `Invalid template format: conversions and format
    /// specs are not supported`, after the placeholder names were checked; Waldur would hand
    /// it to Python's formatter, whose results depend on Python types.
    ///
    /// ```
    /// use tenancy_domain::validate::template::ProjectSlugTemplate;
    /// assert!(ProjectSlugTemplate::parse("{customer_slug}-{counter_padded}").is_ok());
    /// assert_eq!(
    ///     ProjectSlugTemplate::parse("{team}-{counter}").unwrap_err().message(),
    ///     "Invalid placeholders: team. Allowed: counter, counter_padded, customer_slug, \
    ///      month, project_name, year"
    /// );
    /// ```
    ///
    /// # Errors
    /// `Invalid template format: <reason>` for malformed braces;
    /// `Invalid placeholders: <sorted, comma-separated names>. Allowed: counter,
    /// counter_padded, customer_slug, month, project_name, year` for unknown names.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let fields = parse_format_string(text)
            .map_err(|reason| FieldError::new(format!("Invalid template format: {reason}")))?;
        let unknown: BTreeSet<&str> = fields
            .iter()
            .filter_map(|item| match item {
                Item::Field { name, .. } if Placeholder::from_name(name).is_none() => {
                    Some(name.as_str())
                }
                _ => None,
            })
            .collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.into_iter().collect();
            return Err(FieldError::new(format!(
                "Invalid placeholders: {}. Allowed: {}",
                names.join(", "),
                ALLOWED_PLACEHOLDERS.join(", ")
            )));
        }
        let mut segments = Vec::with_capacity(fields.len());
        for item in fields {
            match item {
                Item::Literal(literal) => segments.push(Segment::Literal(literal)),
                Item::Field { name, plain } => match Placeholder::from_name(&name) {
                    Some(placeholder) if plain => segments.push(Segment::Placeholder(placeholder)),
                    _ => {
                        return Err(FieldError::new(UNSUPPORTED_FIELD));
                    }
                },
            }
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The template as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Renders the slug: placeholders replaced, `{{`/`}}` as single braces, then every run
    /// of `-` replaced by one `-`, `-` stripped from both ends, and the result cut to 50
    /// characters (06 §4.5; the caller makes it unique).
    ///
    /// ```
    /// use tenancy_domain::validate::template::{ProjectSlugTemplate, TemplateVars};
    /// let template =
    ///     ProjectSlugTemplate::parse("{customer_slug}-{year}{month}-{counter_padded}").unwrap();
    /// let vars = TemplateVars {
    ///     customer_slug: "acme-1".into(),
    ///     project_name: "my-test-project".into(),
    ///     year: 2026,
    ///     month: 4,
    ///     counter: 1,
    /// };
    /// assert_eq!(template.render(&vars), "acme-1-202604-001");
    /// ```
    pub fn render(&self, vars: &TemplateVars) -> String {
        let mut raw = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => raw.push_str(text),
                Segment::Placeholder(p) => raw.push_str(&match p {
                    Placeholder::CustomerSlug => vars.customer_slug.clone(),
                    Placeholder::ProjectName => vars.project_name.clone(),
                    Placeholder::Year => format!("{:04}", vars.year),
                    Placeholder::Month => format!("{:02}", vars.month),
                    Placeholder::Counter => vars.counter.to_string(),
                    Placeholder::CounterPadded => format!("{:03}", vars.counter),
                }),
            }
        }
        let mut collapsed = String::with_capacity(raw.len());
        for c in raw.chars() {
            if !(c == '-' && collapsed.ends_with('-')) {
                collapsed.push(c);
            }
        }
        collapsed
            .trim_matches('-')
            .chars()
            .take(MAX_RENDERED_CHARS)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> TemplateVars {
        TemplateVars {
            customer_slug: "acme-1".to_owned(),
            project_name: "my-test-project".to_owned(),
            year: 2026,
            month: 4,
            counter: 1,
        }
    }

    fn render(template: &str, vars: &TemplateVars) -> String {
        ProjectSlugTemplate::parse(template).unwrap().render(vars)
    }

    fn error(template: &str) -> String {
        ProjectSlugTemplate::parse(template)
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn spec_examples() {
        let mut v = vars();
        assert_eq!(render("{customer_slug}-{counter_padded}", &v), "acme-1-001");
        v.counter = 2;
        assert_eq!(render("{customer_slug}-{counter_padded}", &v), "acme-1-002");
        v.counter = 1;
        assert_eq!(
            render("{customer_slug}-{year}{month}-{counter_padded}", &v),
            "acme-1-202604-001"
        );
        assert_eq!(
            render("{project_name}-{counter_padded}", &v),
            "my-test-project-001"
        );
    }

    #[test]
    fn render_cleans_hyphens_and_cuts() {
        let mut v = vars();
        v.customer_slug = "-a--".to_owned();
        v.counter = 1234;
        assert_eq!(
            render("--{customer_slug}---{counter}-{counter_padded}--", &v),
            "a-1234-1234"
        );
        assert_eq!(render("{{x}}-{month}", &v), "{x}-04");
        v.project_name = "p".repeat(60);
        assert_eq!(render("{project_name}", &v), "p".repeat(50));
        assert_eq!(render("static", &v), "static");
        v.project_name = String::new();
        assert_eq!(render("{project_name}-{year}", &v), "2026");
    }

    #[test]
    fn unknown_placeholders_are_listed_sorted() {
        assert_eq!(
            error("{zeta}-{alpha}-{counter}-{alpha}"),
            "Invalid placeholders: alpha, zeta. Allowed: counter, counter_padded, \
             customer_slug, month, project_name, year"
        );
        assert_eq!(
            error("{}"),
            "Invalid placeholders: . Allowed: counter, counter_padded, customer_slug, month, \
             project_name, year"
        );
        assert!(error("{year[0]}").starts_with("Invalid placeholders: year[0]. "));
        assert!(error("{year.real}").starts_with("Invalid placeholders: year.real. "));
        assert!(error("{bad:03}").starts_with("Invalid placeholders: bad. "));
    }

    #[test]
    fn malformed_braces_carry_pythons_reason() {
        for (template, reason) in [
            ("}", "Single '}' encountered in format string"),
            ("a}b", "Single '}' encountered in format string"),
            ("{year}}", "Single '}' encountered in format string"),
            ("abc{", "Single '{' encountered in format string"),
            ("{year", "expected '}' before end of string"),
            ("{year[}", "expected '}' before end of string"),
            ("{ye{ar}", "unexpected '{' in field name"),
            (
                "{year!",
                "end of string while looking for conversion specifier",
            ),
            ("{year!rx}", "expected ':' after conversion specifier"),
            ("{year!r", "unmatched '{' in format spec"),
            ("{year:03", "unmatched '{' in format spec"),
            ("{year:{x}", "unmatched '{' in format spec"),
        ] {
            assert_eq!(
                error(template),
                format!("Invalid template format: {reason}"),
                "{template}"
            );
        }
        // A syntax error wins over unknown names that precede it.
        assert_eq!(
            error("{bad}-}"),
            "Invalid template format: Single '}' encountered in format string"
        );
    }

    #[test]
    fn conversions_and_specs_are_refused() {
        for template in [
            "{counter:03d}",
            "{year!s}",
            "{month!r:>3}",
            "{counter:{year}}",
        ] {
            assert_eq!(
                error(template),
                "Invalid template format: conversions and format specs are not supported",
                "{template}"
            );
        }
    }

    #[test]
    fn literal_braces_and_brackets() {
        let t = ProjectSlugTemplate::parse("{{}}{year}").unwrap();
        assert_eq!(t.as_str(), "{{}}{year}");
        assert_eq!(t.render(&vars()), "{}2026");
        // `[` in a field name runs to the next `]`, as in Python.
        assert!(error("{a[}]}").starts_with("Invalid placeholders: a[}]. "));
    }
}
