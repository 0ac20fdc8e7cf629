//! The committed OpenAPI document must equal the generated one. On a mismatch the file is
//! rewritten and the test fails, so the diff shows up in `git status` to be committed
//! (crates.io's snapshot + rust-analyzer's "generated files are refreshed by cargo test").

use std::path::PathBuf;

#[test]
fn committed_openapi_document_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let generated = tenancy_app::commands::openapi_json().unwrap();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        std::fs::write(&path, &generated).unwrap();
        panic!(
            "openapi/openapi.json was out of date and has been rewritten; review and commit it ({})",
            path.display()
        );
    }
}

#[test]
fn every_operation_is_named_after_waldurs_operation_id() {
    let doc: serde_json::Value =
        serde_json::from_str(&tenancy_app::commands::openapi_json().unwrap()).unwrap();
    let customers = &doc["paths"]["/api/customers/{uuid}/"];
    assert_eq!(customers["get"]["operationId"], "customers_retrieve");
    assert_eq!(customers["put"]["operationId"], "customers_update");
    assert_eq!(
        customers["patch"]["operationId"],
        "customers_partial_update"
    );
    assert_eq!(customers["delete"]["operationId"], "customers_destroy");
    assert_eq!(
        doc["paths"]["/api-auth/password/"]["post"]["operationId"],
        "api_auth_password"
    );
}
