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

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::{geteuid, Pid, User};
use tokio_postgres::error::SqlState;

/// The superuser role `initdb` creates; every URL of a private cluster connects as it.
pub const SUPERUSER: &str = "tenancy";

const DEFAULT_ACCOUNT: &str = "postgres";
const BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
const PORT: u16 = 5432;
/// PostgreSQL appends `/.s.PGSQL.5432` to the socket directory; the whole must fit in 107 bytes.
const MAX_SOCKET_DIR_LEN: usize = 90;
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

/// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
///
/// An `explicit` directory is the only candidate. Otherwise the search tries `PATH` (following
/// symlinks to the real bin directory), then `/usr/lib/postgresql/<version>/bin` (highest version
/// first), `/usr/local/pgsql/bin`, `/opt/homebrew/bin`, `/opt/homebrew/opt/postgresql@*/bin` and
/// `/usr/local/opt/postgresql@*/bin`.
///
/// # Errors
/// [`ClusterError::BinariesNotFound`], whose message says what to install.
pub fn locate_binaries(explicit: Option<&Path>) -> Result<PathBuf, ClusterError> {
    let (candidates, searched) = match explicit {
        Some(dir) => (vec![dir.to_path_buf()], format!("in {}", dir.display())),
        None => (
            candidate_dirs(),
            "on PATH or in the usual installation directories".to_owned(),
        ),
    };
    candidates
        .iter()
        .find_map(|dir| binaries_in(dir))
        .ok_or(ClusterError::BinariesNotFound { searched })
}

fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.extend(versioned_dirs(Path::new("/usr/lib/postgresql"), ""));
    dirs.push("/usr/local/pgsql/bin".into());
    dirs.push("/opt/homebrew/bin".into());
    dirs.extend(versioned_dirs(
        Path::new("/opt/homebrew/opt"),
        "postgresql@",
    ));
    dirs.extend(versioned_dirs(Path::new("/usr/local/opt"), "postgresql@"));
    dirs
}

/// `<parent>/<prefix><version>/bin` for every version found, highest first.
fn versioned_dirs(parent: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let version = name.to_str()?.strip_prefix(prefix)?;
            let key = version
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((key, entry.path().join("bin")))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, dir)| dir).collect()
}

/// The directory `dir/initdb` really lives in, else `dir`, if it holds all three binaries.
///
/// Resolving first matters on Debian, where `/usr/bin/pg_ctl` is a version-picking wrapper.
fn binaries_in(dir: &Path) -> Option<PathBuf> {
    let real = fs::canonicalize(dir.join("initdb"))
        .ok()
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf));
    real.into_iter()
        .chain([dir.to_path_buf()])
        .find(|dir| BINARIES.iter().all(|name| is_executable(&dir.join(name))))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.mode() & 0o111 != 0)
}

/// Binaries of the cluster's major version, preferring `found`.
fn matching_binaries(
    found: PathBuf,
    pgdata: &Path,
    explicit: bool,
) -> Result<PathBuf, ClusterError> {
    let cluster = fs::read_to_string(pgdata.join("PG_VERSION"))
        .map_err(io_error("could not read", &pgdata.join("PG_VERSION")))?
        .trim()
        .to_owned();
    let binaries = binaries_version(&found)?;
    if major_of(&binaries) == cluster {
        return Ok(found);
    }
    let alternative = [
        format!("/usr/lib/postgresql/{cluster}/bin"),
        format!("/opt/homebrew/opt/postgresql@{cluster}/bin"),
        format!("/usr/local/opt/postgresql@{cluster}/bin"),
    ]
    .iter()
    .find_map(|dir| binaries_in(Path::new(dir)));
    match alternative {
        Some(dir) if !explicit => Ok(dir),
        _ => Err(ClusterError::VersionMismatch {
            pgdata: pgdata.to_path_buf(),
            cluster,
            bin_dir: found,
            binaries,
        }),
    }
}

