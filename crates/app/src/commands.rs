//! The subcommands: `serve`, `migrate`, `create-user`, `openapi`.

use tenancy_domain::user::NewUser;
use tenancy_ports::error::UseCaseError;
use tenancy_postgres::migrations;

use crate::config::Settings;
use crate::database::ResolvedDatabase;
use crate::server;

/// Arguments of `create-user`.
#[derive(Debug, Clone)]
pub struct CreateUser {
    /// Username.
    pub username: String,
    /// Password (8 … 1024 characters).
    pub password: Option<String>,
    /// E-mail address, `""` for none.
    pub email: String,
    /// Staff flag.
    pub staff: bool,
    /// Support flag.
    pub support: bool,
    /// Token lifetime in seconds; `None` = never expires.
    pub token_lifetime: Option<i32>,
}

/// Why `create-user` failed: a validation message (exit 1) or another error.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// Invalid input or a taken username; the messages, one per line.
    #[error("{0}")]
    Invalid(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn describe(e: UseCaseError) -> CreateUserError {
    match e {
        UseCaseError::Invalid(errors) => {
            let mut lines = Vec::new();
            for (field, messages) in errors.entries() {
                if let tenancy_domain::error::FieldMessages::List(list) = messages {
                    for m in list {
                        lines.push(format!("{field}: {m}"));
                    }
                }
            }
            CreateUserError::Invalid(lines.join("\n"))
        }
        other => CreateUserError::Other(anyhow::anyhow!("{other}")),
    }
}

/// Applies pending migrations; returns their names.
///
/// # Errors
/// Connection or migration failures.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let applied = migrations::run_pending(database_url).await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(applied)
}

/// Creates a user with one token in the database at `database_url` (migrated first) and
/// returns the token key.
///
/// # Errors
/// `Invalid` for bad input or a taken username, `Other` for database failures.
pub async fn create_user(
    settings: &Settings,
    database_url: &str,
    args: CreateUser,
) -> Result<String, CreateUserError> {
    migrate(database_url).await?;
    let state = server::state(settings, database_url)?;
    let mut user = NewUser::named(&args.username, args.token_lifetime);
    user.email = args.email;
    user.is_staff = args.staff;
    user.is_support = args.support;
    let (_, key) = state
        .users
        .create_with_token(user, args.password)
        .await
        .map_err(describe)?;
    Ok(key.expose().to_owned())
}

/// `tenancy serve`: resolve the database, migrate, bootstrap `admin` on an empty database,
/// serve until SIGINT/SIGTERM, then stop the private cluster.
///
/// # Errors
/// Start-up failures (database, migrations, binding).
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let database = ResolvedDatabase::open(&settings.database).await?;
    let result = serve_on(&settings, database.url()).await;
    database.close().await?;
    result
}

async fn serve_on(settings: &Settings, url: &str) -> anyhow::Result<()> {
    migrate(url).await?;
    let state = server::state(settings, url)?;
    if state
        .users
        .is_empty()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        let admin = NewUser {
            is_staff: true,
            ..NewUser::named("admin", None)
        };
        let (_, key) = state
            .users
            .create_with_token(admin, None)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the admin user: {e}"))?;
        // Printed once, on stdout, and never stored in clear (only its digest is).
        println!("Created staff user \"admin\". Its API token (shown only now):\n\n    {}\n\nUse it as: Authorization: Token {}", key.expose(), key.expose());
        tracing::info!("created staff user admin; its token was printed on stdout");
    }
    let bound = server::bind(settings, state)?;
    tracing::info!(http.addr = %bound.addr, "listening");
    bound.server.await?;
    tracing::info!("server stopped");
    Ok(())
}

/// `tenancy openapi`: the OpenAPI document as pretty JSON.
///
/// # Errors
/// Serialisation failure (a bug).
pub fn openapi_json() -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&tenancy_http::openapi())?;
    text.push('\n');
    Ok(text)
}
