//! Hyperlinks in request bodies (spec 01 §5.3): the scheme and host are ignored, the path
//! must be a detail URL of the expected collection.

use serde_json::Value;
use tenancy_domain::error::FieldError;
use uuid::Uuid;

use crate::body::type_name;

/// The UUID a hyperlink to `/api/<collection>/<uuid>/` names.
///
/// # Errors
/// Waldur's messages: not a string, not a detail URL of `collection`, or (for a detail URL
/// whose last segment is not a UUID) an object that does not exist.
pub fn parse(value: &Value, collection: &str) -> Result<Uuid, FieldError> {
    let Value::String(text) = value else {
        return Err(FieldError::new(format!(
            "Incorrect type. Expected URL string, received {}.",
            type_name(value)
        )));
    };
    let no_match = || FieldError::new("Invalid hyperlink - No URL match.");
    let text = text.trim();
    // Drop `scheme://host` when present; keep the path only.
    let path = match text.find("://") {
        Some(i) => {
            let rest = &text[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => return Err(no_match()),
            }
        }
        None => text,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let prefix = format!("/api/{collection}/");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return Err(no_match());
    };
    let segment = rest.strip_suffix('/').unwrap_or(rest);
    if segment.is_empty() || segment.contains('/') {
        return Err(no_match());
    }
    tenancy_domain::validate::uuid::parse_uuid(segment)
        .ok_or_else(|| FieldError::new("Invalid hyperlink - Object does not exist."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const U: &str = "5d08cbcaf2be407bab09f6d256dd9485";

    #[test]
    fn absolute_relative_and_lenient_forms_resolve() {
        let expected = Uuid::parse_str(U).unwrap();
        for link in [
            format!("http://other-host:9/api/organization-groups/{U}/"),
            format!("/api/organization-groups/{U}/"),
            format!("/api/organization-groups/{U}"),
            "/api/organization-groups/5d08cbca-f2be-407b-ab09-f6d256dd9485/?x=1#f".to_owned(),
        ] {
            assert_eq!(
                parse(&json!(link), "organization-groups").unwrap(),
                expected,
                "{link}"
            );
        }
    }

    #[test]
    fn wrong_shapes_get_waldurs_messages() {
        let msg = |v: Value| {
            parse(&v, "organization-groups")
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert_eq!(msg(json!(U)), "Invalid hyperlink - No URL match.");
        assert_eq!(
            msg(json!(format!("/api/customers/{U}/"))),
            "Invalid hyperlink - No URL match."
        );
        assert_eq!(
            msg(json!("/api/organization-groups/not-a-uuid/")),
            "Invalid hyperlink - Object does not exist."
        );
        assert_eq!(
            msg(json!(5)),
            "Incorrect type. Expected URL string, received int."
        );
    }
}
