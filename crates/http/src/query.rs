//! Query-string parsing with Django's conventions (spec 01 §4.3): repeated keys, the last
//! value for single-valued parameters, empty values meaning "not applied".

use actix_web::HttpRequest;
use tenancy_ports::customers::OrderTerm;

/// The decoded query parameters of a request, in order.
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Parses the request's query string (form encoding: `+` is a space).
    pub fn of(req: &HttpRequest) -> Self {
        Self::parse(req.query_string())
    }

    /// Parses a raw query string.
    pub fn parse(query: &str) -> Self {
        Self {
            pairs: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The last value of `key`, trimmed, if present and non-empty.
    pub fn get(&self, key: &str) -> Option<String> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Every value of `key`, repeated and/or comma-separated.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.all(key)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean filter: `true`/`1` or `false`/`0` (any case); anything else is not applied.
    pub fn boolean(&self, key: &str) -> Option<bool> {
        let value = self.get(key)?.to_ascii_lowercase();
        match value.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }

    /// The `o` ordering: repeated and/or comma-separated keys, `-` for descending; keys
    /// `from_name` does not know are dropped (DRF's ordering filter, spec 01 §7.4).
    pub fn order_terms<K>(&self, from_name: impl Fn(&str) -> Option<K>) -> Vec<OrderTerm<K>> {
        self.list("o")
            .iter()
            .filter_map(|term| {
                let (descending, name) = match term.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, term.as_str()),
                };
                from_name(name).map(|key| OrderTerm { key, descending })
            })
            .collect()
    }

    /// The `o` ordering of endpoints whose SDK types it as an enum list: an unknown key
    /// is a 400 `{"o": ["Select a valid choice. <key> is not one of the available
    /// choices."]}` (spec 01 §7.4).
    ///
    /// # Errors
    /// The first unknown key, as that field error.
    pub fn strict_order_terms<K>(
        &self,
        from_name: impl Fn(&str) -> Option<K>,
    ) -> Result<Vec<OrderTerm<K>>, crate::error::ApiError> {
        self.list("o")
            .iter()
            .map(|term| {
                let (descending, name) = match term.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, term.as_str()),
                };
                from_name(name)
                    .map(|key| OrderTerm { key, descending })
                    .ok_or_else(|| {
                        crate::error::ApiError::Invalid(
                            tenancy_domain::error::ValidationErrors::single(
                                "o",
                                tenancy_domain::error::FieldError::new(format!(
                                    "Select a valid choice. {term} is not one of the available choices."
                                )),
                            ),
                        )
                    })
            })
            .collect()
    }

    /// Whether `key` occurs at all (even with an empty value).
    pub fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// The pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_value_wins_and_empty_is_absent() {
        let q = QueryParams::parse("name=a&name=b&slug=&o=name,-created&o=abbreviation");
        assert_eq!(q.get("name").as_deref(), Some("b"));
        assert_eq!(q.get("slug"), None);
        assert_eq!(q.list("o"), vec!["name", "-created", "abbreviation"]);
    }

    #[test]
    fn booleans_follow_one_rule() {
        let q = QueryParams::parse("a=True&b=0&c=yes");
        assert_eq!(q.boolean("a"), Some(true));
        assert_eq!(q.boolean("b"), Some(false));
        assert_eq!(q.boolean("c"), None);
    }

    #[test]
    fn plus_is_a_space() {
        assert_eq!(QueryParams::parse("q=a+b").get("q").as_deref(), Some("a b"));
    }
}
