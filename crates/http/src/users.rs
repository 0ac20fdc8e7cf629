//! The user endpoints of spec 06 §1.5 that the foundation needs: list, retrieve, me,
//! create (staff) and change_password (staff).

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::user::{NewUser, TokenUse, User as DomainUser};
use tenancy_ports::users::{UserFilters, UserOrderKey, UserPermission, UserQuery};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::form::Form;
use crate::paging;
use crate::query::QueryParams;
use crate::render::{datetime, json_response, to_object, uuid_hex, BaseUrl, FieldSelection};
use crate::state::AppState;

/// `User` (spec 06 §1.2). Keys marked optional are absent for callers who may not see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 06 §1.2 under the same name"
)]
pub struct User {
    pub url: String,
    pub uuid: String,
    pub username: String,
    pub slug: String,
    pub full_name: String,
    pub native_name: String,
    pub job_title: String,
    pub email: String,
    pub phone_number: String,
    pub organization: String,
    pub civil_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_staff: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_support: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>)]
    pub token_lifetime: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub token_expires_at: Option<Option<String>>,
    pub registration_method: String,
    pub date_joined: String,
    pub agreement_date: Option<String>,
    pub notifications_enabled: bool,
    pub preferred_language: String,
    /// Effective grants: on retrieve and `me`, and in lists with `field=permissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub permissions: Option<Vec<Value>>,
    pub requested_email: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub affiliations: Vec<String>,
    pub first_name: String,
    pub last_name: String,
    pub image: Option<String>,
    pub identity_source: String,
    pub has_usable_password: bool,
}

/// The names of `UserFieldEnum` this service renders.
pub const USER_FIELDS: &[&str] = &[
    "url",
    "uuid",
    "username",
    "slug",
    "full_name",
    "native_name",
    "job_title",
    "email",
    "phone_number",
    "organization",
    "civil_number",
    "description",
    "is_staff",
    "is_active",
    "is_support",
    "token_lifetime",
    "token_expires_at",
    "registration_method",
    "date_joined",
    "agreement_date",
    "notifications_enabled",
    "preferred_language",
    "permissions",
    "requested_email",
    "affiliations",
    "first_name",
    "last_name",
    "image",
    "identity_source",
    "has_usable_password",
];

impl User {
    /// The representation of `user` for `caller` (privileged keys only for staff and
    /// support, token keys only for the user themself).
    pub fn new(user: &DomainUser, caller: &Caller, base: &BaseUrl) -> Self {
        let privileged = caller.0.actor.sees_everything();
        let own = caller.0.user.id == user.id;
        let token: Option<TokenUse> = own.then_some(caller.0.token);
        Self {
            url: base.object("users", &user.uuid),
            uuid: uuid_hex(&user.uuid),
            username: user.username.clone(),
            slug: user.slug.clone(),
            full_name: user.full_name(),
            native_name: user.native_name.clone(),
            job_title: user.job_title.clone(),
            email: user.email.clone(),
            phone_number: user.phone_number.clone(),
            organization: user.organization.clone(),
            civil_number: None,
            description: privileged.then(|| user.description.clone()),
            is_staff: privileged.then_some(user.is_staff),
            is_active: privileged.then_some(user.is_active),
            is_support: privileged.then_some(user.is_support),
            token_lifetime: own.then_some(user.token_lifetime),
            token_expires_at: token.map(|t| t.expires_at().as_ref().map(datetime)),
            registration_method: "default".into(),
            date_joined: datetime(&user.date_joined),
            agreement_date: user.agreement_date.as_ref().map(datetime),
            notifications_enabled: user.notifications_enabled,
            preferred_language: user.preferred_language.clone(),
            permissions: None,
            requested_email: None,
            affiliations: Vec::new(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            image: None,
            identity_source: String::new(),
            has_usable_password: user.has_usable_password,
        }
    }
}

/// `UserRequest` (documentation of the create body).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[expect(
    missing_docs,
    reason = "each field is documented in spec 06 §1.5 under the same name"
)]
pub struct UserRequest {
    pub username: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub native_name: Option<String>,
    pub job_title: Option<String>,
    pub organization: Option<String>,
    pub phone_number: Option<String>,
    pub description: Option<String>,
    pub preferred_language: Option<String>,
    pub notifications_enabled: Option<bool>,
    pub is_staff: Option<bool>,
    pub is_support: Option<bool>,
    pub is_active: Option<bool>,
    pub agree_with_policy: Option<bool>,
}

/// `PasswordChangeRequest`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PasswordChangeRequest {
    /// The new password, 8 … 1024 characters.
    pub new_password: String,
}

/// A UUID query parameter; malformed → `Enter a valid UUID.`.
fn uuid_param(query: &QueryParams, key: &str, errors: &mut ValidationErrors) -> Option<uuid::Uuid> {
    let value = query.get(key)?;
    let parsed = tenancy_domain::validate::uuid::parse_uuid(&value);
    if parsed.is_none() {
        errors.add(key, FieldError::new("Enter a valid UUID."));
    }
    parsed
}

