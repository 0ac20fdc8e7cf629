//! The team endpoints of customers and projects (spec 03 §5): `list_users`, `users`,
//! `add_user`, `update_user`, `delete_user`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::team::TeamAction;
use tenancy_ports::team::{
    GrantOrderKey, GrantQuery, GrantView, Member, MemberQuery, RoleRef, ScopeRef, TeamRequest,
};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::datetime::parse_datetime;
use crate::error::ApiError;
use crate::hyperlink;
use crate::paging;
use crate::query::QueryParams;
use crate::render::{datetime, json_response, to_object, uuid_hex, BaseUrl, FieldSelection};
use crate::state::AppState;

/// The team endpoints' message for an unparsable `expiration_time` (dates are accepted).
const EXPIRY_FORMAT_ERROR: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/// `UserRoleDetails` (spec 03 §5.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 03 §5.1 under the same name"
)]
pub struct UserRoleDetails {
    pub uuid: String,
    pub created: String,
    pub expiration_time: Option<String>,
    pub role_name: String,
    pub role_uuid: String,
    pub user_email: String,
    pub user_full_name: String,
    pub user_username: String,
    pub user_uuid: String,
    pub user_image: Option<String>,
    /// Omitted for grants made by the system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_full_name: Option<String>,
    /// Omitted for grants made by the system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_uuid: Option<String>,
}

/// The names of `UserRoleDetailsFieldEnum`.
const GRANT_FIELDS: &[&str] = &[
    "uuid",
    "created",
    "expiration_time",
    "role_name",
    "role_uuid",
    "user_email",
    "user_full_name",
    "user_username",
    "user_uuid",
    "user_image",
    "created_by_full_name",
    "created_by_uuid",
];

impl UserRoleDetails {
    fn new(g: &GrantView) -> Self {
        Self {
            uuid: uuid_hex(&g.uuid),
            created: datetime(&g.created),
            expiration_time: g.expiration_time.as_ref().map(datetime),
            role_name: g.role_name.clone(),
            role_uuid: uuid_hex(&g.role_uuid),
            user_email: g.user_email.clone(),
            user_full_name: g.user_full_name.clone(),
            user_username: g.user_username.clone(),
            user_uuid: uuid_hex(&g.user_uuid),
            user_image: None,
            created_by_full_name: g.created_by.as_ref().map(|(name, _)| name.clone()),
            created_by_uuid: g.created_by.as_ref().map(|(_, uuid)| uuid_hex(uuid)),
        }
    }
}

/// `NestedProjectPermission` (spec 03 §5.2).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(missing_docs, reason = "the keys of spec 03 §5.2")]
pub struct NestedProjectPermission {
    pub url: String,
    pub uuid: String,
    pub name: String,
    pub role_name: String,
    pub expiration_time: Option<String>,
}

/// `CustomerUser` (spec 03 §5.2).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(missing_docs, reason = "the keys of spec 03 §5.2")]
pub struct CustomerUser {
    pub url: String,
    pub uuid: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role_name: Option<String>,
    pub projects: Vec<NestedProjectPermission>,
    pub expiration_time: Option<String>,
    pub image: Option<String>,
}

/// The names of `CustomerUserFieldEnum`.
const MEMBER_FIELDS: &[&str] = &[
    "url",
    "uuid",
    "username",
    "full_name",
    "email",
    "role_name",
    "projects",
    "expiration_time",
    "image",
];

impl CustomerUser {
    fn new(m: &Member, base: &BaseUrl) -> Self {
        Self {
            url: base.object("users", &m.uuid),
            uuid: uuid_hex(&m.uuid),
            username: m.username.clone(),
            full_name: m.full_name.clone(),
            email: m.email.clone(),
            role_name: m.customer_role.as_ref().map(|(name, _)| name.clone()),
            projects: m
                .projects
                .iter()
                .map(|p| NestedProjectPermission {
                    url: base.object("projects", &p.uuid),
                    uuid: uuid_hex(&p.uuid),
                    name: p.name.clone(),
                    role_name: p.role_name.clone(),
                    expiration_time: p.expiration_time.as_ref().map(datetime),
                })
                .collect(),
            expiration_time: m
                .customer_role
                .as_ref()
                .and_then(|(_, t)| t.as_ref())
                .map(datetime),
            image: None,
        }
    }
}

