//! VAT numbers, checked offline by their shape (02 §2.3).

use std::sync::LazyLock;

use regex::Regex;

use crate::error::FieldError;

/// `VAT number has invalid format.`
const INVALID_VAT: &str = "VAT number has invalid format.";

/// Table key → shape of the whole normalised number (02 §2.3). Keys are VAT prefixes, not
/// always country codes: Greece is `EL`, and the country code `GR` has no entry.
/// "Digit" and "letter" mean ASCII `0-9` and `A-Z`.
const SHAPES: [(&str, &str); 42] = [
    ("AT", r"ATU[0-9]{8}"),
    ("BE", r"BE[01][0-9]{9}"),
    ("BG", r"BG[0-9]{9,10}"),
    ("HR", r"HR[0-9]{11}"),
    ("CY", r"CY[0-9]{8}L"),
    ("CZ", r"CZ[0-9]{8,10}"),
    ("DK", r"DK[0-9]{8}"),
    ("EE", r"EE[0-9]{9}"),
    ("FI", r"FI[0-9]{8}"),
    ("FR", r"FR[A-HJ-NP-Z0-9]{2}[0-9]{9}"),
    ("DE", r"DE[0-9]{9}"),
    ("EL", r"EL[0-9]{9}"),
    ("HU", r"HU[0-9]{8}"),
    (
        "IE",
        r"IE(?:[0-9]{7}[A-WY][A-I]?|[0-9+][A-Z+][0-9]{5}[A-WY])",
    ),
    ("IT", r"IT[0-9]{11}"),
    ("LV", r"LV[0-9]{11}"),
    ("LT", r"LT[0-9]{9,12}"),
    ("LU", r"LU[0-9]{8}"),
    ("MT", r"MT[0-9]{8}"),
    ("NL", r"NL[0-9]{9}B[0-9]{2}"),
    ("PL", r"PL[0-9]{10}"),
    ("PT", r"PT[0-9]{9}"),
    ("RO", r"RO[0-9]{2,10}"),
    ("SK", r"SK[0-9]{10}"),
    ("SI", r"SI[0-9]{8}"),
    (
        "ES",
        r"ES(?:[A-Z][0-9]{7}[A-Z]|[A-Z][0-9]{7}[0-9A-Z]|[0-9]{8}[A-Z])",
    ),
    ("SE", r"SE[0-9]{12}"),
    ("GB", r"GB(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})"),
    ("AL", r"ALJ[0-9]{8}[A-Z]"),
    ("BY", r"BY[0-9]{9}"),
    ("CH", r"CHE[0-9]{9}(?:MWST|TVA|IVA)"),
    ("FO", r"FO[0-9]{6}"),
    ("IS", r"IS[0-9]{5,6}"),
    ("LI", r"LI[0-9]{5}"),
    ("MD", r"MD[0-9]{8}"),
    ("ME", r"ME[0-9]{8}"),
    ("MK", r"MK[0-9]{13}"),
    ("NO", r"NO[0-9]{9}MVA"),
    ("RS", r"RS[0-9]{9}"),
    ("SM", r"SM[0-9]{5}"),
    ("UA", r"UA[0-9]{12}"),
    ("XK", r"XK[0-9]{8}[A-Z]"),
];

/// Rule 4's last resort: two letters, then at least six letters or digits.
const GENERIC_SHAPE: &str = r"[A-Z]{2}[A-Z0-9]{6,}";

/// A pattern that fails to compile never matches; a test checks that all compile.
static COMPILED: LazyLock<Vec<(&'static str, Option<Regex>)>> = LazyLock::new(|| {
    SHAPES
        .iter()
        .map(|(key, shape)| (*key, anchored(shape)))
        .collect()
});

static GENERIC: LazyLock<Option<Regex>> = LazyLock::new(|| anchored(GENERIC_SHAPE));

fn anchored(shape: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{shape})$")).ok()
}

