//! The single list of every route. The same list registers the actix services and the
//! OpenAPI paths, so the document cannot miss a route; the fallback (404, 405, missing
//! trailing slash, `OPTIONS`) reads the methods of each path from that document.

use std::sync::OnceLock;

use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};

use crate::error::ApiError;
use crate::{auth, customers, health, org_groups, projects, roles, team, users};

macro_rules! route_table {
    ($($module:ident :: $handler:ident),* $(,)?) => {
        /// Registers every route (order matters: `/api/users/me/` before `{uuid}`).
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $( cfg.service($module::$handler); )*
            cfg.default_service(web::to(fallback));
        }

        #[derive(OpenApi)]
        #[openapi(
            info(title = "Tenancy", description = "Customers, organization groups, team roles and project digests — Waldur's REST API for the organisational structure."),
            paths($($module::$handler),*),
            components(schemas(
                customers::wire::Customer,
                customers::wire::CustomerRequest,
                customers::wire::NestedPriceEstimate,
                users::User,
                users::UserRequest,
                users::PasswordChangeRequest,
                auth::CoreAuthToken,
                auth::ObtainAuthTokenRequest,
                roles::RoleDetails,
                team::UserRoleDetails,
                team::CustomerUser,
                team::NestedProjectPermission,
                team::UserRoleCreateRequest,
                team::UserRoleExpirationTime,
                roles::RoleModifyRequest,
                roles::PatchedRoleDetailsRequest,
                roles::RoleActivationDetail,
                org_groups::OrganizationGroup,
                org_groups::OrganizationGroupRequest,
                org_groups::OrganizationGroupsRequest,
                projects::Project,
                projects::ProjectRequest,
                projects::PatchedProjectRequest,
            )),
            modifiers(&TokenAuth),
            security(("TokenAuth" = []))
        )]
        struct ApiDoc;
    };
}

route_table!(
    health::health_live,
    health::health_ready,
    auth::api_auth_password,
    auth::api_auth_logout,
    customers::customers_list,
    customers::customers_create,
    customers::customers_retrieve,
    customers::customers_update,
    customers::customers_partial_update,
    customers::customers_destroy,
    team::customers_list_users_list,
    team::customers_users_list,
    team::customers_add_user,
    team::customers_update_user,
    team::customers_delete_user,
    team::projects_list_users_list,
    team::projects_add_user,
    team::projects_update_user,
    team::projects_delete_user,
    org_groups::customers_update_organization_groups,
    org_groups::organization_groups_list,
    org_groups::organization_groups_create,
    org_groups::organization_groups_retrieve,
    org_groups::organization_groups_update,
    org_groups::organization_groups_partial_update,
    org_groups::organization_groups_destroy,
    projects::projects_list,
    projects::projects_create,
    projects::projects_retrieve,
    projects::projects_update,
    projects::projects_partial_update,
    projects::projects_destroy,
    roles::roles_list,
    roles::roles_create,
    roles::roles_retrieve,
    roles::roles_update,
    roles::roles_partial_update,
    roles::roles_destroy,
    roles::roles_enable,
    roles::roles_disable,
    users::users_list,
    users::users_create,
    users::users_me_retrieve,
    users::users_retrieve,
    users::users_change_password,
);

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "TokenAuth",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization",
                    "`Token <key>`",
                ))),
            );
        }
    }
}

/// The OpenAPI document of every route.
pub fn openapi() -> OpenApiDoc {
    ApiDoc::openapi()
}

/// `GET /api/schema/`: the OpenAPI document.
pub async fn schema() -> HttpResponse {
    let body = serde_json::to_value(openapi()).unwrap_or_default();
    crate::render::json_response(HttpResponse::Ok(), &body)
}

/// A route template split into segments, and the methods it serves.
struct Route {
    segments: Vec<String>,
    methods: Vec<&'static str>,
}

fn route_table() -> &'static [Route] {
    static TABLE: OnceLock<Vec<Route>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut routes: Vec<Route> = openapi()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (present, name) in [
                    (item.get.is_some(), "GET"),
                    (item.post.is_some(), "POST"),
                    (item.put.is_some(), "PUT"),
                    (item.patch.is_some(), "PATCH"),
                    (item.delete.is_some(), "DELETE"),
                ] {
                    if present {
                        methods.push(name);
                    }
                }
                if item.get.is_some() {
                    methods.push("HEAD");
                }
                methods.push("OPTIONS");
                Route {
                    segments: path.split('/').map(str::to_owned).collect(),
                    methods,
                }
            })
            .collect();
        routes.push(Route {
            segments: "/api/schema/".split('/').map(str::to_owned).collect(),
            methods: vec!["GET", "HEAD", "OPTIONS"],
        });
        routes
    })
}

fn matching(path: &str) -> Option<&'static Route> {
    let segments: Vec<&str> = path.split('/').collect();
    route_table().iter().find(|route| {
        route.segments.len() == segments.len()
            && route
                .segments
                .iter()
                .zip(&segments)
                .all(|(pattern, actual)| {
                    (pattern.starts_with('{') && !actual.is_empty()) || pattern == actual
                })
    })
}

/// Everything no handler matched: `OPTIONS`, 405 with `Allow`, a redirect to the path with
/// its trailing slash (301 for GET/HEAD, 308 otherwise), or 404 `Not found.`.
async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if let Some(route) = matching(path) {
        let allow = route.methods.join(", ");
        if req.method() == Method::OPTIONS {
            return Ok(HttpResponse::Ok()
                .insert_header((header::ALLOW, allow))
                .finish());
        }
        return Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        });
    }
    if !path.ends_with('/') && matching(&format!("{path}/")).is_some() {
        let mut location = format!("{path}/");
        if !req.query_string().is_empty() {
            location.push('?');
            location.push_str(req.query_string());
        }
        let mut response = if req.method() == Method::GET || req.method() == Method::HEAD {
            HttpResponse::MovedPermanently()
        } else {
            HttpResponse::PermanentRedirect()
        };
        return Ok(response
            .insert_header((header::LOCATION, location))
            .finish());
    }
    Err(ApiError::RouteNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_matched_by_template() {
        let route = matching("/api/customers/abc/").unwrap();
        assert!(route.methods.contains(&"PATCH"));
        assert!(matching("/api/customers/abc").is_none());
        assert!(matching("/api/nothing/").is_none());
    }

    #[test]
    fn every_handler_is_documented() {
        let doc = openapi();
        for path in [
            "/api/customers/",
            "/api/customers/{uuid}/",
            "/api-auth/password/",
            "/api/roles/{uuid}/",
            "/api/roles/{uuid}/enable/",
            "/api/roles/{uuid}/disable/",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
