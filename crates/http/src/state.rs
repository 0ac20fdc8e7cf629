//! The application state every handler reads: the use cases and the URL settings.

use std::sync::Arc;

use async_trait::async_trait;
use tenancy_ports::auth::Auth;
use tenancy_ports::customers::Customers;
use tenancy_ports::org_groups::OrgGroups;
use tenancy_ports::projects::Projects;
use tenancy_ports::roles::Roles;
use tenancy_ports::team::Team;
use tenancy_ports::users::Users;

use crate::render::UrlConfig;

/// Whether the service can answer requests that need the database (`/health/ready`).
#[async_trait]
pub trait Readiness: Send + Sync {
    /// True when a pooled connection answers.
    async fn is_ready(&self) -> bool;
}

/// Built once in `tenancy-app` and shared by every worker.
#[derive(Clone)]
pub struct AppState {
    /// Customer use cases.
    pub customers: Customers,
    /// User use cases.
    pub users: Users,
    /// Organization-group use cases.
    pub org_groups: OrgGroups,
    /// Project use cases.
    pub projects: Projects,
    /// Role use cases.
    pub roles: Roles,
    /// Team use cases (grants on customers and projects).
    pub team: Team,
    /// Authentication use cases.
    pub auth: Auth,
    /// How absolute URLs are built.
    pub urls: UrlConfig,
    /// Database readiness.
    pub readiness: Arc<dyn Readiness>,
}