/// The version `postgres -V` reports, e.g. `15.18` from `postgres (PostgreSQL) 15.18 (Debian …)`.
fn binaries_version(bin_dir: &Path) -> Result<String, ClusterError> {
    let mut command = Command::new(bin_dir.join("postgres"));
    command.arg("-V").stdin(Stdio::null());
    let output = run(command, None)?;
    Ok(output
        .split_once(')')
        .map_or(output.as_str(), |(_, rest)| rest)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// The major version as `PG_VERSION` spells it: `15` for 15.18, `9.6` for 9.6.24.
fn major_of(version: &str) -> String {
    let digits = |part: &str| -> String { part.chars().take_while(char::is_ascii_digit).collect() };
    let mut parts = version.split('.');
    let first = digits(parts.next().unwrap_or_default());
    match first.parse::<u32>() {
        Ok(n) if n < 10 => format!("{first}.{}", digits(parts.next().unwrap_or_default())),
        _ => first,
    }
}

/// The account the server binaries run as, when this process runs as root.
#[derive(Debug, Clone)]
struct Account {
    name: String,
    uid: u32,
    gid: u32,
}

fn server_account(config: &ClusterConfig) -> Result<Option<Account>, ClusterError> {
    if !geteuid().is_root() {
        return Ok(None);
    }
    let name = config.run_as.as_deref().unwrap_or(DEFAULT_ACCOUNT);
    let problem = |problem: String| ClusterError::Account {
        account: name.to_owned(),
        problem,
    };
    let user = User::from_name(name)
        .map_err(|e| problem(format!("could not be looked up ({e})")))?
        .ok_or_else(|| problem("does not exist".to_owned()))?;
    if user.uid.is_root() {
        return Err(problem("is root itself (uid 0)".to_owned()));
    }
    Ok(Some(Account {
        name: name.to_owned(),
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    }))
}

/// What the `postmaster.pid` of a live or dead server says.
#[derive(Debug)]
struct PidFile {
    pid: i32,
    port: u16,
    socket_dir: Option<PathBuf>,
    status: Option<String>,
}

impl PidFile {
    fn socket(&self) -> Option<PathBuf> {
        let dir = self.socket_dir.as_ref()?;
        Some(dir.join(format!(".s.PGSQL.{}", self.port)))
    }
}

fn read_pid_file(pgdata: &Path) -> Result<Option<PidFile>, ClusterError> {
    let path = pgdata.join("postmaster.pid");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("could not read", &path)(e)),
    };
    // Lines: pid, data directory, start time, port, first socket directory, listen address,
    // shared memory key, status.
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let Some(pid) = lines.first().and_then(|line| line.parse().ok()) else {
        return Ok(None);
    };
    let line = |n: usize| lines.get(n).copied().filter(|line| !line.is_empty());
    Ok(Some(PidFile {
        pid,
        port: line(3).and_then(|port| port.parse().ok()).unwrap_or(PORT),
        socket_dir: line(4).map(PathBuf::from),
        status: line(7).map(str::to_owned),
    }))
}

/// Whether `pid` names a live process (zombies count as dead on Linux).
pub(crate) fn pid_alive(pid: i32) -> bool {
    if pid <= 0 || matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH)) {
        return false;
    }
    // An orphaned postmaster that exited stays a zombie when PID 1 does not reap.
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat
        .rsplit_once(") ")
        .is_some_and(|(_, rest)| rest.starts_with('Z'))
}

/// The server that runs on `pgdata` and accepts connections, waiting while it starts or stops.
fn running_server(pgdata: &Path) -> Result<Option<PidFile>, ClusterError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let Some(pid_file) = read_pid_file(pgdata)? else {
            return Ok(None);
        };
        if !pid_alive(pid_file.pid) {
            return Ok(None);
        }
        if matches!(pid_file.status.as_deref(), Some("ready" | "standby")) {
            let Some(socket) = pid_file.socket() else {
                return Err(ClusterError::UnusablePath {
                    path: pgdata.to_path_buf(),
                    reason: "its server is running without a unix socket".to_owned(),
                });
            };
            return match UnixStream::connect(&socket) {
                Ok(_) => Ok(Some(pid_file)),
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(io_error(
                    "run tenancy as root or as the server account: no access to the server socket",
                    &socket,
                )(e)),
                // A live pid that serves no socket: the file survived a crash and the pid was
                // reused. pg_ctl start copes with that.
                Err(_) => Ok(None),
            };
        }
        if Instant::now() >= deadline {
            return Err(ClusterError::NotReady {
                pgdata: pgdata.to_path_buf(),
                status: pid_file.status.unwrap_or_default(),
            });
        }
        std::thread::sleep(POLL);
    }
}