/// `UserRoleCreateRequest` / `UserRoleUpdateRequest` / `UserRoleDeleteRequest`.
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; parsing is team_request's"
)]
pub struct UserRoleCreateRequest {
    /// A role UUID or an exact role name.
    role: String,
    /// The user's UUID.
    #[schema(format = Uuid)]
    user: String,
    /// Date-time or date; `null` or absent = permanent.
    expiration_time: Option<DateTime<Utc>>,
}

/// `UserRoleExpirationTime`: the grant's expiry after the change.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRoleExpirationTime {
    /// Date-time, or `null` for a permanent grant.
    pub expiration_time: Option<String>,
}

/// Query parameters of `list_users`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct ListUsersParams {
    /// User UUID.
    user: Option<String>,
    /// User URL.
    user_url: Option<String>,
    /// User username (exact).
    username: Option<String>,
    /// User full name (icontains, accents ignored).
    full_name: Option<String>,
    /// User native name (icontains).
    native_name: Option<String>,
    /// User slug (icontains).
    user_slug: Option<String>,
    /// Role UUID or name; repeatable.
    role: Option<Vec<String>>,
    /// First name, last name, e-mail or username (icontains).
    search_string: Option<String>,
    /// `username`, `full_name`, `native_name`, `email`, `expiration_time`, `created`, `role`, optionally `-`.
    o: Option<Vec<String>>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

/// Query parameters of `users`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct CustomerUsersParams {
    /// Exact.
    username: Option<String>,
    /// Full name (icontains, accents ignored).
    full_name: Option<String>,
    /// Full name, e-mail or username (icontains).
    user_keyword: Option<String>,
    /// icontains.
    email: Option<String>,
    /// icontains.
    native_name: Option<String>,
    /// icontains.
    organization: Option<String>,
    /// icontains.
    job_title: Option<String>,
    /// Exact.
    phone_number: Option<String>,
    /// Exact.
    description: Option<String>,
    /// Exact.
    civil_number: Option<String>,
    /// Exact.
    registration_method: Option<String>,
    /// Active users only (only active users are listed).
    is_active: Option<bool>,
    /// Date joined after.
    date_joined: Option<DateTime<Utc>>,
    /// Date modified after.
    modified: Option<DateTime<Utc>>,
    /// Agreement date after.
    agreement_date: Option<DateTime<Utc>>,
    /// Organization role names; repeatable.
    organization_role: Option<Vec<String>>,
    /// Project role names; repeatable.
    project_role: Option<Vec<String>>,
    /// `concatenated_name` or `-concatenated_name`.
    o: Option<String>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

fn invalid(param: &str, message: String) -> ApiError {
    ApiError::Invalid(ValidationErrors::single(param, FieldError::new(message)))
}

fn grant_query(query: &QueryParams) -> Result<GrantQuery, ApiError> {
    let user = match query.get("user") {
        None => None,
        Some(v) => Some(
            tenancy_domain::validate::uuid::parse_uuid(&v)
                .ok_or_else(|| invalid("user", "Enter a valid UUID.".into()))?,
        ),
    };
    // An unresolvable user URL filters everything out (spec 03 §5.1).
    let (user, nothing) = match query.get("user_url") {
        None => (user, false),
        Some(url) => match hyperlink::parse(&Value::String(url), "users") {
            Ok(u) if user.is_none_or(|given| given == u) => (Some(u), false),
            _ => (user, true),
        },
    };
    let order = query.strict_order_terms(GrantOrderKey::from_name)?;
    Ok(GrantQuery {
        user,
        nothing,
        username: query.get("username"),
        full_name: query.get("full_name"),
        native_name: query.get("native_name"),
        user_slug: query.get("user_slug"),
        roles: query
            .list("role")
            .iter()
            .map(|r| RoleRef::parse(r))
            .collect(),
        search_string: query.get("search_string"),
        order,
        page: paging::page_request(query)?,
        now: Utc::now(),
    })
}

