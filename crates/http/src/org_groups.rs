//! The organization-group endpoints (spec 04 §5) and `update_organization_groups` (§7.1).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::org_group::{GroupChanges, OrganizationGroup as DomainGroup};
use tenancy_ports::org_groups::{GroupLinks, GroupOrderKey, GroupQuery, MEMBERSHIP_KEY};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, MaybeCaller};
use crate::body::{type_name, JsonBody};
use crate::error::ApiError;
use crate::form::Form;
use crate::query::QueryParams;
use crate::render::{json_response, to_object, uuid_hex, BaseUrl, FieldSelection};
use crate::state::AppState;
use crate::{hyperlink, paging};

/// `OrganizationGroup`. A root has `parent: null` and **no** `parent_uuid`/`parent_name`
/// keys: the SDK raises on a `null` UUID (spec 04 §2.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 04 §2.1 under the same name"
)]
pub struct OrganizationGroup {
    pub uuid: String,
    pub url: String,
    pub name: String,
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_name: Option<String>,
    pub customers_count: i64,
}

/// The names of `OrganizationGroupFieldEnum`.
pub const GROUP_FIELDS: &[&str] = &[
    "uuid",
    "url",
    "name",
    "parent",
    "parent_uuid",
    "parent_name",
    "customers_count",
];

impl OrganizationGroup {
    /// The representation of `group`.
    pub fn new(group: &DomainGroup, base: &BaseUrl) -> Self {
        Self {
            uuid: uuid_hex(&group.uuid),
            url: base.object("organization-groups", &group.uuid),
            name: group.name.clone(),
            parent: group
                .parent
                .as_ref()
                .map(|p| base.object("organization-groups", &p.uuid)),
            parent_uuid: group.parent.as_ref().map(|p| uuid_hex(&p.uuid)),
            parent_name: group.parent.as_ref().map(|p| p.name.clone()),
            customers_count: group.customers_count,
        }
    }
}

/// `OrganizationGroupRequest` (`PatchedOrganizationGroupRequest` has no required key).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationGroupRequest {
    /// Name, 1–150 characters.
    pub name: String,
    /// Hyperlink to the parent group; `null` for a root.
    pub parent: Option<String>,
}

/// `OrganizationGroupsRequest`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationGroupsRequest {
    /// Hyperlinks to the groups the customer is to belong to (replaces the set).
    pub organization_groups: Vec<String>,
}

/// Query parameters of `GET /api/organization-groups/`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; parsing is QueryParams'"
)]
pub struct OrganizationGroupListParams {
    /// Name (icontains).
    name: Option<String>,
    /// Name (exact).
    name_exact: Option<String>,
    /// UUID (or URL) of a group: its direct children.
    parent: Option<String>,
    /// `name`, `customers_count`, optionally `-`, comma-separated.
    o: Option<Vec<String>>,
    /// Fields to return.
    field: Option<Vec<String>>,
    /// A page number within the paginated result set.
    page: Option<i64>,
    /// Number of results to return per page.
    page_size: Option<i64>,
}

fn group_uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    tenancy_domain::validate::uuid::parse_uuid(raw).ok_or(ApiError::NotFound("OrganizationGroup"))
}

fn render(req: &HttpRequest, app: &AppState, group: &DomainGroup) -> Result<Value, ApiError> {
    let base = BaseUrl::of(req, &app.urls);
    let fields = FieldSelection::from_query(&QueryParams::of(req), GROUP_FIELDS);
    Ok(fields.apply(to_object(&OrganizationGroup::new(group, &base))?))
}

/// A group body → changes plus JSON type errors.
fn changes(map: &Map<String, Value>) -> (GroupChanges, ValidationErrors) {
    let mut form = Form::new(map);
    let name = form.string("name");
    let parent = match form.value("parent").cloned() {
        None => None,
        Some(Value::Null) => Some(None),
        Some(link) => match hyperlink::parse(&link, "organization-groups") {
            Ok(uuid) => Some(Some(uuid)),
            Err(e) => {
                form.add("parent", e);
                None
            }
        },
    };
    (GroupChanges { name, parent }, form.finish())
}

fn list_query(query: &QueryParams) -> Result<GroupQuery, ApiError> {
    let parent = match query.get("parent") {
        None => None,
        Some(raw) => {
            // A UUID, or the group's URL (newer Waldur accepts both).
            let uuid = tenancy_domain::validate::uuid::parse_uuid(&raw).or_else(|| {
                hyperlink::parse(&Value::String(raw.clone()), "organization-groups").ok()
            });
            match uuid {
                Some(u) => Some(u),
                None => {
                    return Err(ApiError::Invalid(ValidationErrors::single(
                        "parent",
                        FieldError::new("Enter a valid UUID."),
                    )))
                }
            }
        }
    };
    let order = query.order_terms(GroupOrderKey::from_name);
    Ok(GroupQuery {
        name: query.get("name"),
        name_exact: query.get("name_exact"),
        parent,
        order,
        page: paging::page_request(query)?,
    })
}