/// A "≥ this date-time" parameter (a bare date is midnight UTC); unparsable →
/// `Enter a valid date/time.`.
fn date_param(
    query: &QueryParams,
    key: &str,
    errors: &mut ValidationErrors,
) -> Option<chrono::DateTime<Utc>> {
    let value = query.get(key)?;
    let parsed = crate::datetime::parse_datetime(&value).or_else(|| {
        chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    });
    if parsed.is_none() {
        errors.add(key, FieldError::new("Enter a valid date/time."));
    }
    parsed
}

fn user_uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    tenancy_domain::validate::uuid::parse_uuid(raw).ok_or(ApiError::NotFound("User"))
}

/// A `Permission` item (spec 06 §1.3).
fn permission(p: &UserPermission) -> Value {
    let mut m = Map::new();
    m.insert("uuid".into(), uuid_hex(&p.uuid).into());
    m.insert("user_uuid".into(), uuid_hex(&p.user_uuid).into());
    m.insert("user_name".into(), p.user_name.clone().into());
    m.insert("user_slug".into(), p.user_slug.clone().into());
    m.insert("user_username".into(), p.user_username.clone().into());
    m.insert("user_email".into(), p.user_email.clone().into());
    m.insert("created".into(), datetime(&p.created).into());
    m.insert(
        "expiration_time".into(),
        p.expiration_time.as_ref().map(datetime).into(),
    );
    m.insert("is_active".into(), true.into());
    if let Some((full_name, username)) = &p.created_by {
        m.insert("created_by_full_name".into(), full_name.clone().into());
        m.insert("created_by_username".into(), username.clone().into());
    }
    m.insert("role_name".into(), p.role_name.clone().into());
    m.insert("role_description".into(), p.role_description.clone().into());
    m.insert("role_uuid".into(), uuid_hex(&p.role_uuid).into());
    m.insert("scope_type".into(), p.scope_type.as_str().into());
    m.insert("scope_uuid".into(), uuid_hex(&p.scope_uuid).into());
    m.insert("scope_name".into(), p.scope_name.clone().into());
    m.insert("scope_is_removed".into(), false.into());
    m.insert("customer_uuid".into(), uuid_hex(&p.customer_uuid).into());
    m.insert("customer_name".into(), p.customer_name.clone().into());
    m.insert("resource_uuid".into(), Value::Null);
    m.insert("project_uuid".into(), Value::Null);
    Value::Object(m)
}

/// A `MePermission` item (spec 06 §1.3).
fn me_permission(p: &UserPermission) -> Value {
    serde_json::json!({
        "role_name": p.role_name,
        "role_uuid": uuid_hex(&p.role_uuid),
        "scope_type": p.scope_type.as_str(),
        "scope_uuid": uuid_hex(&p.scope_uuid),
        "scope_name": p.scope_name,
        "customer_uuid": uuid_hex(&p.customer_uuid),
        "customer_name": p.customer_name,
        "project_uuid": null,
        "resource_uuid": null,
        "expiration_time": p.expiration_time.as_ref().map(datetime),
    })
}

/// One user with their `permissions` (`me` renders `MePermission` items).
async fn render_one(
    req: &HttpRequest,
    app: &AppState,
    caller: &Caller,
    user: &DomainUser,
    me: bool,
) -> Result<serde_json::Value, ApiError> {
    let base = BaseUrl::of(req, &app.urls);
    let fields = FieldSelection::from_query(&QueryParams::of(req), USER_FIELDS);
    let mut dto = User::new(user, caller, &base);
    if fields.wants("permissions") {
        let grants = app.users.permissions(&[user.id]).await?;
        let item = if me { me_permission } else { permission };
        dto.permissions = Some(grants.iter().map(item).collect());
    }
    Ok(fields.apply(to_object(&dto)?))
}