fn is_match(re: Option<&Regex>, text: &str) -> bool {
    re.is_some_and(|re| re.is_match(text))
}

/// A VAT number whose shape fits the customer's country, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VatCode(String);

impl VatCode {
    /// Checks a non-blank VAT number against the customer's effective country (the body's
    /// `country` if present, else the stored one; `""` when there is none).
    ///
    /// A copy is normalised (spaces and hyphens removed, upper-cased). When the country is
    /// a key of the table, the copy must have that key's shape. Otherwise it is valid if it
    /// has the shape of **any** table entry, or, failing that, if it is two letters followed
    /// by at least six letters or digits.
    ///
    /// ```
    /// use tenancy_domain::validate::vat::VatCode;
    /// assert!(VatCode::check("EE 123456789", "EE").is_ok());
    /// assert!(VatCode::check("EE12345678", "EE").is_err());
    /// assert!(VatCode::check("EL123456789", "GR").is_ok()); // GR has no entry: rule 4
    /// ```
    ///
    /// # Errors
    /// `VAT number has invalid format.` when the shape does not fit.
    pub fn check(raw: &str, effective_country: &str) -> Result<(), FieldError> {
        let normalised: String = raw
            .chars()
            .filter(|&c| c != ' ' && c != '-')
            .collect::<String>()
            .to_uppercase();
        let compiled = &*COMPILED;
        let valid = match compiled.iter().find(|(key, _)| *key == effective_country) {
            Some((_, shape)) => is_match(shape.as_ref(), &normalised),
            None => {
                compiled
                    .iter()
                    .any(|(_, shape)| is_match(shape.as_ref(), &normalised))
                    || is_match(GENERIC.as_ref(), &normalised)
            }
        };
        if valid {
            Ok(())
        } else {
            Err(FieldError::new(INVALID_VAT))
        }
    }

    /// [`VatCode::check`], keeping the number as given (the stored value is the submitted,
    /// trimmed text, not the normalised copy).
    ///
    /// # Errors
    /// As [`VatCode::check`].
    pub fn parse(raw: &str, effective_country: &str) -> Result<Self, FieldError> {
        Self::check(raw, effective_country).map(|()| Self(raw.to_owned()))
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per key: one valid and one invalid number.
    const EXAMPLES: [(&str, &str, &str); 42] = [
        ("AT", "ATU12345678", "AT12345678"),
        ("BE", "BE0123456789", "BE2123456789"),
        ("BG", "BG1234567890", "BG12345678"),
        ("HR", "HR12345678901", "HR1234567890"),
        ("CY", "CY12345678L", "CY12345678X"),
        ("CZ", "CZ12345678", "CZ12345678901"),
        ("DK", "DK12345678", "DK1234567"),
        ("EE", "EE123456789", "EE12345678"),
        ("FI", "FI12345678", "FI123456789"),
        ("FR", "FRXY123456789", "FRIO123456789"),
        ("DE", "DE123456789", "DE12345678A"),
        ("EL", "EL123456789", "GR123456789"),
        ("HU", "HU12345678", "HU123456789"),
        ("IE", "IE1234567WA", "IE1234567X"),
        ("IT", "IT12345678901", "IT1234567890"),
        ("LV", "LV12345678901", "LV123456789012"),
        ("LT", "LT1234567890", "LT12345678"),
        ("LU", "LU12345678", "LU1234567"),
        ("MT", "MT12345678", "MT123456789"),
        ("NL", "NL123456789B01", "NL123456789A01"),
        ("PL", "PL1234567890", "PL123456789"),
        ("PT", "PT123456789", "PT1234567890"),
        ("RO", "RO12", "RO1"),
        ("SK", "SK1234567890", "SK123456789"),
        ("SI", "SI12345678", "SI123456789"),
        ("ES", "ESX1234567Z", "ES123456789"),
        ("SE", "SE123456789012", "SE12345678901"),
        ("GB", "GBGD123", "GBGD1234"),
        ("AL", "ALJ12345678A", "ALK12345678A"),
        ("BY", "BY123456789", "BY12345678"),
        ("CH", "CHE123456789MWST", "CHE123456789VAT"),
        ("FO", "FO123456", "FO1234567"),
        ("IS", "IS12345", "IS1234"),
        ("LI", "LI12345", "LI123456"),
        ("MD", "MD12345678", "MD1234567"),
        ("ME", "ME12345678", "ME123456789"),
        ("MK", "MK1234567890123", "MK123456789012"),
        ("NO", "NO123456789MVA", "NO123456789"),
        ("RS", "RS123456789", "RS12345678"),
        ("SM", "SM12345", "SM1234"),
        ("UA", "UA123456789012", "UA12345678901"),
        ("XK", "XK12345678A", "XK123456789"),
    ];

    fn valid(raw: &str, country: &str) -> bool {
        VatCode::check(raw, country).is_ok()
    }

    #[test]
    fn every_shape_compiles() {
        assert!(COMPILED.iter().all(|(_, re)| re.is_some()));
        assert!(GENERIC.is_some());
    }

    #[test]
    fn every_table_row_has_a_valid_and_an_invalid_example() {
        let keys: Vec<&str> = SHAPES.iter().map(|(k, _)| *k).collect();
        let examples: Vec<&str> = EXAMPLES.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys, examples);
        for (key, ok, bad) in EXAMPLES {
            assert!(valid(ok, key), "{key}: {ok} should be valid");
            assert!(!valid(bad, key), "{key}: {bad} should be invalid");
        }
    }

