//! Configuration: defaults, then an optional TOML file, then `TENANCY_*` variables, then
//! flags (clap merges the last two). One [`Settings`] value is built and passed down; there
//! is no global.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The optional configuration file (`--config`, `TENANCY_CONFIG`). Unknown keys are an
/// error, so a typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Listen address.
    pub bind: Option<String>,
    /// Private cluster directory.
    pub data_dir: Option<PathBuf>,
    /// An existing PostgreSQL database instead of the private cluster.
    pub database_url: Option<String>,
    /// Account that runs the private cluster when tenancy runs as root.
    pub postgres_user: Option<String>,
    /// Directory of the PostgreSQL server binaries.
    pub postgres_bin_dir: Option<PathBuf>,
    /// `json` or `text`.
    pub log_format: Option<String>,
    /// Public base URL for absolute links (`https://tenancy.example.org`).
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto` for absolute URLs.
    pub trust_forwarded_headers: Option<bool>,
    /// Take login clients' addresses from `X-Forwarded-For`.
    pub trust_forwarded_for: Option<bool>,
    /// Default token lifetime of API-created users, seconds (`0` = never expires).
    pub token_lifetime: Option<u32>,
    /// Database pool size.
    pub pool_size: Option<usize>,
    /// HTTP worker threads.
    pub workers: Option<usize>,
}

impl FileConfig {
    /// Reads `path`.
    ///
    /// # Errors
    /// Unreadable file or invalid TOML (including unknown keys).
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("invalid config file {}: {e}", path.display()))
    }
}

/// Where the database is.
#[derive(Clone)]
pub enum DatabaseSetting {
    /// `DATABASE_URL`.
    Url(SecretString),
    /// A private cluster in this directory.
    Private {
        /// Cluster directory.
        data_dir: PathBuf,
        /// Server account when root.
        run_as: Option<String>,
        /// Binary directory.
        bin_dir: Option<PathBuf>,
    },
}

impl std::fmt::Debug for DatabaseSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Connection strings may carry passwords.
            DatabaseSetting::Url(_) => f.write_str("Url(<redacted>)"),
            DatabaseSetting::Private { data_dir, .. } => {
                write!(f, "Private({})", data_dir.display())
            }
        }
    }
}

impl DatabaseSetting {
    /// The URL, when one is configured.
    pub fn url(&self) -> Option<&str> {
        match self {
            DatabaseSetting::Url(url) => Some(url.expose_secret()),
            DatabaseSetting::Private { .. } => None,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (production).
    Json,
    /// Human-readable lines.
    Text,
}

/// The resolved settings of one process.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address for `serve`.
    pub bind: SocketAddr,
    /// The database.
    pub database: DatabaseSetting,
    /// Log format.
    pub log_format: LogFormat,
    /// Pinned public base URL.
    pub public_base_url: Option<String>,
    /// Trust `X-Forwarded-Proto`.
    pub trust_forwarded_headers: bool,
    /// Trust `X-Forwarded-For` for login lock-outs.
    pub trust_forwarded_for: bool,
    /// Token lifetime of API-created users; `None` = never expires.
    pub token_lifetime: Option<i32>,
    /// Pool size.
    pub pool_size: usize,
    /// HTTP workers.
    pub workers: usize,
}

/// Default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
/// Default private cluster directory.
pub const DEFAULT_DATA_DIR: &str = ".tenancy";
/// Waldur's `TOKEN_LIFETIME`: one hour.
pub const DEFAULT_TOKEN_LIFETIME: u32 = 3600;

/// Values given by flags or environment variables (clap fills these).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config` / `TENANCY_CONFIG`.
    pub config: Option<PathBuf>,
    /// `--bind` / `TENANCY_BIND`.
    pub bind: Option<String>,
    /// `--data-dir` / `TENANCY_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url` / `DATABASE_URL`.
    pub database_url: Option<String>,
    /// `--postgres-user` / `TENANCY_POSTGRES_USER`.
    pub postgres_user: Option<String>,
    /// `--postgres-bin-dir` / `TENANCY_POSTGRES_BIN_DIR`.
    pub postgres_bin_dir: Option<PathBuf>,
    /// `--log-format` / `TENANCY_LOG_FORMAT`.
    pub log_format: Option<String>,
    /// `TENANCY_PUBLIC_BASE_URL`.
    pub public_base_url: Option<String>,
    /// `TENANCY_TRUST_FORWARDED_HEADERS`.
    pub trust_forwarded_headers: Option<bool>,
    /// `TENANCY_TRUST_FORWARDED_FOR`.
    pub trust_forwarded_for: Option<bool>,
    /// `TENANCY_TOKEN_LIFETIME`.
    pub token_lifetime: Option<u32>,
    /// `TENANCY_POOL_SIZE`.
    pub pool_size: Option<usize>,
    /// `TENANCY_WORKERS`.
    pub workers: Option<usize>,
}

