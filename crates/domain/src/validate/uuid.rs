//! UUIDs in every spelling Waldur accepts, and the one it emits (01 §5.1).

use uuid::Uuid;

/// Parses a UUID the way Python's `UUID(hex=…)` does: after removing an optional
/// `urn:uuid:` prefix, any `{`/`}` at either end (Python's `strip('{}')`) and **all** `-`,
/// exactly 32 hex digits of any case must remain. Returns `None` otherwise (the caller
/// reports `Must be a valid UUID.` or applies its filter rule).
///
/// ```
/// use tenancy_domain::validate::uuid::parse_uuid;
/// let a = parse_uuid("5d08cbca-f2be-407b-ab09-f6d256dd9485");
/// assert!(a.is_some());
/// assert_eq!(a, parse_uuid("5D08CBCAF2BE407BAB09F6D256DD9485"));
/// assert_eq!(parse_uuid("5d08cbca"), None);
/// ```
pub fn parse_uuid(text: &str) -> Option<Uuid> {
    let text = text.strip_prefix("urn:uuid:").unwrap_or(text);
    let hex: String = text
        .trim_matches(|c| c == '{' || c == '}')
        .chars()
        .filter(|&c| c != '-')
        .collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok().map(Uuid::from_u128)
}

/// The emitted form: 32 lower-case hex digits without dashes.
///
/// ```
/// use tenancy_domain::validate::uuid::{parse_uuid, uuid_hex};
/// let id = parse_uuid("{5D08CBCA-F2BE-407B-AB09-F6D256DD9485}").unwrap();
/// assert_eq!(uuid_hex(&id), "5d08cbcaf2be407bab09f6d256dd9485");
/// ```
pub fn uuid_hex(uuid: &Uuid) -> String {
    uuid.simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "5d08cbcaf2be407bab09f6d256dd9485";

    #[test]
    fn accepts_every_documented_spelling() {
        let expected = parse_uuid(HEX).unwrap();
        for ok in [
            "5d08cbca-f2be-407b-ab09-f6d256dd9485",
            "5D08CBCA-F2BE-407B-AB09-F6D256DD9485",
            "{5d08cbca-f2be-407b-ab09-f6d256dd9485}",
            "urn:uuid:5d08cbca-f2be-407b-ab09-f6d256dd9485",
            "urn:uuid:{5d08cbcaf2be407bab09f6d256dd9485}",
            "5d-08cb-caf2be407bab09f6d256dd94-85",
            "--5d08cbcaf2be407bab09f6d256dd9485--",
            "{{5d08cbcaf2be407bab09f6d256dd9485}",
        ] {
            assert_eq!(parse_uuid(ok), Some(expected), "{ok}");
        }
        assert_eq!(uuid_hex(&expected), HEX);
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "5d08cbcaf2be407bab09f6d256dd948",
            "5d08cbcaf2be407bab09f6d256dd94851",
            "5d08cbcaf2be407bab09f6d256dd948g",
            " 5d08cbcaf2be407bab09f6d256dd9485",
            "+d08cbcaf2be407bab09f6d256dd9485",
            "URN:UUID:5d08cbcaf2be407bab09f6d256dd9485",
            "5d08cbca_f2be_407b_ab09_f6d256dd9485",
            "5d08cbca{f2be407bab09f6d256dd9485}",
            "٥d08cbcaf2be407bab09f6d256dd9485",
        ] {
            assert_eq!(parse_uuid(bad), None, "{bad}");
        }
    }

    #[test]
    fn nil_and_max_round_trip() {
        assert_eq!(uuid_hex(&Uuid::nil()), "0".repeat(32));
        assert_eq!(parse_uuid(&"F".repeat(32)), Some(Uuid::max()));
    }
}