/// List the users the caller may see.
#[utoipa::path(tag = "users", responses((status = 200, body = Vec<User>), (status = 401)))]
#[get("/api/users/")]
pub async fn users_list(
    req: HttpRequest,
    caller: Caller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = QueryParams::of(&req);
    let page_request = paging::page_request(&query)?;
    let mut errors = ValidationErrors::new();
    let request = UserQuery {
        filters: UserFilters {
            username: query.get("username"),
            email: query.get("email"),
            full_name: query.get("full_name"),
            query: query.get("query"),
            is_active: query.boolean("is_active"),
            is_staff: query.boolean("is_staff"),
            is_support: query.boolean("is_support"),
            // An empty value selects nothing (Waldur); absent = not applied.
            username_list: query
                .has("username_list")
                .then(|| query.list("username_list")),
            user_keyword: query.get("user_keyword"),
            native_name: query.get("native_name"),
            organization: query.get("organization"),
            job_title: query.get("job_title"),
            phone_number: query.get("phone_number"),
            description: query.get("description"),
            civil_number: query.get("civil_number"),
            registration_method: query.get("registration_method"),
            customer_uuid: uuid_param(&query, "customer_uuid", &mut errors),
            project_uuid: uuid_param(&query, "project_uuid", &mut errors),
            organization_roles: query.list("organization_roles"),
            project_roles: query.list("project_roles"),
            date_joined: date_param(&query, "date_joined", &mut errors),
            modified: date_param(&query, "modified", &mut errors),
            agreement_date: date_param(&query, "agreement_date", &mut errors),
        },
        order: query.strict_order_terms(UserOrderKey::from_name)?,
        page: page_request,
        now: Utc::now(),
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let page = app.users.list(&caller.0.actor, &request).await?;
    let base = BaseUrl::of(&req, &app.urls);
    let fields = FieldSelection::from_query(&query, USER_FIELDS);
    // Lists carry `permissions` only when asked for by name — then for the whole page
    // in one statement (spec 06 §1.2).
    let mut grants = if query.list("field").iter().any(|f| f == "permissions") {
        let ids: Vec<i64> = page.items.iter().map(|u| u.id).collect();
        Some(app.users.permissions(&ids).await?)
    } else {
        None
    };
    let items = page
        .items
        .iter()
        .map(|u| {
            let mut dto = User::new(u, &caller, &base);
            if let Some(all) = grants.as_mut() {
                dto.permissions = Some(
                    all.iter()
                        .filter(|p| p.user_id == u.id)
                        .map(permission)
                        .collect(),
                );
            }
            Ok(fields.apply(to_object(&dto)?))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    paging::respond(&req, &base, &query, &page_request, &page, items)
}

/// The calling user.
#[utoipa::path(tag = "users", responses((status = 200, body = User), (status = 401)))]
#[get("/api/users/me/")]
pub async fn users_me_retrieve(
    req: HttpRequest,
    caller: Caller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user = app.users.me(&caller.0.actor).await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render_one(&req, &app, &caller, &user, true).await?,
    ))
}

/// Retrieve one user.
#[utoipa::path(
    tag = "users",
    params(("uuid" = String, Path, description = "User UUID")),
    responses((status = 200, body = User), (status = 401), (status = 404))
)]
#[get("/api/users/{uuid}/")]
pub async fn users_retrieve(
    req: HttpRequest,
    caller: Caller,
    uuid: web::Path<String>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user = app
        .users
        .retrieve(&caller.0.actor, user_uuid(&uuid)?)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &render_one(&req, &app, &caller, &user, false).await?,
    ))
}

fn new_user(form: &mut Form<'_>) -> NewUser {
    let mut user = NewUser::named("", None);
    match form.string("username") {
        Some(u) => user.username = u,
        None if !form.has("username") => form.add("username", FieldError::required()),
        None => {}
    }
    match form.string("email") {
        Some(e) => user.email = e,
        None if !form.has("email") => form.add("email", FieldError::required()),
        None => {}
    }
    for (key, target) in [
        ("first_name", &mut user.first_name),
        ("last_name", &mut user.last_name),
        ("native_name", &mut user.native_name),
        ("job_title", &mut user.job_title),
        ("organization", &mut user.organization),
        ("phone_number", &mut user.phone_number),
        ("description", &mut user.description),
        ("preferred_language", &mut user.preferred_language),
    ] {
        if let Some(v) = form.string(key) {
            *target = v;
        }
    }
    for (key, target) in [
        ("notifications_enabled", &mut user.notifications_enabled),
        ("is_staff", &mut user.is_staff),
        ("is_support", &mut user.is_support),
        ("is_active", &mut user.is_active),
        ("agree_with_policy", &mut user.agree_with_policy),
    ] {
        if let Some(v) = form.boolean(key) {
            *target = v;
        }
    }
    user
}

/// Create a user (staff only). The new user has no usable password and no token.
#[utoipa::path(
    tag = "users",
    request_body = UserRequest,
    responses((status = 201, body = User), (status = 400), (status = 401), (status = 403))
)]
#[post("/api/users/")]
pub async fn users_create(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let map = body.into_object()?;
    let mut form = Form::new(&map);
    let new = new_user(&mut form);
    let user = app
        .users
        .create(&caller.0.actor, new, form.finish())
        .await?;
    let location = BaseUrl::of(&req, &app.urls).object("users", &user.uuid);
    let body = render_one(&req, &app, &caller, &user, false).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    Ok(json_response(response, &body))
}

/// Set a user's password (staff only).
#[utoipa::path(
    tag = "users",
    params(("uuid" = String, Path, description = "User UUID")),
    request_body = PasswordChangeRequest,
    responses((status = 200), (status = 400), (status = 401), (status = 403), (status = 404))
)]
#[post("/api/users/{uuid}/change_password/")]
pub async fn users_change_password(
    caller: Caller,
    uuid: web::Path<String>,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Body errors (400) come before the lookup (404), as everywhere (spec 01 §8.3).
    let map = body.into_object()?;
    let uuid = user_uuid(&uuid)?;
    let mut form = Form::new(&map);
    let password = form.raw_string("new_password");
    let missing = !form.has("new_password");
    let mut errors = form.finish();
    if missing {
        errors.add("new_password", FieldError::required());
    }
    let password = match password {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(errors),
    };
    app.users
        .change_password(&caller.0.actor, uuid, password)
        .await?;
    Ok(json_response(
        HttpResponse::Ok(),
        &serde_json::json!({"status": "password set"}),
    ))
}
