//! Health endpoints: liveness does no IO; readiness checks out a pooled connection.

use actix_web::{get, web, HttpResponse};
use serde_json::json;

use crate::render::json_response;
use crate::state::AppState;

/// The process is up (no IO).
#[utoipa::path(tag = "health", responses((status = 200)), security(()))]
#[get("/health/live")]
pub async fn health_live() -> HttpResponse {
    json_response(HttpResponse::Ok(), &json!({"status": "ok"}))
}

/// The service can reach its database.
#[utoipa::path(tag = "health", responses((status = 200), (status = 503)), security(()))]
#[get("/health/ready")]
pub async fn health_ready(app: web::Data<AppState>) -> HttpResponse {
    if app.readiness.is_ready().await {
        json_response(HttpResponse::Ok(), &json!({"status": "ok"}))
    } else {
        json_response(
            HttpResponse::ServiceUnavailable(),
            &json!({"detail": "Service temporarily unavailable, try again later."}),
        )
    }
}
