//! Countries (05 §4): the table behind `GET /api/customers/countries/`, a customer's
//! `country` and its `country_name`.

use super::countries_table::COUNTRIES;
use crate::error::FieldError;

/// One entry of the country table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    code: &'static str,
    alpha3: &'static str,
    name: &'static str,
}

impl Country {
    /// For the generated table only.
    pub(super) const fn new(code: &'static str, alpha3: &'static str, name: &'static str) -> Self {
        Self { code, alpha3, name }
    }

    /// The upper-case ISO 3166-1 alpha-2 code (`EE`), or the pseudo-code `EU`: the `value`
    /// of the countries list and what a customer's `country` holds.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The ISO 3166-1 alpha-3 code (`EST`), which orders the table; empty for `EU`, which
    /// has none.
    pub fn alpha3(&self) -> &'static str {
        self.alpha3
    }

    /// The English short name from iso-codes (`Estonia`, `Korea, Republic of`): the `label`
    /// of the countries list and a customer's `country_name`.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// The full table: the 249 ISO 3166-1 countries ascending by alpha-3 code (Aruba,
/// Afghanistan, Angola, …), then `EU` / `European Union`. A configured subset (05 §4) is a
/// filter over this slice, which keeps this order.
pub fn all_countries() -> &'static [Country] {
    &COUNTRIES
}

/// The table entry with exactly this (upper-case) code.
pub fn find_country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|country| country.code == code)
}

/// The name of the country with exactly this (upper-case) code: `country_name("CZ")` is
/// `Some("Czechia")`.
pub fn country_name(code: &str) -> Option<&'static str> {
    find_country(code).map(Country::name)
}

/// A code of the full country table.
///
/// Whether the code is also in the operator's configured subset is the caller's check; it
/// reports the same message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode(&'static Country);

impl CountryCode {
    /// Parses a code of the table; matching is exact, so `ee` is not `EE`.
    ///
    /// ```
    /// use tenancy_domain::validate::country::CountryCode;
    /// assert_eq!(CountryCode::parse("EE").unwrap().name(), "Estonia");
    /// let err = CountryCode::parse("XX").unwrap_err();
    /// assert_eq!(err.message(), "\"XX\" is not a valid choice.");
    /// ```
    ///
    /// # Errors
    /// `"<value>" is not a valid choice.` for any other text.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        find_country(text)
            .map(Self)
            .ok_or_else(|| FieldError::invalid_choice(text))
    }

    /// The code (`EE`).
    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    /// The country's name (`Estonia`).
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The table entry.
    pub fn country(&self) -> &'static Country {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names() {
        for (code, name) in [
            ("EE", "Estonia"),
            ("CZ", "Czechia"),
            ("GB", "United Kingdom"),
            ("TR", "Türkiye"),
            ("KR", "Korea, Republic of"),
            ("BO", "Bolivia, Plurinational State of"),
            ("CI", "Côte d'Ivoire"),
            ("GR", "Greece"),
            ("EU", "European Union"),
        ] {
            assert_eq!(country_name(code), Some(name), "{code}");
        }
        assert_eq!(country_name("ee"), None);
        assert_eq!(country_name("UK"), None);
        assert_eq!(country_name(""), None);
    }

    #[test]
    fn table_shape_and_order() {
        let all = all_countries();
        assert_eq!(all.len(), 250);
        assert_eq!(all[0].name(), "Aruba");
        assert_eq!(all[1].name(), "Afghanistan");
        assert_eq!(all[2].name(), "Angola");
        let last = all[all.len() - 1];
        assert_eq!(
            (last.code(), last.alpha3(), last.name()),
            ("EU", "", "European Union")
        );
        let iso = &all[..249];
        assert!(iso.windows(2).all(|w| w[0].alpha3() < w[1].alpha3()));
        assert!(iso
            .iter()
            .all(|c| c.code().len() == 2 && c.alpha3().len() == 3));
        let mut codes: Vec<&str> = all.iter().map(Country::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 250);
    }

    #[test]
    fn country_code_parse() {
        let code = CountryCode::parse("TR").unwrap();
        assert_eq!((code.as_str(), code.name()), ("TR", "Türkiye"));
        assert_eq!(code.country().alpha3(), "TUR");
        for bad in ["tr", "TUR", "XX", " EE", ""] {
            assert_eq!(
                CountryCode::parse(bad).unwrap_err().message(),
                format!("\"{bad}\" is not a valid choice.")
            );
        }
    }

    /// The generator's check: when Debian's iso-codes is installed, the committed table
    /// must equal its `iso_3166-1.json` sorted by alpha-3, plus `EU`.
    #[test]
    fn table_matches_iso_codes() {
        let path = "/usr/share/iso-codes/json/iso_3166-1.json";
        let Ok(json) = std::fs::read_to_string(path) else {
            return;
        };
        let object = regex::Regex::new(r"\{[^{}]*\}").unwrap();
        let field = |body: &str, key: &str| -> String {
            let re = regex::Regex::new(&format!(r#""{key}":\s*"([^"\\]*)""#)).unwrap();
            re.captures(body).unwrap()[1].to_owned()
        };
        let mut rows: Vec<(String, String, String)> = object
            .find_iter(&json)
            .map(|m| {
                let body = m.as_str();
                (
                    field(body, "alpha_3"),
                    field(body, "alpha_2"),
                    field(body, "name"),
                )
            })
            .collect();
        rows.sort();
        rows.push((String::new(), "EU".to_owned(), "European Union".to_owned()));
        let table: Vec<(String, String, String)> = all_countries()
            .iter()
            .map(|c| {
                (
                    c.alpha3().to_owned(),
                    c.code().to_owned(),
                    c.name().to_owned(),
                )
            })
            .collect();
        assert_eq!(table, rows);
    }
}
