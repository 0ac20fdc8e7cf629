//! The project endpoints (spec 06 §4): list, retrieve, create, update and soft delete.
//! The team routes of projects live elsewhere (03 §5.7).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::policy;
use tenancy_domain::project::{effective_end_date, is_in_grace_period, ProjectChanges};
use tenancy_domain::user::Actor;
use tenancy_domain::validate::uuid::parse_uuid;
use tenancy_ports::projects::{
    ProjectFilters, ProjectOrderKey, ProjectQuery, ProjectView, UserFilter, CUSTOMER_KEY,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::datetime::parse_datetime;
use crate::error::ApiError;
use crate::form::Form;
use crate::query::QueryParams;
use crate::render::{datetime, json_response, to_object, uuid_hex, BaseUrl, FieldSelection};
use crate::state::AppState;
use crate::{hyperlink, paging};

/// `Project` (spec 06 §4.9), keys in the order of the spec's table. `staff_notes` is
/// absent for callers who are neither staff nor support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 06 §4.9 under the same name"
)]
pub struct Project {
    pub url: String,
    pub uuid: String,
    pub name: String,
    pub slug: String,
    pub customer: String,
    pub customer_uuid: String,
    pub customer_name: String,
    pub customer_slug: String,
    pub customer_native_name: String,
    pub customer_abbreviation: String,
    pub description: String,
    pub customer_display_billing_info_in_projects: bool,
    pub created: String,
    /// Project type: always `null` (no project types).
    #[serde(rename = "type")]
    pub project_type: Option<String>,
    pub type_name: Option<String>,
    pub type_uuid: Option<String>,
    pub backend_id: String,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub end_date: Option<String>,
    pub end_date_requested_by: Option<String>,
    pub end_date_updated_at: Option<String>,
    pub resources_count: i64,
    /// `default`, `course` or `public`.
    pub kind: String,
    pub is_removed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_notes: Option<String>,
    pub grace_period_days: Option<i64>,
    pub customer_grace_period_days: Option<i64>,
    /// `YYYY-MM-DD`.
    pub effective_end_date: Option<String>,
    pub is_in_grace_period: bool,
}

/// The names `field` may select (`ProjectFieldEnum`, as far as they are emitted).
pub const PROJECT_FIELDS: &[&str] = &[
    "url",
    "uuid",
    "name",
    "slug",
    "customer",
    "customer_uuid",
    "customer_name",
    "customer_slug",
    "customer_native_name",
    "customer_abbreviation",
    "description",
    "customer_display_billing_info_in_projects",
    "created",
    "type",
    "type_name",
    "type_uuid",
    "backend_id",
    "start_date",
    "end_date",
    "end_date_requested_by",
    "end_date_updated_at",
    "resources_count",
    "kind",
    "is_removed",
    "staff_notes",
    "grace_period_days",
    "customer_grace_period_days",
    "effective_end_date",
    "is_in_grace_period",
];