fn member_query(query: &QueryParams) -> Result<MemberQuery, ApiError> {
    let mut errors = ValidationErrors::new();
    let mut after = |key: &str| match query.get(key) {
        None => None,
        Some(v) => {
            let parsed = parse_datetime(&v).or_else(|| date_at_midnight(&v));
            if parsed.is_none() {
                errors.add(key, FieldError::new("Enter a valid date/time."));
            }
            parsed
        }
    };
    let date_joined = after("date_joined");
    let modified = after("modified");
    let agreement_date = after("agreement_date");
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // Only `concatenated_name` orders this list; anything else keeps the default.
    let concatenated_name_descending = query.list("o").iter().find_map(|o| match o.as_str() {
        "concatenated_name" => Some(false),
        "-concatenated_name" => Some(true),
        _ => None,
    });
    Ok(MemberQuery {
        username: query.get("username"),
        full_name: query.get("full_name"),
        user_keyword: query.get("user_keyword"),
        email: query.get("email"),
        native_name: query.get("native_name"),
        organization: query.get("organization"),
        job_title: query.get("job_title"),
        phone_number: query.get("phone_number"),
        description: query.get("description"),
        civil_number: query.get("civil_number"),
        registration_method: query.get("registration_method"),
        is_active: query.boolean("is_active"),
        date_joined,
        modified,
        agreement_date,
        organization_role: query.list("organization_role"),
        project_role: query.list("project_role"),
        concatenated_name_descending,
        page: paging::page_request(query)?,
        now: Utc::now(),
    })
}

/// `YYYY-MM-DD` as midnight UTC.
fn date_at_midnight(text: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// Reads `role`, `user` and `expiration_time`; every error is kept for after the 404 and
/// 403 checks (spec 03 §5.0).
fn team_request(body: &Map<String, Value>) -> TeamRequest {
    let mut errors = ValidationErrors::new();
    let role = match body.get("role") {
        None => {
            errors.add("role", FieldError::required());
            None
        }
        Some(Value::Null) => {
            errors.add("role", FieldError::null());
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.add("role", FieldError::blank());
            None
        }
        Some(Value::String(s)) => Some(RoleRef::parse(s.trim())),
        Some(_) => {
            errors.add("role", FieldError::new("Not a valid string."));
            None
        }
    };
    let user = match body.get("user") {
        None => {
            errors.add("user", FieldError::required());
            None
        }
        Some(Value::Null) => {
            errors.add("user", FieldError::null());
            None
        }
        Some(value) => {
            let parsed = value
                .as_str()
                .and_then(|s| tenancy_domain::validate::uuid::parse_uuid(s.trim()));
            if parsed.is_none() {
                errors.add("user", FieldError::new("Must be a valid UUID."));
            }
            parsed
        }
    };
    let expiration_time = match body.get("expiration_time") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let s = s.trim();
            let parsed = parse_datetime(s).or_else(|| date_at_midnight(s));
            if parsed.is_none() {
                errors.add("expiration_time", FieldError::new(EXPIRY_FORMAT_ERROR));
            }
            parsed
        }
        Some(_) => {
            errors.add("expiration_time", FieldError::new(EXPIRY_FORMAT_ERROR));
            None
        }
    };
    TeamRequest {
        role,
        user,
        expiration_time,
        errors,
    }
}

/// The path's UUID as a scope; malformed UUIDs are unknown objects (404).
fn scope_of(
    make: fn(uuid::Uuid) -> ScopeRef,
    model: &'static str,
    raw: &str,
) -> Result<ScopeRef, ApiError> {
    tenancy_domain::validate::uuid::parse_uuid(raw)
        .map(make)
        .ok_or(ApiError::NotFound(model))
}

async fn list_grants(
    req: &HttpRequest,
    caller: &Caller,
    app: &AppState,
    scope: ScopeRef,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(req);
    let request = grant_query(&query)?;
    let page = app
        .team
        .list_grants(&caller.0.actor, scope, &request)
        .await?;
    let base = BaseUrl::of(req, &app.urls);
    let fields = FieldSelection::from_query(&query, GRANT_FIELDS);
    let items = page
        .items
        .iter()
        .map(|g| Ok(fields.apply(to_object(&UserRoleDetails::new(g))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(req, &base, &query, &request.page, &page, items)
}

async fn change(
    caller: &Caller,
    app: &AppState,
    scope: ScopeRef,
    body: JsonBody,
    action: TeamAction,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let body = body.into_object()?;
    let request = team_request(&body);
    Ok(app
        .team
        .change(&caller.0.actor, scope, action, request)
        .await?)
}

fn expiry_response(
    builder: actix_web::HttpResponseBuilder,
    expiry: Option<DateTime<Utc>>,
) -> HttpResponse {
    json_response(
        builder,
        &json!({ "expiration_time": expiry.as_ref().map(datetime) }),
    )
}

/// List the effective grants on a customer (anyone who can see it).
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID"), ListUsersParams),
    responses((status = 200, body = Vec<UserRoleDetails>), (status = 400), (status = 401), (status = 404))
)]
#[get("/api/customers/{uuid}/list_users/")]
pub async fn customers_list_users_list(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Customer, "Customer", &uuid)?;
    list_grants(&req, &caller, &app, scope).await
}

