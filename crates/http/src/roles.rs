//! The read side of `/api/roles/` (spec 03 §7): anyone may list and retrieve roles.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Serialize;
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::role::ScopeType;
use tenancy_ports::customers::OrderTerm;
use tenancy_ports::roles::{RoleOrderKey, RoleQuery, RoleView};
use utoipa::{IntoParams, ToSchema};

use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::paging;
use crate::query::QueryParams;
use crate::render::{json_response, to_object, uuid_hex, BaseUrl, FieldSelection};
use crate::state::AppState;

/// `RoleDetails` (spec 03 §7.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 03 §7.1 under the same name"
)]
pub struct RoleDetails {
    pub uuid: String,
    pub url: String,
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub is_system_role: bool,
    pub is_active: bool,
    pub users_count: Option<i64>,
    pub content_type: String,
    pub template_uuid: Option<String>,
    pub template_name: Option<String>,
    pub customer_uuid: Option<String>,
    pub customer_name: Option<String>,
}

/// The names of `RoleDetailsFieldEnum` rendered here.
pub const ROLE_FIELDS: &[&str] = &[
    "uuid",
    "url",
    "name",
    "description",
    "permissions",
    "is_system_role",
    "is_active",
    "users_count",
    "content_type",
    "template_uuid",
    "template_name",
    "customer_uuid",
    "customer_name",
];

impl RoleDetails {
    /// The representation of `view`.
    pub fn new(view: &RoleView, base: &BaseUrl) -> Self {
        let role = &view.role;
        Self {
            uuid: uuid_hex(&role.uuid),
            url: base.object("roles", &role.uuid),
            name: role.name.clone(),
            description: role.description.clone(),
            permissions: role.permissions.clone(),
            is_system_role: role.is_system_role,
            is_active: role.is_active,
            users_count: view.users_count,
            content_type: role.scope.as_str().to_owned(),
            template_uuid: None,
            template_name: None,
            customer_uuid: None,
            customer_name: None,
        }
    }
}

/// Query parameters of `GET /api/roles/`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct RoleListParams {
    /// Name (icontains).
    name: Option<String>,
    /// Description (icontains).
    description: Option<String>,
    /// Active roles only / inactive only.
    is_active: Option<bool>,
    /// System roles only / custom only.
    is_system_role: Option<bool>,
    /// `customer` or `project`.
    content_type: Option<String>,
    /// Name or description (icontains).
    query: Option<String>,
    /// `name`, `is_active`, `users_count`, `scope`, `origin`, optionally `-`.
    o: Option<Vec<String>>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

fn choice_error(param: &str, value: &str) -> ApiError {
    ApiError::Invalid(ValidationErrors::single(
        param,
        FieldError::new(format!(
            "Select a valid choice. {value} is not one of the available choices."
        )),
    ))
}

fn list_query(query: &QueryParams) -> Result<RoleQuery, ApiError> {
    // Here `o` is an enum list in the SDK: an unknown key is a 400 (spec 01 §7.4).
    let mut order = Vec::new();
    for term in query.list("o") {
        let (descending, name) = match term.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, term.as_str()),
        };
        let key = RoleOrderKey::from_name(name).ok_or_else(|| choice_error("o", &term))?;
        order.push(OrderTerm { key, descending });
    }
    let content_type = match query.get("content_type") {
        None => None,
        Some(v) => Some(ScopeType::from_name(&v).ok_or_else(|| choice_error("content_type", &v))?),
    };
    Ok(RoleQuery {
        name: query.get("name"),
        description: query.get("description"),
        is_active: query.boolean("is_active"),
        is_system_role: query.boolean("is_system_role"),
        content_type,
        query: query.get("query"),
        order,
        page: paging::page_request(query)?,
        now: Utc::now(),
    })
}

/// List roles (anonymous callers too; `users_count` for staff and support only).
#[utoipa::path(
    tag = "roles",
    params(RoleListParams),
    responses((status = 200, body = Vec<RoleDetails>), (status = 400), (status = 401)),
    security((), ("TokenAuth" = []))
)]
#[get("/api/roles/")]
pub async fn roles_list(
    req: HttpRequest,
    caller: MaybeCaller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(&req);
    let request = list_query(&query)?;
    let actor = caller.0.as_ref().map(|c| &c.actor);
    let page = app.roles.list(actor, &request).await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, ROLE_FIELDS);
    let items = page
        .items
        .iter()
        .map(|v| Ok(fields.apply(to_object(&RoleDetails::new(v, &base))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &request.page, &page, items)
}

/// Retrieve one role (anonymous callers too).
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    responses((status = 200, body = RoleDetails), (status = 401), (status = 404)),
    security((), ("TokenAuth" = []))
)]
#[get("/api/roles/{uuid}/")]
pub async fn roles_retrieve(
    req: HttpRequest,
    caller: MaybeCaller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let uuid =
        tenancy_domain::validate::uuid::parse_uuid(&uuid).ok_or(ApiError::NotFound("Role"))?;
    let actor = caller.0.as_ref().map(|c| &c.actor);
    let view = app.roles.retrieve(actor, uuid).await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&QueryParams::of(&req), ROLE_FIELDS);
    Ok(json_response(
        HttpResponse::Ok(),
        &fields.apply(to_object(&RoleDetails::new(&view, &base))?),
    ))
}