impl Settings {
    /// Defaults ← file ← overrides.
    ///
    /// # Errors
    /// An unreadable or invalid file, an invalid address or log format.
    pub fn resolve(o: Overrides) -> anyhow::Result<Self> {
        let file = match &o.config {
            Some(path) => FileConfig::read(path)?,
            None => FileConfig::default(),
        };
        let bind = o
            .bind
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind: SocketAddr = bind
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid bind address {bind:?}: {e}"))?;
        let database = match o
            .database_url
            .or(file.database_url)
            .filter(|u| !u.is_empty())
        {
            Some(url) => DatabaseSetting::Url(SecretString::from(url)),
            None => DatabaseSetting::Private {
                data_dir: o
                    .data_dir
                    .or(file.data_dir)
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
                run_as: o.postgres_user.or(file.postgres_user),
                bin_dir: o.postgres_bin_dir.or(file.postgres_bin_dir),
            },
        };
        let log_format = match o.log_format.or(file.log_format).as_deref() {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            None => {
                use std::io::IsTerminal;
                if std::io::stderr().is_terminal() {
                    LogFormat::Text
                } else {
                    LogFormat::Json
                }
            }
            Some(other) => anyhow::bail!("invalid log format {other:?}: use json or text"),
        };
        let lifetime = o
            .token_lifetime
            .or(file.token_lifetime)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME);
        let token_lifetime = match lifetime {
            0 => None,
            n if n < 60 => anyhow::bail!("token lifetime must be 0 (never) or at least 60 seconds"),
            n => Some(i32::try_from(n).map_err(|_| anyhow::anyhow!("token lifetime too large"))?),
        };
        Ok(Self {
            bind,
            database,
            log_format,
            public_base_url: o.public_base_url.or(file.public_base_url),
            trust_forwarded_headers: o
                .trust_forwarded_headers
                .or(file.trust_forwarded_headers)
                .unwrap_or(true),
            trust_forwarded_for: o
                .trust_forwarded_for
                .or(file.trust_forwarded_for)
                .unwrap_or(false),
            token_lifetime,
            pool_size: o.pool_size.or(file.pool_size).unwrap_or(16).max(1),
            workers: o
                .workers
                .or(file.workers)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
                .max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_the_private_cluster() {
        let s = Settings::resolve(Overrides::default()).unwrap();
        assert_eq!(s.bind.to_string(), DEFAULT_BIND);
        assert!(matches!(s.database, DatabaseSetting::Private { .. }));
        assert_eq!(s.token_lifetime, Some(3600));
    }

    #[test]
    fn file_values_lose_to_overrides_and_unknown_keys_fail() {
        let dir = std::env::temp_dir().join(format!("tenancy-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tenancy.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\ntoken_lifetime = 0\n").unwrap();
        let s = Settings::resolve(Overrides {
            config: Some(path.clone()),
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.token_lifetime, None);
        let s = Settings::resolve(Overrides {
            config: Some(path.clone()),
            bind: Some("127.0.0.1:9001".into()),
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(s.bind.port(), 9001);
        std::fs::write(&path, "bnd = \"x\"\n").unwrap();
        assert!(Settings::resolve(Overrides {
            config: Some(path),
            ..Overrides::default()
        })
        .is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_redacts_the_database_url() {
        let setting = DatabaseSetting::Url(SecretString::from("postgres://u:secret@h/db"));
        assert!(!format!("{setting:?}").contains("secret"));
    }
}