/// Removes lock files (`postmaster.pid`, the socket's `.lock`) whose process is gone.
///
/// PostgreSQL replaces such files itself, except when the pid is a zombie: a killed postmaster
/// whose parent (PID 1 in many containers) never reaps it still answers `kill(pid, 0)`. Removing
/// them is safe then: the shared-memory interlock still stops a second postmaster while orphaned
/// backends of the dead one run.
fn remove_stale_locks(pgdata: &Path, socket_dir: &Path) -> Result<(), ClusterError> {
    let socket = socket_dir.join(format!(".s.PGSQL.{PORT}"));
    let socket_lock = socket_dir.join(format!(".s.PGSQL.{PORT}.lock"));
    for lock in [pgdata.join("postmaster.pid"), socket_lock] {
        let owner = fs::read_to_string(&lock)
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse::<i32>().ok());
        if owner.is_some_and(|pid| !pid_alive(pid)) {
            for path in [&lock, &socket] {
                match fs::remove_file(path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        return Err(io_error("could not remove the stale", path)(e))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
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

        let log = data_dir.join("postgresql.log");
        let mut command = server_command(&bin_dir, "pg_ctl", &data_dir, account_ref);
        command.arg("-D").arg(&pgdata).arg("-l").arg(&log);
        // pg_ctl runs `postgres <-o>` through /bin/sh; this word needs no quoting.
        command.args(["-w", "-t", "60", "-o", "-c listen_addresses=", "start"]);
        run(command, account_ref).map_err(|e| with_log_tail(e, &log))?;
        tracing::info!(
            cluster.data_dir = %data_dir.display(),
            "started the private PostgreSQL server"
        );

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
        let account = control.account.as_ref();
        let mut command = server_command(&control.bin_dir, "pg_ctl", &self.data_dir, account);
        command.arg("-D").arg(&self.pgdata);
        command.args(["-m", "fast", "-w", "-t", "60", "stop"]);
        run(command, account)
            .map_err(|e| with_log_tail(e, &self.data_dir.join("postgresql.log")))?;
        tracing::info!(
            cluster.data_dir = %self.data_dir.display(),
            "stopped the private PostgreSQL server"
        );
        Ok(())
    }
}

async fn create_database_if_absent(
    client: &tokio_postgres::Client,
    name: &str,
) -> Result<(), tokio_postgres::Error> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    match client
        .batch_execute(&format!("CREATE DATABASE {}", quote_identifier(name)))
        .await
    {
        // Another process created it in between.
        Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) => Ok(()),
        result => result,
    }
}

/// Connects to `url` and drives the connection on the current runtime until the client drops.
pub(crate) async fn connect(
    url: &str,
) -> Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>), tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let task = tokio::spawn(async move {
        // Errors also reach the client's pending calls, which report them.
        let _ended = connection.await;
    });
    Ok((client, task))
}

/// The error with its causes: tokio-postgres's own `Display` says only "db error".
pub(crate) fn error_text(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    text
}

/// `name` as an SQL identifier.
pub(crate) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Creates `dir` (mode 0700) and its missing ancestors, returning those it created.
fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>, ClusterError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(a).is_err())
        .collect();
    for &path in missing.iter().rev() {
        let mode = if path == dir { 0o700 } else { 0o755 };
        match DirBuilder::new().mode(mode).create(path) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                return Err(io_error("could not create", path)(e))
            }
            _ => {}
        }
    }
    Ok(missing.into_iter().map(Path::to_path_buf).collect())
}

fn create_private_dir(dir: &Path) -> Result<(), ClusterError> {
    match DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            Err(io_error("could not create", dir)(e))
        }
        _ => Ok(()),
    }
}

/// pg_ctl puts paths into a `/bin/sh -c` command line between double quotes, unescaped.
fn check_shell_safe(dir: &Path) -> Result<(), ClusterError> {
    let unsafe_char = |c: char| matches!(c, '"' | '\\' | '$' | '`' | '\'' | '\n' | '\r');
    match dir.to_str() {
        Some(text) if !text.contains(unsafe_char) => Ok(()),
        _ => Err(ClusterError::UnusablePath {
            path: dir.to_path_buf(),
            reason: "pg_ctl passes it through the shell, so it must be UTF-8 without quotes, \
                     backslashes, `$`, backticks or line breaks"
                .to_owned(),
        }),
    }
}