    #[test]
    fn alternative_shapes() {
        for (ok, key) in [
            ("IE1234567W", "IE"),
            ("IE1A12345W", "IE"),
            ("IE++12345W", "IE"),
            ("ES12345678Z", "ES"),
            ("ESX12345678", "ES"),
            ("GB123456789012", "GB"),
            ("GBHA123", "GB"),
            ("FR12123456789", "FR"),
            ("BG123456789", "BG"),
            ("CHE123456789TVA", "CH"),
            ("CHE123456789IVA", "CH"),
        ] {
            assert!(valid(ok, key), "{ok}");
        }
        assert!(!valid("IE1234567WJ", "IE"));
        assert!(!valid("IE1234567Z", "IE"));
        assert!(!valid("GBHA1234", "GB"));
    }

    #[test]
    fn normalises_a_copy() {
        assert!(valid("ee 123-456 789", "EE"));
        assert!(valid(" atu 1234 5678 ", "AT"));
        let kept = VatCode::parse("ee 123-456 789", "EE").unwrap();
        assert_eq!(kept.as_str(), "ee 123-456 789");
        // Only spaces and hyphens are removed.
        assert!(!valid("EE123.456.789", "EE"));
    }

    #[test]
    fn the_country_entry_decides_even_for_other_prefixes() {
        assert!(!valid("DE123456789", "EE"));
        assert!(!valid("XX12345678", "FR"));
    }

    #[test]
    fn countries_without_an_entry_fall_back_to_rule_four() {
        // Greece's country code has no entry; its VAT prefix EL does.
        assert!(valid("EL123456789", "GR"));
        assert!(valid("GR123456789", "GR"));
        // Any table shape.
        assert!(valid("DE123456789", "US"));
        assert!(valid("NO123456789MVA", ""));
        // Two letters then six or more letters or digits.
        assert!(valid("US123456", "US"));
        assert!(valid("ABCDEFGH", ""));
        assert!(valid("de12345678901234", "US"));
        assert!(!valid("US12345", "US"));
        assert!(!valid("1234567890", "US"));
        assert!(!valid("U1234567", "US"));
        assert!(!valid("US12345_", "US"));
        assert!(!valid("-", ""));
    }

    #[test]
    fn reports_the_waldur_message() {
        assert_eq!(
            VatCode::check("nope", "EE").unwrap_err().message(),
            "VAT number has invalid format."
        );
    }
}
