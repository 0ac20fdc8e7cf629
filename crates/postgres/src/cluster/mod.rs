//! The private PostgreSQL cluster that `tenancy` runs when no `DATABASE_URL` is configured.
//!
//! [`PrivateCluster::start`] initialises a cluster on first use and starts it, or attaches to the
//! server another `tenancy` process (say, a running `serve`) already runs there. The data
//! directory belongs to the cluster as a whole:
//!
//! - `pgdata/` is PGDATA, never re-initialised once it holds a cluster;
//! - `run/` is the unix socket directory, or a short `/tmp/tenancy-<hash>` instead when that path
//!   would not fit in a socket address (`sun_path` holds 107 bytes);
//! - `postgresql.log` is the server log, and `cluster.lock` serialises concurrent starts.
//!
//! The server trusts every connection it accepts. That is safe only because it accepts nothing
//! but unix-socket connections in a mode-0700 directory of the server account: `listen_addresses`
//! is empty (on the command line, which outranks every configuration file) and `pg_hba.conf`
//! rejects TCP anyway.
//!
//! PostgreSQL refuses to run as root. When `tenancy` runs as root, the server binaries run as an
//! unprivileged account (`postgres` unless configured), which then owns the data directory.
//!
//! Everything here is synchronous except [`PrivateCluster::ensure_database`]: callers start the
//! cluster before the runtime or in `spawn_blocking`.

mod account;
mod binaries;
mod client;
mod dirs;
mod server;
#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use account::{check_reachable, chown_tree, server_account, Account};
use binaries::matching_binaries;
use client::{create_database_if_absent, percent_encode};
use dirs::{
    check_shell_safe, create_dirs, create_private_dir, lock, prepare_socket_dir, remove_stale_locks,
};
use server::{
    initialise, pg_ctl_start, pg_ctl_stop, read_pid_file, running_server, write_settings,
};

pub use binaries::locate_binaries;
#[cfg(feature = "testing")]
pub(crate) use client::quote_identifier;
pub(crate) use client::{connect, error_text};
pub(crate) use dirs::socket_dir_for;
pub(crate) use server::pid_alive;
#[cfg(any(test, feature = "testing"))]
pub(crate) use server::{live_postmaster, shut_down_immediately};

/// The superuser role `initdb` creates; every URL of a private cluster connects as it.
pub const SUPERUSER: &str = "tenancy";
const PORT: u16 = 5432;
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(50);

/// Where a private cluster lives and who runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// The directory the cluster owns (see the module documentation for its layout).
    pub data_dir: PathBuf,
    /// The account that runs the server when `tenancy` runs as root; `None` means `postgres`.
    /// Ignored otherwise: the server then runs as the current user. Config key
    /// `TENANCY_POSTGRES_USER`.
    pub run_as: Option<String>,
    /// The directory holding `initdb`, `pg_ctl` and `postgres`; `None` searches for it with
    /// [`locate_binaries`].
    pub bin_dir: Option<PathBuf>,
}

impl ClusterConfig {
    /// A cluster in `data_dir`, run by the default account with binaries found on this machine.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            run_as: None,
            bin_dir: None,
        }
    }
}