fn lock(data_dir: &Path) -> Result<File, ClusterError> {
    let path = data_dir.join("cluster.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error("could not open", &path))?;
    file.lock().map_err(io_error("could not lock", &path))?;
    Ok(file)
}

/// Checks that `account` can traverse every ancestor of `data_dir`, opening those this process
/// created.
fn check_reachable(
    data_dir: &Path,
    created: &[PathBuf],
    account: &Account,
) -> Result<(), ClusterError> {
    let mut ancestors: Vec<&Path> = data_dir.ancestors().skip(1).collect();
    ancestors.reverse();
    for dir in ancestors {
        let meta = fs::metadata(dir).map_err(io_error("could not inspect", dir))?;
        if traversable(&meta, account) {
            continue;
        }
        if !created.iter().any(|c| c == dir) {
            return Err(ClusterError::Unreachable {
                account: account.name.clone(),
                data_dir: data_dir.to_path_buf(),
                blocking: dir.to_path_buf(),
            });
        }
        let mode = meta.mode() & 0o7777 | 0o011;
        fs::set_permissions(dir, Permissions::from_mode(mode))
            .map_err(io_error("could not open up", dir))?;
    }
    Ok(())
}

/// Whether `account` may search the directory. The server runs with no supplementary groups:
/// std drops them when a root process spawns with `uid`.
fn traversable(meta: &Metadata, account: &Account) -> bool {
    let bit = if meta.uid() == account.uid {
        0o100
    } else if meta.gid() == account.gid {
        0o010
    } else {
        0o001
    };
    meta.mode() & bit != 0
}

fn chown_tree(path: &Path, account: &Account) -> Result<(), ClusterError> {
    let meta = fs::symlink_metadata(path).map_err(io_error("could not inspect", path))?;
    if meta.uid() != account.uid || meta.gid() != account.gid {
        std::os::unix::fs::lchown(path, Some(account.uid), Some(account.gid))
            .map_err(io_error("could not hand over to the server account", path))?;
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(io_error("could not list", path))? {
            chown_tree(
                &entry.map_err(io_error("could not list", path))?.path(),
                account,
            )?;
        }
    }
    Ok(())
}

/// `<data_dir>/run`, or `/tmp/tenancy-<hash of data_dir>` when that is too long for a socket.
pub(crate) fn socket_dir_for(data_dir: &Path) -> PathBuf {
    let run = data_dir.join("run");
    if run.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        return run;
    }
    // FNV-1a: stable across builds, unlike std's hasher.
    let hash = data_dir
        .as_os_str()
        .as_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    PathBuf::from(format!("/tmp/tenancy-{hash:016x}"))
}

/// Makes the socket directory exist with mode 0700; outside the data directory (in the shared
/// `/tmp`), an existing one must belong to the server account.
fn prepare_socket_dir(
    dir: &Path,
    data_dir: &Path,
    account: Option<&Account>,
) -> Result<(), ClusterError> {
    let server_uid = account.map_or_else(|| geteuid().as_raw(), |a| a.uid);
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_private_dir(dir)?;
            if let Some(a) = account {
                std::os::unix::fs::lchown(dir, Some(a.uid), Some(a.gid))
                    .map_err(io_error("could not hand over to the server account", dir))?;
            }
        }
        Err(e) => return Err(io_error("could not inspect", dir)(e)),
        Ok(meta) if !dir.starts_with(data_dir) && (!meta.is_dir() || meta.uid() != server_uid) => {
            return Err(ClusterError::UnusablePath {
                path: dir.to_path_buf(),
                reason: format!(
                    "it is to hold the server's socket, but it is not a directory of uid \
                     {server_uid}; remove it"
                ),
            });
        }
        Ok(_) => {}
    }
    fs::set_permissions(dir, Permissions::from_mode(0o700))
        .map_err(io_error("could not restrict", dir))
}

