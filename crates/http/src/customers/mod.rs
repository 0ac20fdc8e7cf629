//! The customer endpoints (spec 02 §6): thin handlers that translate and call one use case.

pub mod request;
pub mod wire;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::Utc;
use tenancy_ports::customers::{CustomerFilters, CustomerOrderKey, CustomerQuery, CustomerView};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::paging;
use crate::query::QueryParams;
use crate::render::{json_response, to_object, BaseUrl, FieldSelection};
use crate::state::AppState;
use wire::{Customer, CustomerRequest, CUSTOMER_FIELDS};

/// The `{uuid}` of a customer path; a malformed UUID is an unknown customer (404).
fn customer_uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    tenancy_domain::validate::uuid::parse_uuid(raw).ok_or(ApiError::NotFound("Customer"))
}

fn render(
    req: &HttpRequest,
    app: &AppState,
    view: &CustomerView,
) -> Result<serde_json::Value, ApiError> {
    let base = BaseUrl::of(req, &app.urls);
    let fields = FieldSelection::from_query(&QueryParams::of(req), CUSTOMER_FIELDS);
    Ok(fields.apply(to_object(&Customer::new(view, &base))?))
}

/// Query parameters of `GET /api/customers/` (spec 02 §6.1).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct CustomerListParams {
    /// Name (icontains).
    name: Option<String>,
    /// Name (exact).
    name_exact: Option<String>,
    /// Native name (icontains).
    native_name: Option<String>,
    /// Abbreviation (icontains).
    abbreviation: Option<String>,
    /// Contact details (icontains).
    contact_details: Option<String>,
    /// Registration code (exact).
    registration_code: Option<String>,
    /// Agreement number (exact).
    agreement_number: Option<String>,
    /// Backend id (exact).
    backend_id: Option<String>,
    /// Slug (exact).
    slug: Option<String>,
    /// Archived flag.
    archived: Option<bool>,
    /// Filter by name, native name, abbreviation, domain, UUID, registration code or agreement number.
    query: Option<String>,
    /// Filter by whether accounting is running.
    accounting_is_running: Option<bool>,
    /// Filter by customers with resources.
    has_resources: Option<String>,
    /// Filter by service provider.
    service_provider_uuid: Option<uuid::Uuid>,
    /// Filter by customers that are service providers.
    is_service_provider: Option<bool>,
    /// Filter by customers that are call managing organizations.
    is_call_managing_organization: Option<bool>,
    /// Direct members of any of these groups (repeatable).
    organization_group_uuid: Option<Vec<uuid::Uuid>>,
    /// Members of a group whose name contains this.
    organization_group_name: Option<String>,
    /// Which field to use when ordering the results.
    o: Option<Vec<String>>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

fn list_query(query: &QueryParams) -> Result<CustomerQuery, ApiError> {
    let filters = CustomerFilters {
        name: query.get("name"),
        name_exact: query.get("name_exact"),
        native_name: query.get("native_name"),
        abbreviation: query.get("abbreviation"),
        contact_details: query.get("contact_details"),
        registration_code: query.get("registration_code"),
        agreement_number: query.get("agreement_number"),
        backend_id: query.get("backend_id"),
        slug: query.get("slug"),
        archived: query.boolean("archived"),
        query: query.get("query"),
        accounting_is_running: query.boolean("accounting_is_running"),
        // Any value selects customers with resources, except one parsing as false.
        has_resources: query
            .has("has_resources")
            .then(|| query.boolean("has_resources") != Some(false)),
        service_provider_uuid: query
            .get("service_provider_uuid")
            .and_then(|v| tenancy_domain::validate::uuid::parse_uuid(&v)),
        is_service_provider: query.boolean("is_service_provider") == Some(true),
        is_call_managing_organization: query.boolean("is_call_managing_organization") == Some(true),
        // Resolved (and validated) by the use case from the raw values.
        organization_group_uuid: Vec::new(),
        organization_group_name: query.get("organization_group_name"),
        owned_by_current_user: query.boolean("owned_by_current_user") == Some(true),
        current_user_has_project_create_permission: query
            .boolean("current_user_has_project_create_permission")
            == Some(true),
        current_user_has_role: query.list("current_user_has_role"),
        user_uuid: query
            .get("user_uuid")
            .map(|v| tenancy_domain::validate::uuid::parse_uuid(&v)),
    };
    // DRF ordering: unknown keys are dropped silently (spec 02 §6.1).
    let order = query.order_terms(CustomerOrderKey::from_name);
    Ok(CustomerQuery {
        filters,
        order,
        page: paging::page_request(query)?,
        now: Utc::now(),
    })
}

/// List the customers the caller may see.
#[utoipa::path(
    tag = "customers",
    params(CustomerListParams),
    responses(
        (status = 200, body = Vec<Customer>, headers(("X-Result-Count" = i64), ("Link" = String))),
        (status = 401), (status = 404, description = "Invalid page.")
    )
)]
#[get("/api/customers/")]
pub async fn customers_list(
    req: HttpRequest,
    caller: Caller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(&req);
    let request = list_query(&query)?;
    let page_request = request.page;
    let groups = query.list("organization_group_uuid");
    let page = app
        .customers
        .list(&caller.0.actor, request, &groups)
        .await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, CUSTOMER_FIELDS);
    let items = page
        .items
        .iter()
        .map(|view| Ok(fields.apply(to_object(&Customer::new(view, &base))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &page_request, &page, items)
}

/// Retrieve one customer.
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    responses((status = 200, body = Customer), (status = 401), (status = 404))
)]
#[get("/api/customers/{uuid}/")]
pub async fn customers_retrieve(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let view = app
        .customers
        .retrieve(&caller.0.actor, customer_uuid(&uuid)?)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, &view)?,
    ))
}

/// Create a customer (staff only).
#[utoipa::path(
    tag = "customers",
    request_body = CustomerRequest,
    responses((status = 201, body = Customer), (status = 400), (status = 401), (status = 403))
)]
#[post("/api/customers/")]
pub async fn customers_create(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (changes, type_errors) = request::changes(&body.into_object()?);
    let view = app
        .customers
        .create(&caller.0.actor, changes, type_errors)
        .await?;
    let body = render(&req, &app, &view)?;
    let location = BaseUrl::of(&req, &app.urls).object("customers", &view.customer.uuid);
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
    // Body parse errors come before the lookup (spec 01 §8.3), so a malformed body sent to
    // a malformed UUID is a 400, not a 404.
    let (changes, type_errors) = request::changes(&body.into_object()?);
    let uuid = customer_uuid(&uuid)?;
    let view = app
        .customers
        .update(&caller.0.actor, uuid, changes, type_errors, full)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, &view)?,
    ))
}

/// Update a customer (`name` required; omitted keys keep their values).
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = CustomerRequest,
    responses((status = 200, body = Customer), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[put("/api/customers/{uuid}/")]
pub async fn customers_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, true).await
}

/// Partially update a customer.
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = CustomerRequest,
    responses((status = 200, body = Customer), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[patch("/api/customers/{uuid}/")]
pub async fn customers_partial_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, false).await
}

/// Delete a customer (staff only; 409 while it has active projects).
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409))
)]
#[delete("/api/customers/{uuid}/")]
pub async fn customers_destroy(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    app.customers
        .delete(&caller.0.actor, customer_uuid(&uuid)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