fn date(value: Option<NaiveDate>) -> Option<String> {
    value.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Project {
    /// The representation of `view` for `actor` on `today` (UTC).
    pub fn new(view: &ProjectView, base: &BaseUrl, actor: &Actor, today: NaiveDate) -> Self {
        let p = &view.project;
        let f = &p.fields;
        let c = &view.customer;
        let effective = effective_end_date(f.end_date, f.grace_period_days, c.grace_period_days);
        Self {
            url: base.object("projects", &p.uuid),
            uuid: uuid_hex(&p.uuid),
            name: f.name.clone(),
            slug: f.slug.clone(),
            customer: base.object("customers", &c.uuid),
            customer_uuid: uuid_hex(&c.uuid),
            customer_name: c.name.clone(),
            customer_slug: c.slug.clone(),
            customer_native_name: c.native_name.clone(),
            customer_abbreviation: c.abbreviation.clone(),
            description: f.description.clone(),
            customer_display_billing_info_in_projects: c.display_billing_info_in_projects,
            created: datetime(&p.created),
            project_type: None,
            type_name: None,
            type_uuid: None,
            backend_id: f.backend_id.clone(),
            start_date: date(f.start_date),
            end_date: date(f.end_date),
            end_date_requested_by: view
                .end_date_requested_by
                .as_ref()
                .map(|u| base.object("users", u)),
            end_date_updated_at: f.end_date_updated_at.as_ref().map(datetime),
            resources_count: view.resources_count,
            kind: f.kind.name().to_owned(),
            is_removed: p.is_removed,
            staff_notes: policy::may_read_staff_notes(actor).then(|| f.staff_notes.clone()),
            grace_period_days: f.grace_period_days,
            customer_grace_period_days: c.grace_period_days,
            effective_end_date: date(effective),
            is_in_grace_period: is_in_grace_period(today, f.end_date, effective),
        }
    }
}

/// `ProjectRequest`: the `POST`/`PUT` body (`name` and `customer` required). Parsing is
/// done with DRF's coercions by [`changes`]; this type documents the body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 06 §4.3 under the same name"
)]
pub struct ProjectRequest {
    pub name: String,
    /// Hyperlink to a customer the caller can see.
    pub customer: String,
    pub description: Option<String>,
    /// Staff only.
    pub slug: Option<String>,
    pub backend_id: Option<String>,
    /// `YYYY-MM-DD`, not before today.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, not before today; setting it requires `PROJECT.DELETE`.
    pub end_date: Option<String>,
    /// `default`, `course` or `public`.
    pub kind: Option<String>,
    /// Staff only.
    pub staff_notes: Option<String>,
    /// Staff only.
    pub grace_period_days: Option<i64>,
}

/// `PatchedProjectRequest`: the `PATCH` body, no key required; `customer` is ignored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 06 §4.4 under the same name"
)]
pub struct PatchedProjectRequest {
    pub name: Option<String>,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub slug: Option<String>,
    pub backend_id: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub kind: Option<String>,
    pub staff_notes: Option<String>,
    pub grace_period_days: Option<i64>,
}

/// A project body → changes, the `customer` link's UUID (if readable) and the JSON type
/// errors. Unknown and ignored keys (`type`, `oecd_fos_2007_code`, …) are not read.
pub fn changes(map: &Map<String, Value>) -> (ProjectChanges, Option<Uuid>, ValidationErrors) {
    let mut f = Form::new(map);
    let changes = ProjectChanges {
        name: f.string("name"),
        slug: f.string("slug"),
        description: f.string("description"),
        backend_id: f.string("backend_id"),
        start_date: f.nullable_date("start_date"),
        end_date: f.nullable_date("end_date"),
        kind: f.string("kind"),
        staff_notes: f.string("staff_notes"),
        grace_period_days: f.nullable_integer("grace_period_days"),
    };
    let customer = match f.value(CUSTOMER_KEY).cloned() {
        None => None,
        Some(Value::Null) => {
            f.add(CUSTOMER_KEY, FieldError::null());
            None
        }
        Some(link) => match hyperlink::parse(&link, "customers") {
            Ok(uuid) => Some(uuid),
            Err(e) => {
                f.add(CUSTOMER_KEY, e);
                None
            }
        },
    };
    (changes, customer, f.finish())
}