fn initialise(
    bin_dir: &Path,
    data_dir: &Path,
    pgdata: &Path,
    account: Option<&Account>,
) -> Result<(), ClusterError> {
    let mut entries = fs::read_dir(pgdata).map_err(io_error("could not list", pgdata))?;
    if entries.next().is_some() {
        return Err(ClusterError::UnusablePath {
            path: pgdata.to_path_buf(),
            reason: "it is not empty, yet holds no PostgreSQL cluster (no PG_VERSION); move its \
                     contents away or choose another data directory"
                .to_owned(),
        });
    }
    let mut command = server_command(bin_dir, "initdb", data_dir, account);
    command
        .arg("-D")
        .arg(pgdata)
        .arg(format!("--username={SUPERUSER}"));
    // Trust for the socket only; TCP is rejected even if someone enables a listener.
    command.args([
        "--auth-local=trust",
        "--auth-host=reject",
        "--encoding=UTF8",
        "--locale=C",
    ]);
    run(command, account)?;
    let conf = pgdata.join("postgresql.conf");
    OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut file| {
            file.write_all(
                b"\n# Added by tenancy. Trust authentication is safe only without TCP listeners.\n\
                  listen_addresses = ''\n\
                  unix_socket_permissions = 0700\n\
                  include_if_exists = 'tenancy.conf'\n",
            )
        })
        .map_err(io_error("could not append to", &conf))?;
    tracing::info!(cluster.pgdata = %pgdata.display(), "initialised a private PostgreSQL cluster");
    Ok(())
}

/// Rewritten at every start, so the socket directory follows a moved data directory.
fn write_settings(
    pgdata: &Path,
    socket_dir: &Path,
    account: Option<&Account>,
) -> Result<(), ClusterError> {
    let path = pgdata.join("tenancy.conf");
    // Double quotes make one list element of the path; check_shell_safe excluded quotes in it.
    let contents = format!(
        "# Written by tenancy at every start of its private cluster; edits are lost.\n\
         listen_addresses = ''\n\
         unix_socket_directories = '\"{}\"'\n\
         unix_socket_permissions = 0700\n\
         port = {PORT}\n",
        socket_dir.display()
    );
    fs::write(&path, contents).map_err(io_error("could not write", &path))?;
    if let Some(a) = account {
        std::os::unix::fs::lchown(&path, Some(a.uid), Some(a.gid))
            .map_err(io_error("could not hand over to the server account", &path))?;
    }
    Ok(())
}

fn server_command(
    bin_dir: &Path,
    program: &str,
    data_dir: &Path,
    account: Option<&Account>,
) -> Command {
    let mut command = Command::new(bin_dir.join(program));
    // The working directory must be one the account may enter (initdb insists).
    command.current_dir(data_dir).stdin(Stdio::null());
    if let Some(account) = account {
        command.uid(account.uid).gid(account.gid);
    }
    command
}

