//! Wiring: the adapters, the use cases and the HTTP server.

use std::net::SocketAddr;
use std::sync::Arc;

use actix_web::{middleware, web, App, HttpServer};
use async_trait::async_trait;
use tenancy_http::render::UrlConfig;
use tenancy_http::state::{AppState, Readiness};
use tenancy_ports::auth::Auth;
use tenancy_ports::customers::Customers;
use tenancy_ports::org_groups::OrgGroups;
use tenancy_ports::projects::Projects;
use tenancy_ports::roles::Roles;
use tenancy_ports::team::Team;
use tenancy_ports::users::Users;
use tenancy_postgres::customers::PgCustomerRepository;
use tenancy_postgres::db::{Database, PoolConfig};
use tenancy_postgres::org_groups::PgOrgGroupRepository;
use tenancy_postgres::projects::PgProjectRepository;
use tenancy_postgres::roles::PgRoleRepository;
use tenancy_postgres::team::PgTeamRepository;
use tenancy_postgres::users::PgUserRepository;

use crate::config::Settings;
use crate::password::Argon2Hasher;

struct DatabaseReadiness(Database);

#[async_trait]
impl Readiness for DatabaseReadiness {
    async fn is_ready(&self) -> bool {
        self.0.is_ready().await
    }
}

/// The use cases over PostgreSQL at `database_url`.
///
/// # Errors
/// The pool cannot be built.
pub fn state(settings: &Settings, database_url: &str) -> anyhow::Result<AppState> {
    let db = Database::connect(
        database_url,
        &PoolConfig {
            max_size: settings.pool_size,
            ..PoolConfig::default()
        },
    )
    .map_err(|e| anyhow::anyhow!("cannot create the database pool: {e}"))?;
    let users = Arc::new(PgUserRepository::new(db.clone()));
    let customers = Arc::new(PgCustomerRepository::new(db.clone()));
    let org_groups = OrgGroups::new(Arc::new(PgOrgGroupRepository::new(db.clone())));
    let hasher = Arc::new(Argon2Hasher::default());
    Ok(AppState {
        customers: Customers::new(customers, users.clone(), org_groups.clone()),
        org_groups,
        projects: Projects::new(Arc::new(PgProjectRepository::new(db.clone()))),
        roles: Roles::new(Arc::new(PgRoleRepository::new(db.clone()))),
        team: Team::new(Arc::new(PgTeamRepository::new(db.clone()))),
        users: Users::new(users.clone(), hasher.clone(), settings.token_lifetime),
        auth: Auth::new(users, hasher),
        urls: UrlConfig {
            public_base: settings.public_base_url.clone(),
            trust_forwarded: settings.trust_forwarded_headers,
            trust_forwarded_for: settings.trust_forwarded_for,
        },
        readiness: Arc::new(DatabaseReadiness(db)),
    })
}

/// A bound, not yet awaited server.
pub struct BoundServer {
    /// The address actually bound (port 0 resolved).
    pub addr: SocketAddr,
    /// The server future; resolves after a graceful shutdown (SIGINT/SIGTERM or a handle's
    /// `stop`).
    pub server: actix_web::dev::Server,
}

/// Binds the HTTP server on `settings.bind` (port 0 = any free port).
///
/// # Errors
/// The address cannot be bound.
pub fn bind(settings: &Settings, state: AppState) -> anyhow::Result<BoundServer> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(middleware::from_fn(
                tenancy_http::middleware::request_context,
            ))
            .configure(tenancy_http::configure)
    })
    .workers(settings.workers)
    .shutdown_timeout(10)
    .bind(settings.bind)
    .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the server bound no address"))?;
    Ok(BoundServer {
        addr,
        server: server.run(),
    })
}