/// Why the private cluster could not be located, started, stopped or used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No directory holds all three server binaries.
    #[error(
        "the PostgreSQL server programs (initdb, pg_ctl, postgres) were not found {searched}. \
         Install them (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install \
         postgresql@16`), or set `DATABASE_URL` to use an existing PostgreSQL server instead of a \
         private one."
    )]
    BinariesNotFound {
        /// Where the search looked, as a phrase (`in /some/dir`).
        searched: String,
    },
    /// `tenancy` runs as root, and the account meant to run the server is unusable.
    #[error(
        "tenancy runs as root, which PostgreSQL refuses, so the private server must run as an \
         unprivileged account, but the account `{account}` {problem}; create it (installing \
         PostgreSQL usually creates `postgres`, otherwise `useradd --system {account}`) or name an \
         existing unprivileged account in `TENANCY_POSTGRES_USER`"
    )]
    Account {
        /// The configured or default account name.
        account: String,
        /// What is wrong with it, as a phrase.
        problem: String,
    },
    /// An ancestor of the data directory does not let the server account through.
    #[error(
        "the private PostgreSQL server runs as `{account}`, which cannot reach its data directory \
         {data_dir} because {blocking} denies it search (x) permission; choose a data directory \
         elsewhere with `--data-dir` or `TENANCY_DATA_DIR`, or run `chmod o+x {blocking}`",
        data_dir = data_dir.display(),
        blocking = blocking.display()
    )]
    Unreachable {
        /// The server account.
        account: String,
        /// The data directory.
        data_dir: PathBuf,
        /// The first ancestor the account cannot traverse.
        blocking: PathBuf,
    },
    /// A path cannot serve the cluster.
    #[error("cannot use {} for the private PostgreSQL cluster: {reason}", path.display())]
    UnusablePath {
        /// The offending path.
        path: PathBuf,
        /// Why, as a sentence.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was attempted, as a phrase ending before the path (`could not create`).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A server program could not be run at all.
    #[error("could not run `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A server program ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    CommandFailed {
        /// The command line.
        command: String,
        /// The exit status.
        status: String,
        /// The tail of its error output, and of the server log where relevant.
        output: String,
    },
    /// Another process's server stayed in a transitional state.
    #[error(
        "the PostgreSQL server of {} did not become ready within {} s (its postmaster.pid says \
         `{status}`)",
        pgdata.display(),
        READY_TIMEOUT.as_secs()
    )]
    NotReady {
        /// PGDATA.
        pgdata: PathBuf,
        /// The status line of `postmaster.pid`.
        status: String,
    },
    /// The binaries found cannot run the existing cluster.
    #[error(
        "the cluster in {} was created by PostgreSQL {cluster}, but the server programs in {} \
         are PostgreSQL {binaries}; install PostgreSQL {cluster} (Debian/Ubuntu: `apt-get install \
         postgresql-{cluster}`; macOS: `brew install postgresql@{cluster}`) and point tenancy at \
         its bin directory, or upgrade the cluster with `pg_upgrade`",
        pgdata.display(),
        bin_dir.display()
    )]
    VersionMismatch {
        /// PGDATA.
        pgdata: PathBuf,
        /// The major version in `PG_VERSION`.
        cluster: String,
        /// The binaries' directory.
        bin_dir: PathBuf,
        /// The binaries' version.
        binaries: String,
    },
    /// A database name PostgreSQL would reject or silently truncate.
    #[error("invalid database name {name:?}: {reason}")]
    InvalidDatabaseName {
        /// The name.
        name: String,
        /// Why, as a phrase.
        reason: &'static str,
    },
    /// A statement on the running server failed.
    #[error("{action}: {}", error_text(source))]
    Database {
        /// What was attempted.
        action: String,
        /// The underlying error.
        source: tokio_postgres::Error,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ClusterError {
    let path = path.to_path_buf();
    move |source| ClusterError::Io {
        action,
        path,
        source,
    }
}

/// A PostgreSQL server on a private data directory, started or attached to by this process.
///
/// Dropping it does not stop the server: the application calls [`PrivateCluster::stop`] on
/// shutdown, after its pool has drained, and a server that outlives a crash is simply attached to
/// (or restarted) next time.
#[derive(Debug)]
pub struct PrivateCluster {
    data_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    /// Set when this process started the server, so that it is the one to stop it.
    control: Option<Control>,
}

#[derive(Debug)]
struct Control {
    bin_dir: PathBuf,
    account: Option<Account>,
}

impl PrivateCluster {
    /// Starts the cluster of `config.data_dir`, initialising it on first use, or attaches to the
    /// server that already runs there (without owning it).
    ///
    /// # Errors
    /// Missing binaries or account, an unreachable or unusable data directory, and failing
    /// `initdb` or `pg_ctl` runs (the message carries their output and the server log's tail).
    pub fn start(config: &ClusterConfig) -> Result<Self, ClusterError> {
        let requested = std::path::absolute(&config.data_dir)
            .map_err(io_error("could not resolve", &config.data_dir))?;
        let created = create_dirs(&requested)?;
        let data_dir =
            fs::canonicalize(&requested).map_err(io_error("could not resolve", &requested))?;
        check_shell_safe(&data_dir)?;
        let pgdata = data_dir.join("pgdata");
        let _lock = lock(&data_dir)?;
        if let Some(running) = running_server(&pgdata)? {
            tracing::info!(
                cluster.data_dir = %data_dir.display(),
                "attached to the private PostgreSQL server another process runs"
            );
            return Ok(Self {
                data_dir,
                pgdata,
                socket_dir: running.socket_dir.unwrap_or_default(),
                port: running.port,
                control: None,
            });
        }
        let account = server_account(config)?;
        let bin_dir = locate_binaries(config.bin_dir.as_deref())?;
        if let Some(account) = &account {
            let created: Vec<PathBuf> = created
                .iter()
                .filter_map(|d| fs::canonicalize(d).ok())
                .collect();
            check_reachable(&data_dir, &created, account)?;
        }
        let socket_dir = socket_dir_for(&data_dir);
        Self::start_owned(
            data_dir,
            pgdata,
            socket_dir,
            bin_dir,
            account,
            config.bin_dir.is_some(),
        )
    }

    fn start_owned(
        data_dir: PathBuf,
        pgdata: PathBuf,
        socket_dir: PathBuf,
        mut bin_dir: PathBuf,
        account: Option<Account>,
        explicit_bin_dir: bool,
    ) -> Result<Self, ClusterError> {
        let account_ref = account.as_ref();
        create_private_dir(&pgdata)?;
        prepare_socket_dir(&socket_dir, &data_dir, account_ref)?;
        remove_stale_locks(&pgdata, &socket_dir)?;
        if let Some(account) = account_ref {
            chown_tree(&data_dir, account)?;
            tracing::info!(
                cluster.account = %account.name,
                "the private PostgreSQL server runs as `{}` because tenancy runs as root, \
                 which PostgreSQL refuses",
                account.name
            );
        }
        if pgdata.join("PG_VERSION").exists() {
            bin_dir = matching_binaries(bin_dir, &pgdata, explicit_bin_dir)?;
        } else {
            initialise(&bin_dir, &data_dir, &pgdata, account_ref)?;
        }
        write_settings(&pgdata, &socket_dir, account_ref)?;

        pg_ctl_start(&bin_dir, &data_dir, &pgdata, account_ref)?;

        let running = read_pid_file(&pgdata)?;
        Ok(Self {
            data_dir,
            pgdata,
            socket_dir: running
                .as_ref()
                .and_then(|r| r.socket_dir.clone())
                .unwrap_or(socket_dir),
            port: running.map_or(PORT, |r| r.port),
            control: Some(Control { bin_dir, account }),
        })
    }

    /// Whether this process started the server, and so is the one to stop it.
    pub fn owns(&self) -> bool {
        self.control.is_some()
    }

    /// The cluster's data directory (absolute, symlinks resolved).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The directory holding the server's unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// A URL for `database` that tokio-postgres (and so diesel-async) and libpq understand:
    /// `postgres://tenancy@<percent-encoded socket dir>:<port>/<database>`.
    ///
    /// The socket directory goes in the host part: the `?host=` form with `localhost` would make
    /// tokio-postgres try TCP to localhost first, possibly reaching a different server.
    pub fn database_url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@{}:{}/{}",
            percent_encode(self.socket_dir.as_os_str().as_bytes()),
            self.port,
            percent_encode(database.as_bytes())
        )
    }

    /// Creates the database `name` unless it exists, and returns its URL.
    ///
    /// # Errors
    /// An invalid name, and failures to connect or to create the database.
    pub async fn ensure_database(&self, name: &str) -> Result<String, ClusterError> {
        if name.is_empty() || name.contains('\0') || name.len() > 63 {
            return Err(ClusterError::InvalidDatabaseName {
                name: name.to_owned(),
                reason: "it must have 1 to 63 bytes and no NUL",
            });
        }
        let (client, connection) =
            connect(&self.database_url("postgres"))
                .await
                .map_err(|source| ClusterError::Database {
                    action: format!(
                        "could not connect to the private PostgreSQL server in {}",
                        self.socket_dir.display()
                    ),
                    source,
                })?;
        let created = create_database_if_absent(&client, name).await;
        drop(client);
        let _closed = connection.await;
        created.map_err(|source| ClusterError::Database {
            action: format!("could not create the database `{name}`"),
            source,
        })?;
        Ok(self.database_url(name))
    }

    /// Stops the server (`pg_ctl stop -m fast`) if this process started it; otherwise, and when
    /// it already stopped, does nothing.
    ///
    /// # Errors
    /// A failing `pg_ctl stop`, with the server log's tail.
    pub fn stop(&self) -> Result<(), ClusterError> {
        let Some(control) = &self.control else {
            return Ok(());
        };
        if read_pid_file(&self.pgdata)?.is_none_or(|running| !pid_alive(running.pid)) {
            return Ok(());
        }
        pg_ctl_stop(
            &control.bin_dir,
            &self.data_dir,
            &self.pgdata,
            control.account.as_ref(),
        )
    }
}
