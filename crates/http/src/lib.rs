//! Tenancy's HTTP adapter: actix-web handlers that translate Waldur's wire format to use
//! cases and back.
//!
//! A newcomer traces any endpoint from [`routes`] (the one route table) to its handler
//! (named after Waldur's operationId), then to the use case in `tenancy-ports`.

pub mod auth;
pub mod body;
pub mod customers;
pub mod datetime;
pub mod error;
pub mod form;
pub mod health;
pub mod hyperlink;
pub mod middleware;
pub mod org_groups;
pub mod paging;
pub mod projects;
pub mod query;
pub mod render;
pub mod roles;
pub mod routes;
pub mod state;
pub mod team;
pub mod users;

use actix_web::web;

/// Registers every route, the schema endpoint and the JSON error handlers of the
/// extractors on `cfg`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::PathConfig::default().error_handler(|_, _| error::ApiError::RouteNotFound.into()),
    );
    cfg.route("/api/schema/", web::get().to(routes::schema));
    routes::configure(cfg);
}

/// The OpenAPI document (`tenancy openapi`, `/api/schema/`, `openapi/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::openapi()
}