/// List organization groups (anonymous callers too).
#[utoipa::path(
    tag = "organization-groups",
    params(OrganizationGroupListParams),
    responses((status = 200, body = Vec<OrganizationGroup>), (status = 400), (status = 401)),
    security((), ("TokenAuth" = []))
)]
#[get("/api/organization-groups/")]
pub async fn organization_groups_list(
    req: HttpRequest,
    _caller: MaybeCaller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(&req);
    let request = list_query(&query)?;
    let page = app.org_groups.list(&request).await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, GROUP_FIELDS);
    let items = page
        .items
        .iter()
        .map(|g| Ok(fields.apply(to_object(&OrganizationGroup::new(g, &base))?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &request.page, &page, items)
}

/// Retrieve one organization group (anonymous callers too).
#[utoipa::path(
    tag = "organization-groups",
    params(("uuid" = String, Path, description = "Organization group UUID")),
    responses((status = 200, body = OrganizationGroup), (status = 404)),
    security((), ("TokenAuth" = []))
)]
#[get("/api/organization-groups/{uuid}/")]
pub async fn organization_groups_retrieve(
    req: HttpRequest,
    _caller: MaybeCaller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let group = app.org_groups.retrieve(group_uuid(&uuid)?).await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, &group)?,
    ))
}

/// Create an organization group (staff only).
#[utoipa::path(
    tag = "organization-groups",
    request_body = OrganizationGroupRequest,
    responses((status = 201, body = OrganizationGroup), (status = 400), (status = 401), (status = 403))
)]
#[post("/api/organization-groups/")]
pub async fn organization_groups_create(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (changes, type_errors) = changes(&body.into_object()?);
    let group = app
        .org_groups
        .create(&caller.0.actor, changes, type_errors)
        .await?;
    let location = BaseUrl::of(&req, &app.urls).object("organization-groups", &group.uuid);
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    Ok(json_response(response, &render(&req, &app, &group)?))
}

async fn update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let (changes, type_errors) = changes(&body.into_object()?);
    let uuid = tenancy_domain::validate::uuid::parse_uuid(&uuid);
    let group = app
        .org_groups
        .update(&caller.0.actor, uuid, changes, type_errors, full)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render(&req, &app, &group)?,
    ))
}

/// Update an organization group (staff only; omitting `parent` keeps it).
#[utoipa::path(
    tag = "organization-groups",
    params(("uuid" = String, Path, description = "Organization group UUID")),
    request_body = OrganizationGroupRequest,
    responses((status = 200, body = OrganizationGroup), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[put("/api/organization-groups/{uuid}/")]
pub async fn organization_groups_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, true).await
}

/// Partially update an organization group (staff only).
#[utoipa::path(
    tag = "organization-groups",
    params(("uuid" = String, Path, description = "Organization group UUID")),
    request_body = OrganizationGroupRequest,
    responses((status = 200, body = OrganizationGroup), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[patch("/api/organization-groups/{uuid}/")]
pub async fn organization_groups_partial_update(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    update(req, caller, uuid, body, app, false).await
}

/// Delete an organization group, its subtree and their memberships (staff only).
#[utoipa::path(
    tag = "organization-groups",
    params(("uuid" = String, Path, description = "Organization group UUID")),
    responses((status = 204), (status = 401), (status = 403), (status = 404))
)]
#[delete("/api/organization-groups/{uuid}/")]
pub async fn organization_groups_destroy(
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let uuid = tenancy_domain::validate::uuid::parse_uuid(&uuid);
    app.org_groups.delete(&caller.0.actor, uuid).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The body of `update_organization_groups`: each item's hyperlink (or its error), or the
/// error of a missing or non-list value.
fn group_links(map: &Map<String, Value>) -> GroupLinks {
    let Some(value) = map.get(MEMBERSHIP_KEY) else {
        return Err(ValidationErrors::single(
            MEMBERSHIP_KEY,
            FieldError::required(),
        ));
    };
    let Value::Array(items) = value else {
        return Err(ValidationErrors::single(
            MEMBERSHIP_KEY,
            FieldError::new(format!(
                "Expected a list of items but got type \"{}\".",
                type_name(value)
            )),
        ));
    };
    Ok(items
        .iter()
        .map(|item| hyperlink::parse(item, "organization-groups"))
        .collect())
}

/// Replace the organization groups of a customer (staff only). 200 with an empty body.
#[utoipa::path(
    tag = "customers",
    params(("uuid" = String, Path, description = "Customer UUID")),
    request_body = OrganizationGroupsRequest,
    responses((status = 200, description = "Replaced; empty body"), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/customers/{uuid}/update_organization_groups/")]
pub async fn customers_update_organization_groups(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let links = group_links(&body.into_object()?);
    let customer = tenancy_domain::validate::uuid::parse_uuid(&uuid);
    app.org_groups
        .set_customer_groups(&caller.0.actor, customer, links)
        .await?;
    Ok(HttpResponse::Ok().finish())
}