/// Runs `command`, returning its standard output.
fn run(mut command: Command, account: Option<&Account>) -> Result<String, ClusterError> {
    let mut line: Vec<String> = vec![command.get_program().to_string_lossy().into_owned()];
    line.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    let mut line = line.join(" ");
    if let Some(account) = account {
        line.push_str(&format!(" (as {})", account.name));
    }
    let output = command.output().map_err(|source| ClusterError::Spawn {
        command: line.clone(),
        source,
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(ClusterError::CommandFailed {
        command: line,
        status: output.status.to_string(),
        output: tail(&format!("{stdout}{stderr}"), 20),
    })
}

fn with_log_tail(error: ClusterError, log: &Path) -> ClusterError {
    match error {
        ClusterError::CommandFailed {
            command,
            status,
            output,
        } => {
            let mut text = Vec::new();
            let _read = File::open(log).and_then(|mut file| {
                let len = file.metadata()?.len();
                file.seek(SeekFrom::Start(len.saturating_sub(8192)))?;
                file.read_to_end(&mut text)
            });
            let output = format!(
                "{output}\nlast lines of the server log {}:\n{}",
                log.display(),
                tail(&String::from_utf8_lossy(&text), 20)
            );
            ClusterError::CommandFailed {
                command,
                status,
                output,
            }
        }
        other => other,
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The pid of the live postmaster of the cluster in `data_dir`, if any.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn live_postmaster(data_dir: &Path) -> Option<i32> {
    let pid = read_pid_file(&data_dir.join("pgdata")).ok()??.pid;
    pid_alive(pid).then_some(pid)
}

/// Shuts the server of `data_dir` down at once (SIGQUIT, like `pg_ctl stop -m immediate`, which
/// would refuse to run as root) and waits for its postmaster to go. For test cleanup only.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn shut_down_immediately(data_dir: &Path) {
    let Some(pid) = live_postmaster(data_dir) else {
        return;
    };
    let _sent = kill(Pid::from_raw(pid), nix::sys::signal::Signal::SIGQUIT);
    let deadline = Instant::now() + Duration::from_secs(10);
    while pid_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the temp dir, named so that the `testing` sweep also collects it
    /// if this process dies; its cluster is shut down and the directory removed on drop.
    struct Scratch {
        dir: PathBuf,
    }

    impl Scratch {
        fn new(mode: u32) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "tenancy-test-cluster-{}-{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ));
            fs::create_dir(&dir).unwrap();
            fs::set_permissions(&dir, Permissions::from_mode(mode)).unwrap();
            Self {
                dir: fs::canonicalize(dir).unwrap(),
            }
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            for data_dir in [
                self.dir.clone(),
                self.dir.join("data"),
                long_data_dir(&self.dir),
            ] {
                shut_down_immediately(&data_dir);
                if !socket_dir_for(&data_dir).starts_with(&self.dir) {
                    let _gone = fs::remove_dir_all(socket_dir_for(&data_dir));
                }
            }
            let _gone = fs::remove_dir_all(&self.dir);
        }
    }

    fn long_data_dir(base: &Path) -> PathBuf {
        base.join("a-directory-name-long-enough-to-push-the-socket-path-past-the-limit-of-sun-path")
    }

    async fn query_one_string(url: &str, sql: &str) -> String {
        let (client, connection) = connect(url).await.unwrap();
        let value: String = client.query_one(sql, &[]).await.unwrap().get(0);
        drop(client);
        connection.await.unwrap();
        value
    }

    #[test]
    fn locate_binaries_finds_the_server_programs_here() {
        let dir = locate_binaries(None).unwrap();
        for name in BINARIES {
            assert!(
                is_executable(&dir.join(name)),
                "{name} in {}",
                dir.display()
            );
        }
        // PATH has symlinks in /usr/local/bin on this machine; the real directory is returned.
        if Path::new("/usr/lib/postgresql/15/bin/initdb").exists() {
            assert_eq!(dir, fs::canonicalize("/usr/lib/postgresql/15/bin").unwrap());
        }
    }

    #[test]
    fn missing_binaries_explain_what_to_install_in_one_paragraph() {
        let message = locate_binaries(Some(Path::new("/nonexistent")))
            .unwrap_err()
            .to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("brew install postgresql@16"), "{message}");
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn major_versions_are_spelled_like_pg_version() {
        assert_eq!(major_of("15.18"), "15");
        assert_eq!(major_of("17beta1"), "17");
        assert_eq!(major_of("9.6.24"), "9.6");
    }

    #[test]
    fn long_data_dirs_get_a_short_socket_dir_in_tmp() {
        let long = long_data_dir(Path::new("/tmp/tenancy-test-cluster-1-00000000"));
        let socket = socket_dir_for(&long);
        assert!(
            socket.to_string_lossy().starts_with("/tmp/tenancy-"),
            "{}",
            socket.display()
        );
        assert_eq!(socket, socket_dir_for(&long));
        assert_eq!(socket_dir_for(Path::new("/srv/t")), Path::new("/srv/t/run"));
    }

    #[test]
    fn only_the_host_form_of_the_url_names_the_socket_alone() {
        let cluster = PrivateCluster {
            data_dir: "/d".into(),
            pgdata: "/d/pgdata".into(),
            socket_dir: "/tmp/a b/run".into(),
            port: 5432,
            control: None,
        };
        let url = cluster.database_url("app");
        assert_eq!(url, "postgres://tenancy@%2Ftmp%2Fa%20b%2Frun:5432/app");
        let config: tokio_postgres::Config = url.parse().unwrap();
        assert_eq!(
            config.get_hosts(),
            [tokio_postgres::config::Host::Unix("/tmp/a b/run".into())]
        );
        // The `localhost/…?host=` form adds a TCP host that is tried first.
        let query_form: tokio_postgres::Config =
            "postgres://tenancy@localhost/app?host=%2Ftmp%2Fa%20b%2Frun"
                .parse()
                .unwrap();
        assert_eq!(query_form.get_hosts().len(), 2);
    }

    #[tokio::test]
    async fn a_cluster_keeps_its_data_across_restarts_and_crashes() {
        let scratch = Scratch::new(0o755);
        let config = ClusterConfig::new(&scratch.dir);
        let cluster = PrivateCluster::start(&config).unwrap();
        assert!(cluster.owns());
        if geteuid().is_root() {
            let postgres = User::from_name("postgres").unwrap().unwrap();
            let owner = fs::metadata(scratch.dir.join("pgdata")).unwrap().uid();
            assert_eq!(
                owner,
                postgres.uid.as_raw(),
                "the server runs as postgres, not root"
            );
        }
        let url = cluster.ensure_database("app").await.unwrap();
        assert_eq!(url, cluster.ensure_database("app").await.unwrap());
        let (client, connection) = connect(&url).await.unwrap();
        client
            .batch_execute(
                "CREATE EXTENSION pg_trgm; CREATE TABLE kept (word text); \
                 INSERT INTO kept VALUES ('survives');",
            )
            .await
            .unwrap();
        drop(client);
        connection.await.unwrap();
        cluster.stop().unwrap();
        cluster.stop().unwrap();

        let restarted = PrivateCluster::start(&config).unwrap();
        assert!(restarted.owns());
        assert_eq!(
            query_one_string(&url, "SELECT word FROM kept").await,
            "survives"
        );

        // kill -9 leaves a stale postmaster.pid behind.
        let pid = live_postmaster(&scratch.dir).unwrap();
        kill(Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while pid_alive(pid) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        let recovered = PrivateCluster::start(&config).unwrap();
        assert!(recovered.owns());
        let similarity = "SELECT similarity(word, 'survive')::text FROM kept";
        assert!(
            query_one_string(&url, similarity)
                .await
                .parse::<f64>()
                .unwrap()
                > 0.5
        );
        recovered.stop().unwrap();
    }

    #[tokio::test]
    async fn attaching_to_a_running_cluster_does_not_own_it() {
        let scratch = Scratch::new(0o755);
        // Long enough to need a socket directory in /tmp.
        let config = ClusterConfig::new(long_data_dir(&scratch.dir));
        let owner = PrivateCluster::start(&config).unwrap();
        assert!(owner
            .socket_dir()
            .to_string_lossy()
            .starts_with("/tmp/tenancy-"));
        let attached = PrivateCluster::start(&config).unwrap();
        assert!(!attached.owns());
        assert_eq!(
            attached.database_url("postgres"),
            owner.database_url("postgres")
        );
        attached.stop().unwrap();
        let url = owner.database_url("postgres");
        assert_eq!(
            query_one_string(&url, "SELECT current_user::text").await,
            SUPERUSER
        );
        owner.stop().unwrap();
    }

    #[test]
    fn an_ancestor_the_server_account_cannot_traverse_is_named() {
        if !geteuid().is_root() {
            return; // Only root switches accounts.
        }
        let scratch = Scratch::new(0o700);
        let error =
            PrivateCluster::start(&ClusterConfig::new(scratch.dir.join("data"))).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, ClusterError::Unreachable { .. }),
            "{message}"
        );
        assert!(
            message.contains(&format!("chmod o+x {}", scratch.dir.display())),
            "{message}"
        );
    }

    #[test]
    fn a_missing_account_says_how_to_configure_one() {
        if !geteuid().is_root() {
            return;
        }
        let scratch = Scratch::new(0o755);
        let config = ClusterConfig {
            run_as: Some("tenancy-no-such-account".to_owned()),
            ..ClusterConfig::new(&scratch.dir)
        };
        let message = PrivateCluster::start(&config).unwrap_err().to_string();
        assert!(message.contains("TENANCY_POSTGRES_USER"), "{message}");
        assert!(message.contains("does not exist"), "{message}");
    }
}