/// Query parameters of `GET /api/projects/` (spec 06 §4.7).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct ProjectListParams {
    /// Customer UUIDs (repeated or comma-separated).
    customer: Option<Vec<String>>,
    /// Name (icontains).
    name: Option<String>,
    /// Name (exact).
    name_exact: Option<String>,
    /// Slug (exact).
    slug: Option<String>,
    /// Description (icontains).
    description: Option<String>,
    /// Backend id (exact).
    backend_id: Option<String>,
    /// Name or slug (icontains), or UUID.
    query: Option<String>,
    /// Customer name (icontains).
    customer_name: Option<String>,
    /// Customer native name (icontains).
    customer_native_name: Option<String>,
    /// Customer abbreviation (icontains).
    customer_abbreviation: Option<String>,
    /// Projects whose customer the caller owns or which the caller manages.
    can_manage: Option<bool>,
    /// Projects the caller administers.
    can_admin: Option<bool>,
    /// Role names or UUIDs the caller holds on the project.
    current_user_has_role: Option<Vec<String>>,
    /// Projects visible to this user.
    user_uuid: Option<String>,
    /// Projects where this user holds a role.
    user_uuid_with_active_role: Option<String>,
    /// Include soft-deleted projects.
    include_terminated: Option<bool>,
    /// Soft-deletion flag.
    is_removed: Option<bool>,
    /// Exclude projects whose end date has passed.
    conceal_finished_projects: Option<bool>,
    /// Created at or after.
    created: Option<String>,
    /// Modified at or after.
    modified: Option<String>,
    /// Created at or before.
    created_before: Option<String>,
    /// Modified at or before.
    modified_before: Option<String>,
    /// Whether the customer's accounting is running.
    accounting_is_running: Option<bool>,
    /// `name`, `created`, `customer_name`, `customer_native_name`, `customer_abbreviation`,
    /// `end_date`, `start_date`, `estimated_cost`, optionally `-`.
    o: Option<Vec<String>>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

fn param_error(param: &str, message: String) -> ApiError {
    ApiError::Invalid(ValidationErrors::single(param, FieldError::new(message)))
}

fn user_filter(query: &QueryParams, key: &str) -> Option<UserFilter> {
    query
        .get(key)
        .map(|raw| parse_uuid(&raw).map_or(UserFilter::Nothing, UserFilter::User))
}

fn list_query(query: &QueryParams) -> Result<ProjectQuery, ApiError> {
    let mut customer = Vec::new();
    for raw in query.list("customer") {
        customer.push(
            parse_uuid(&raw)
                .ok_or_else(|| param_error("customer", "Enter a valid UUID.".into()))?,
        );
    }
    let datetime_param = |key: &str| match query.get(key) {
        None => Ok(None),
        // Django's form `DateTimeField` also takes a bare date (midnight UTC).
        Some(raw) => parse_datetime(&raw)
            .or_else(|| {
                crate::form::parse_date(&raw)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            })
            .map(Some)
            .ok_or_else(|| param_error(key, "Enter a valid date/time.".into())),
    };
    // `o` is an enum list in the SDK: an unknown key is a 400 (spec 01 §7.4).
    let order = query.strict_order_terms(ProjectOrderKey::from_name)?;
    let filters = ProjectFilters {
        customer,
        name: query.get("name"),
        name_exact: query.get("name_exact"),
        slug: query.get("slug"),
        description: query.get("description"),
        backend_id: query.get("backend_id"),
        query: query.get("query"),
        customer_name: query.get("customer_name"),
        customer_native_name: query.get("customer_native_name"),
        customer_abbreviation: query.get("customer_abbreviation"),
        // Any valid boolean, true or false, applies the filter (Waldur quirk kept).
        can_manage: query.boolean("can_manage").is_some(),
        can_admin: query.boolean("can_admin").is_some(),
        current_user_has_role: query.list("current_user_has_role"),
        user_uuid: user_filter(query, "user_uuid"),
        user_uuid_with_active_role: user_filter(query, "user_uuid_with_active_role"),
        include_terminated: query.boolean("include_terminated") == Some(true),
        is_removed: query.boolean("is_removed"),
        conceal_finished_projects: query.boolean("conceal_finished_projects") == Some(true),
        created: datetime_param("created")?,
        modified: datetime_param("modified")?,
        created_before: datetime_param("created_before")?,
        modified_before: datetime_param("modified_before")?,
        accounting_is_running: query.boolean("accounting_is_running"),
    };
    Ok(ProjectQuery {
        filters,
        order,
        page: paging::page_request(query)?,
        now: Utc::now(),
    })
}

/// The `{uuid}` of a project path; a malformed UUID is an unknown project (404).
fn project_uuid(raw: &str) -> Result<Uuid, ApiError> {
    parse_uuid(raw).ok_or(ApiError::NotFound(tenancy_ports::projects::MODEL))
}