/// List the people of a customer: users with a role in it or in one of its projects
/// (staff, support, or `CUSTOMER.LIST_USERS`).
#[utoipa::path(
    tag = "customers",
    params(("customer_uuid" = String, Path, description = "UUID of the customer"), CustomerUsersParams),
    responses((status = 200, body = Vec<CustomerUser>), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[get("/api/customers/{customer_uuid}/users/")]
pub async fn customers_users_list(
    req: HttpRequest,
    caller: Caller,
    customer_uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let customer = tenancy_domain::validate::uuid::parse_uuid(&customer_uuid)
        .ok_or(ApiError::NotFound("Customer"))?;
    let query = QueryParams::of(&req);
    let request = member_query(&query)?;
    let page = app
        .team
        .list_members(&caller.0.actor, customer, &request)
        .await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, MEMBER_FIELDS);
    let items = page
        .items
        .iter()
        .map(|m| Ok(fields.apply(to_object(&CustomerUser::new(m, &base))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &request.page, &page, items)
}

/// Grant a role on a customer.
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 201, body = UserRoleExpirationTime), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/customers/{uuid}/add_user/")]
pub async fn customers_add_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Customer, "Customer", &uuid)?;
    let expiry = change(&caller, &app, scope, body, TeamAction::Add).await?;
    Ok(expiry_response(HttpResponse::Created(), expiry))
}

/// Change the expiry of a customer grant (`null` or absent = permanent).
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 200, body = UserRoleExpirationTime), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/customers/{uuid}/update_user/")]
pub async fn customers_update_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Customer, "Customer", &uuid)?;
    let expiry = change(&caller, &app, scope, body, TeamAction::Update).await?;
    Ok(expiry_response(HttpResponse::Ok(), expiry))
}

/// Revoke a customer grant (200 also when there is none).
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 200, description = "Revoked; empty body"), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/customers/{uuid}/delete_user/")]
pub async fn customers_delete_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Customer, "Customer", &uuid)?;
    change(&caller, &app, scope, body, TeamAction::Revoke).await?;
    Ok(HttpResponse::Ok().finish())
}

/// List the effective grants on a project (anyone who can see it).
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID"), ListUsersParams),
    responses((status = 200, body = Vec<UserRoleDetails>), (status = 400), (status = 401), (status = 404))
)]
#[get("/api/projects/{uuid}/list_users/")]
pub async fn projects_list_users_list(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Project, "Project", &uuid)?;
    list_grants(&req, &caller, &app, scope).await
}

/// Grant a role on a project.
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 201, body = UserRoleExpirationTime), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/projects/{uuid}/add_user/")]
pub async fn projects_add_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Project, "Project", &uuid)?;
    let expiry = change(&caller, &app, scope, body, TeamAction::Add).await?;
    Ok(expiry_response(HttpResponse::Created(), expiry))
}

/// Change the expiry of a project grant (`null` or absent = permanent).
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 200, body = UserRoleExpirationTime), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/projects/{uuid}/update_user/")]
pub async fn projects_update_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Project, "Project", &uuid)?;
    let expiry = change(&caller, &app, scope, body, TeamAction::Update).await?;
    Ok(expiry_response(HttpResponse::Ok(), expiry))
}

/// Revoke a project grant (200 also when there is none).
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    request_body = UserRoleCreateRequest,
    responses((status = 200, description = "Revoked; empty body"), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/projects/{uuid}/delete_user/")]
pub async fn projects_delete_user(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(ScopeRef::Project, "Project", &uuid)?;
    change(&caller, &app, scope, body, TeamAction::Revoke).await?;
    Ok(HttpResponse::Ok().finish())
}
