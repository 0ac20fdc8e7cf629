//! The `tenancy` binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tenancy_app::commands::{self, CreateUser, CreateUserError};
use tenancy_app::config::{LogFormat, Overrides, Settings};
use tenancy_app::database::ResolvedDatabase;

/// Tenancy: customers, organization groups, team roles and project digests, speaking
/// Waldur's REST API.
///
/// With no DATABASE_URL, every subcommand uses a private PostgreSQL cluster in the data
/// directory, created on first use from the system's PostgreSQL server binaries.
#[derive(Debug, Parser)]
#[command(name = "tenancy", version)]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "TENANCY_CONFIG")]
    config: Option<PathBuf>,
    /// Directory of the private PostgreSQL cluster.
    #[arg(long, global = true, env = "TENANCY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// An existing PostgreSQL database (instead of the private cluster).
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Account that runs the private cluster's server when tenancy runs as root.
    #[arg(long, global = true, env = "TENANCY_POSTGRES_USER")]
    postgres_user: Option<String>,
    /// Directory of the PostgreSQL server binaries (default: PATH, then the usual places).
    #[arg(long, global = true, env = "TENANCY_POSTGRES_BIN_DIR")]
    postgres_bin_dir: Option<PathBuf>,
    /// Log format: json or text (default: text on a terminal, json otherwise).
    #[arg(long, global = true, env = "TENANCY_LOG_FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (applies migrations first; creates the staff user `admin` on an empty database).
    Serve {
        /// Listen address.
        #[arg(long, env = "TENANCY_BIND")]
        bind: Option<String>,
        /// Public base URL for absolute links, e.g. https://tenancy.example.org.
        #[arg(long, env = "TENANCY_PUBLIC_BASE_URL")]
        public_base_url: Option<String>,
        /// Trust X-Forwarded-Proto for absolute URLs (default true).
        #[arg(long, env = "TENANCY_TRUST_FORWARDED_HEADERS")]
        trust_forwarded_headers: Option<bool>,
        /// Take login clients' addresses from X-Forwarded-For (default false: only behind a proxy).
        #[arg(long, env = "TENANCY_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: Option<bool>,
        /// Default token lifetime of API-created users, seconds (0 = never expires; default 3600).
        #[arg(long, env = "TENANCY_TOKEN_LIFETIME")]
        token_lifetime: Option<u32>,
        /// Database pool size (default 16).
        #[arg(long, env = "TENANCY_POOL_SIZE")]
        pool_size: Option<usize>,
        /// HTTP worker threads (default: one per core).
        #[arg(long, env = "TENANCY_WORKERS")]
        workers: Option<usize>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Create a user and print its new API token (only the token) on stdout.
    CreateUser {
        /// Username: lower-case letters, digits and @ . + - _.
        #[arg(long)]
        username: String,
        /// Password, 8 to 1024 characters.
        #[arg(long)]
        password: String,
        /// E-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// Make the user staff.
        #[arg(long)]
        staff: bool,
        /// Make the user support.
        #[arg(long)]
        support: bool,
        /// Token lifetime in seconds, or `none` (default) for a token that never expires.
        #[arg(long, default_value = "none")]
        token_lifetime: String,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TENANCY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

fn token_lifetime(text: &str) -> Result<Option<i32>, String> {
    if text == "none" {
        return Ok(None);
    }
    match text.parse::<i32>() {
        Ok(n) if n >= 60 => Ok(Some(n)),
        _ => Err("--token-lifetime must be `none` or a number of seconds of at least 60".into()),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Overrides {
        config: cli.config,
        data_dir: cli.data_dir,
        database_url: cli.database_url,
        postgres_user: cli.postgres_user,
        postgres_bin_dir: cli.postgres_bin_dir,
        log_format: cli.log_format,
        ..Overrides::default()
    };
    if let Command::Serve {
        bind,
        public_base_url,
        trust_forwarded_headers,
        trust_forwarded_for,
        token_lifetime,
        pool_size,
        workers,
    } = &cli.command
    {
        overrides.bind = bind.clone();
        overrides.public_base_url = public_base_url.clone();
        overrides.trust_forwarded_headers = *trust_forwarded_headers;
        overrides.trust_forwarded_for = *trust_forwarded_for;
        overrides.token_lifetime = *token_lifetime;
        overrides.pool_size = *pool_size;
        overrides.workers = *workers;
    }
    let settings = Settings::resolve(overrides)?;
    if matches!(cli.command, Command::Openapi) {
        print!("{}", commands::openapi_json()?);
        return Ok(ExitCode::SUCCESS);
    }
    init_logging(settings.log_format);
    match cli.command {
        Command::Serve { .. } => {
            commands::serve(settings).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let database = ResolvedDatabase::open(&settings.database).await?;
            let result = commands::migrate(database.url()).await;
            database.close().await?;
            let applied = result?;
            eprintln!("{} migration(s) applied", applied.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::CreateUser {
            username,
            password,
            email,
            staff,
            support,
            token_lifetime: lifetime,
        } => {
            let lifetime = match token_lifetime(&lifetime) {
                Ok(l) => l,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Ok(ExitCode::from(2));
                }
            };
            let database = ResolvedDatabase::open(&settings.database).await?;
            let args = CreateUser {
                username,
                password: Some(password),
                email,
                staff,
                support,
                token_lifetime: lifetime,
            };
            let result = commands::create_user(&settings, database.url(), args).await;
            database.close().await?;
            match result {
                Ok(token) => {
                    println!("{token}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(CreateUserError::Invalid(message)) => {
                    eprintln!("{message}");
                    Ok(ExitCode::from(1))
                }
                Err(CreateUserError::Other(e)) => Err(e),
            }
        }
        Command::Openapi => Ok(ExitCode::SUCCESS),
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