fn render(
    req: &HttpRequest,
    app: &AppState,
    actor: &Actor,
    view: &ProjectView,
) -> Result<Value, ApiError> {
    let base = BaseUrl::of(req, &app.urls);
    let fields = FieldSelection::from_query(&QueryParams::of(req), PROJECT_FIELDS);
    let today = Utc::now().date_naive();
    Ok(fields.apply(to_object(&Project::new(view, &base, actor, today))?))
}

/// List the projects the caller may see.
#[utoipa::path(
    tag = "projects",
    params(ProjectListParams),
    responses(
        (status = 200, body = Vec<Project>, headers(("X-Result-Count" = i64), ("Link" = String))),
        (status = 400), (status = 401), (status = 404, description = "Invalid page.")
    )
)]
#[get("/api/projects/")]
pub async fn projects_list(
    req: HttpRequest,
    caller: Caller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(&req);
    let request = list_query(&query)?;
    let page_request = request.page;
    let today = request.now.date_naive();
    let actor = &caller.0.actor;
    let page = app.projects.list(actor, request).await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, PROJECT_FIELDS);
    let items = page
        .items
        .iter()
        .map(|view| Ok(fields.apply(to_object(&Project::new(view, &base, actor, today))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &page_request, &page, items)
}

/// Retrieve one project (`include_terminated=true` also finds soft-deleted ones).
#[utoipa::path(
    tag = "projects",
    params(
        ("uuid" = String, Path, description = "Project UUID"),
        ("include_terminated" = Option<bool>, Query, description = "Also find a soft-deleted project"),
        ("field" = Option<Vec<String>>, Query, description = "Fields to return")
    ),
    responses((status = 200, body = Project), (status = 401), (status = 404))
)]
#[get("/api/projects/{uuid}/")]
pub async fn projects_retrieve(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let include_terminated = QueryParams::of(&req).boolean("include_terminated") == Some(true);
    let actor = &caller.0.actor;
    let view = app
        .projects
        .retrieve(actor, project_uuid(&uuid)?, include_terminated)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, actor, &view)?,
    ))
}

/// Create a project in a customer (staff, or holders of `PROJECT.CREATE` — owners).
#[utoipa::path(
    tag = "projects",
    request_body = ProjectRequest,
    responses((status = 201, body = Project), (status = 400), (status = 401), (status = 403))
)]
#[post("/api/projects/")]
pub async fn projects_create(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (changes, customer, type_errors) = changes(&body.into_object()?);
    let actor = &caller.0.actor;
    let view = app
        .projects
        .create(actor, changes, customer, type_errors)
        .await?;
    let body = render(&req, &app, actor, &view)?;
    let location = BaseUrl::of(&req, &app.urls).object("projects", &view.project.uuid);
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    Ok(json_response(response, &body))
}

async fn update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    // Body parse errors come before the lookup (spec 01 §8.3).
    let (changes, _customer, type_errors) = changes(&body.into_object()?);
    let uuid = project_uuid(&uuid)?;
    let actor = &caller.0.actor;
    let view = app
        .projects
        .update(actor, uuid, changes, type_errors, full)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, actor, &view)?,
    ))
}

/// Update a project (`name` required; omitted keys keep their values).
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    request_body = ProjectRequest,
    responses((status = 200, body = Project), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[put("/api/projects/{uuid}/")]
pub async fn projects_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, true).await
}

/// Partially update a project.
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    request_body = PatchedProjectRequest,
    responses((status = 200, body = Project), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[patch("/api/projects/{uuid}/")]
pub async fn projects_partial_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, false).await
}

/// Soft-delete a project and revoke its grants (staff, or holders of `PROJECT.DELETE` on
/// the customer — owners).
#[utoipa::path(
    tag = "projects",
    params(("uuid" = String, Path, description = "Project UUID")),
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409))
)]
#[delete("/api/projects/{uuid}/")]
pub async fn projects_destroy(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    app.projects
        .delete(&caller.0.actor, project_uuid(&uuid)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
