//! `/api/roles/` (spec 03 §7): anyone may list and retrieve roles; staff create, change,
//! enable, disable and delete them.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::role::{RoleChanges, RoleWrite, ScopeType};
use tenancy_ports::roles::{RoleOrderKey, RoleQuery, RoleView};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, MaybeCaller};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::form::Form;
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
    pub fn new(view: &RoleView) -> Self {
        let role = &view.role;
        Self {
            uuid: uuid_hex(&role.uuid),
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

/// `RoleModifyRequest`: the body of `POST` and `PUT` (spec 03 §7.3). The per-language
/// `description_*` keys of the SDK model are accepted and ignored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleModifyRequest {
    /// Unique name, 1–150 characters.
    pub name: String,
    /// Permission names, each a value of the SDK's `ValueEnum`; duplicates collapse.
    pub permissions: Vec<String>,
    /// `customer` or `project`.
    pub content_type: String,
    /// Up to 2000 characters; default empty (on `PUT`, absent keeps the stored value).
    #[schema(required = false, nullable = false)]
    pub description: Option<String>,
    /// Default `true` (on `PUT`, absent keeps the stored value).
    #[schema(required = false, nullable = false)]
    pub is_active: Option<bool>,
}

/// `PatchedRoleDetailsRequest`: the body of `PATCH`; no key is required, and
/// `permissions` / `content_type` are not part of it (ignored when sent).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatchedRoleDetailsRequest {
    /// Unique name, 1–150 characters (a system role's name cannot change).
    #[schema(required = false, nullable = false)]
    pub name: Option<String>,
    /// Up to 2000 characters.
    #[schema(required = false, nullable = false)]
    pub description: Option<String>,
    /// Whether new grants of the role are allowed.
    #[schema(required = false, nullable = false)]
    pub is_active: Option<bool>,
}

/// The answer of `enable` and `disable`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleActivationDetail {
    /// `The role <name> has been enabled` (or `disabled`).
    pub detail: String,
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
    let order = query.strict_order_terms(RoleOrderKey::from_name)?;
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
        .map(|v| Ok(fields.apply(to_object(&RoleDetails::new(v))?)))
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
    let fields = FieldSelection::from_query(&QueryParams::of(&req), ROLE_FIELDS);
    Ok(json_response(
        HttpResponse::Ok(),
        &fields.apply(to_object(&RoleDetails::new(&view))?),
    ))
}

fn role_uuid(raw: &str) -> Option<uuid::Uuid> {
    tenancy_domain::validate::uuid::parse_uuid(raw)
}

fn render(req: &HttpRequest, view: &RoleView) -> Result<Value, ApiError> {
    let fields = FieldSelection::from_query(&QueryParams::of(req), ROLE_FIELDS);
    Ok(fields.apply(to_object(&RoleDetails::new(view))?))
}

/// A role body → changes plus JSON type errors; a `PATCH` reads only its three keys.
fn changes(map: &Map<String, Value>, write: RoleWrite) -> (RoleChanges, ValidationErrors) {
    let mut form = Form::new(map);
    let name = form.string("name");
    let (permissions, content_type) = if write == RoleWrite::Partial {
        (None, None)
    } else {
        (form.string_list("permissions"), form.string("content_type"))
    };
    let description = form.string("description");
    let is_active = form.boolean("is_active");
    let changes = RoleChanges {
        name,
        permissions,
        content_type,
        description,
        is_active,
    };
    (changes, form.finish())
}

/// Create a custom role (staff only).
#[utoipa::path(
    tag = "roles",
    request_body = RoleModifyRequest,
    responses((status = 201, body = RoleDetails), (status = 400), (status = 401), (status = 403))
)]
#[post("/api/roles/")]
pub async fn roles_create(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (changes, type_errors) = changes(&body.into_object()?, RoleWrite::Create);
    let view = app
        .roles
        .create(&caller.0.actor, changes, type_errors)
        .await?;
    let location = BaseUrl::of(&req, &app.urls).object("roles", &view.role.uuid);
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    Ok(json_response(response, &render(&req, &view)?))
}

async fn update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
    write: RoleWrite,
) -> Result<HttpResponse, ApiError> {
    let (changes, type_errors) = changes(&body.into_object()?, write);
    let uuid = role_uuid(&uuid);
    let actor = &caller.0.actor;
    let view = if write == RoleWrite::Partial {
        app.roles
            .partial_update(actor, uuid, changes, type_errors)
            .await?
    } else {
        app.roles.update(actor, uuid, changes, type_errors).await?
    };
    Ok(json_response(HttpResponse::Ok(), &render(&req, &view)?))
}

/// Update a role (staff only): name, description, scope, active flag and permissions.
/// A system role keeps its name and scope; a role in use keeps its scope.
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    request_body = RoleModifyRequest,
    responses((status = 200, body = RoleDetails), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[put("/api/roles/{uuid}/")]
pub async fn roles_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, RoleWrite::Replace).await
}

/// Partially update a role (staff only): name, description and active flag.
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    request_body = PatchedRoleDetailsRequest,
    responses((status = 200, body = RoleDetails), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[patch("/api/roles/{uuid}/")]
pub async fn roles_partial_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, RoleWrite::Partial).await
}

/// Delete a custom role without current grants (staff only); its revoked and expired
/// grant rows go with it. System roles and roles in use: 400 with a bare list.
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[delete("/api/roles/{uuid}/")]
pub async fn roles_destroy(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    app.roles.delete(&caller.0.actor, role_uuid(&uuid)).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn activation(name: &str, state: &str) -> HttpResponse {
    json_response(
        HttpResponse::Ok(),
        &json!({ "detail": format!("The role {name} has been {state}") }),
    )
}

/// Enable a role: new grants of it are allowed again (staff only; idempotent, no body).
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    responses((status = 200, body = RoleActivationDetail), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/roles/{uuid}/enable/")]
pub async fn roles_enable(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let role = app.roles.enable(&caller.0.actor, role_uuid(&uuid)).await?;
    Ok(activation(&role.name, "enabled"))
}

/// Disable a role: no new grants of it; existing grants keep working (staff only;
/// idempotent, no body).
#[utoipa::path(
    tag = "roles",
    params(("uuid" = String, Path, description = "Role UUID")),
    responses((status = 200, body = RoleActivationDetail), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/roles/{uuid}/disable/")]
pub async fn roles_disable(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let role = app.roles.disable(&caller.0.actor, role_uuid(&uuid)).await?;
    Ok(activation(&role.name, "disabled"))
}
