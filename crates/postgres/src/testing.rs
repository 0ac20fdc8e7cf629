//! Throwaway PostgreSQL for test suites: one server per test process, one migrated template
//! database per process, and a fresh clone of it per test.
//!
//! With `TEST_DATABASE_URL` set (a URL to a database whose role may create databases), the
//! databases live on that server. Otherwise the first [`TestDatabase::new`] of a test process
//! starts a [`PrivateCluster`] in `<temp dir>/tenancy-test-cluster-<pid>-<random>`.
//!
//! Cleanup. A [`TestDatabase`] drops its database when it is dropped. Statics are never dropped,
//! so the private cluster is stopped by a watchdog: an `sh` child, in its own process group (so a
//! terminal's Ctrl-C does not kill it first), blocks reading a pipe whose only writer is the test
//! process. However that process ends (tests done, failure, panic, SIGKILL), the kernel closes
//! the pipe, and the watchdog shuts the server down immediately and removes the directory: no
//! polling, no pid to be reused. Each process also sweeps what earlier runs left behind (their
//! watchdog killed too): directories whose owning test process is dead, after stopping their
//! server, and on a `TEST_DATABASE_URL` server the databases such processes created.
//!
//! Connections belong to the runtime that made them, and every `#[tokio::test]` has its own
//! runtime, so the statics here hold plain data only. They are set up on a dedicated thread with
//! its own runtime, and every operation opens and closes its own connection.

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::cluster::{self, connect, error_text, quote_identifier, ClusterConfig, PrivateCluster};

const DIR_PREFIX: &str = "tenancy-test-cluster-";
/// Marks databases on a `TEST_DATABASE_URL` server: `tenancy-test <host marker> <pid>`.
const COMMENT_PREFIX: &str = "tenancy-test";

static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();

/// The per-process test server and its migrated template.
struct Shared {
    /// A maintenance database, as a role that may create databases.
    admin_url: String,
    server: Server,
    template: String,
}

enum Server {
    External {
        url: String,
        /// Identifies this machine and boot, for the sweep; `None` where it cannot be read.
        host: Option<String>,
    },
    Private {
        cluster: PrivateCluster,
        /// The write end of the watchdog's pipe, held until the process ends.
        _watchdog: ChildStdin,
    },
}

impl Server {
    fn url_for(&self, database: &str) -> String {
        match self {
            Self::External { url, .. } => with_database(url, database),
            Self::Private { cluster, .. } => cluster.database_url(database),
        }
    }

    fn comment(&self) -> Option<String> {
        match self {
            Self::External {
                host: Some(host), ..
            } => Some(format!("{COMMENT_PREFIX} {host} {}", std::process::id())),
            _ => None,
        }
    }
}

/// A fresh database for one test, cloned from the migrated template and dropped on drop.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDatabase {
    /// Creates a fresh, migrated database, first starting this process's test server and
    /// template if that has not happened yet.
    ///
    /// # Panics
    /// When the server, the template or the database cannot be set up: this is test support,
    /// and the message says why.
    pub async fn new() -> TestDatabase {
        match Self::create().await {
            Ok(database) => database,
            Err(message) => panic!("could not set up a test database: {message}"),
        }
    }

    async fn create() -> Result<Self, String> {
        let shared = shared().await?;
        let name = format!("tenancy_test_{:016x}", rand::random::<u64>());
        let create = format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_identifier(&name),
            quote_identifier(&shared.template)
        );
        create_database(&shared.admin_url, &shared.server, &name, &create).await?;
        Ok(Self {
            url: shared.server.url_for(&name),
            name,
            admin_url: shared.admin_url.clone(),
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread of its own: this runs inside the test's runtime, which
    /// cannot block on a future.
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_identifier(&self.name)
        );
        let outcome = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(execute(&admin_url, &sql))
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!(
                "warning: could not drop the test database {}: {e}",
                self.name
            ),
            Err(_) => eprintln!("warning: dropping the test database {} panicked", self.name),
        }
    }
}

/// The URL of the test server's maintenance database, as a role that may create databases,
/// first starting the server if this process has none yet.
///
/// # Panics
/// When the server cannot be set up.
pub async fn admin_url() -> String {
    match shared().await {
        Ok(shared) => shared.admin_url.clone(),
        Err(message) => panic!("could not set up the test database server: {message}"),
    }
}

async fn shared() -> Result<&'static Shared, String> {
    tokio::task::spawn_blocking(|| {
        SHARED
            .get_or_init(|| {
                std::thread::Builder::new()
                    .name("tenancy-test-server".to_owned())
                    .spawn(set_up)
                    .map_err(|e| format!("could not spawn the setup thread: {e}"))?
                    .join()
                    .unwrap_or_else(|_| Err("the setup thread panicked".to_owned()))
            })
            .as_ref()
            .map_err(Clone::clone)
    })
    .await
    .map_err(|e| e.to_string())?
}

fn set_up() -> Result<Shared, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not build a runtime: {e}"))?;
    let (admin_url, server) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let host = host_marker();
            if let Some(host) = &host {
                runtime.block_on(sweep_server(&url, host));
            }
            (url.clone(), Server::External { url, host })
        }
        _ => {
            let (cluster, watchdog) = start_private()?;
            let admin_url = cluster.database_url("postgres");
            runtime.block_on(tune(&admin_url))?;
            let server = Server::Private {
                cluster,
                _watchdog: watchdog,
            };
            (admin_url, server)
        }
    };
    let template = format!("tenancy_template_{:016x}", rand::random::<u64>());
    let create = format!("CREATE DATABASE {}", quote_identifier(&template));
    runtime.block_on(create_database(&admin_url, &server, &template, &create))?;
    runtime
        .block_on(crate::migrations::run_pending(&server.url_for(&template)))
        .map_err(|e| format!("could not migrate the template database: {e}"))?;
    Ok(Shared {
        admin_url,
        server,
        template,
    })
}

fn start_private() -> Result<(PrivateCluster, ChildStdin), String> {
    sweep_dirs();
    let dir = std::env::temp_dir().join(format!(
        "{DIR_PREFIX}{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let fail = |e: std::io::Error| format!("could not prepare {}: {e}", dir.display());
    fs::create_dir(&dir).map_err(fail)?;
    // Reachable by the `postgres` account when the tests run as root, whatever the umask.
    fs::set_permissions(&dir, Permissions::from_mode(0o755)).map_err(fail)?;
    let dir = fs::canonicalize(&dir).map_err(fail)?;
    let watchdog = spawn_watchdog(&dir)?;
    let cluster = PrivateCluster::start(&ClusterConfig::new(&dir)).map_err(|e| e.to_string())?;
    Ok((cluster, watchdog))
}

/// Waits for EOF on its stdin, then shuts the server of `$1` down and removes `$1` and `$2`.
const WATCHDOG: &str = r#"read -r line
pid=$(head -n 1 "$1/pgdata/postmaster.pid" 2>/dev/null)
case $pid in
  ''|*[!0-9]*) ;;
  *) kill -QUIT "$pid" 2>/dev/null
     n=0
     # The pid file goes when the postmaster exits, even where nobody reaps its zombie.
     while [ -e "$1/pgdata/postmaster.pid" ] && kill -0 "$pid" 2>/dev/null && [ "$n" -lt 200 ]; do
       sleep 0.05 2>/dev/null || sleep 1
       n=$((n + 1))
     done ;;
esac
rm -rf "$1" "$2""#;

fn spawn_watchdog(dir: &Path) -> Result<ChildStdin, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("tenancy-test-watchdog")
        .arg(dir)
        .arg(cluster::socket_dir_for(dir))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("could not spawn the cleanup watchdog: {e}"))?;
    // Not waited for: it outlives this process, and init reaps it.
    child
        .stdin
        .take()
        .ok_or_else(|| "the watchdog has no stdin".to_owned())
}

/// Removes the cluster directories of earlier test processes that are gone.
fn sweep_dirs() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let owner = name
            .to_str()
            .and_then(|name| name.strip_prefix(DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok());
        let (Some(owner), true) = (owner, entry.file_type().is_ok_and(|t| t.is_dir())) else {
            continue;
        };
        let dir = entry.path();
        let server = cluster::live_postmaster(&dir);
        // A live owner may be setting its cluster up right now; a dead server an hour old means
        // the pid in the name was reused.
        let abandoned = !cluster::pid_alive(owner)
            || (server.is_none()
                && entry
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .is_ok_and(|at| {
                        at.elapsed()
                            .is_ok_and(|age| age > Duration::from_secs(3600))
                    }));
        if abandoned {
            cluster::shut_down_immediately(&dir);
            let socket_dir = cluster::socket_dir_for(&dir);
            if !socket_dir.starts_with(&dir) {
                let _gone = fs::remove_dir_all(socket_dir);
            }
            let _gone = fs::remove_dir_all(&dir);
        }
    }
}

/// Drops databases that dead test processes of this machine left on a shared server.
async fn sweep_server(url: &str, host: &str) {
    let Ok((client, connection)) = connect(url).await else {
        return;
    };
    let query = "SELECT datname::text, shobj_description(oid, 'pg_database') FROM pg_database \
                 WHERE shobj_description(oid, 'pg_database') LIKE 'tenancy-test %'";
    for row in client.query(query, &[]).await.unwrap_or_default() {
        let (Ok(name), Ok(comment)) = (row.try_get::<_, String>(0), row.try_get::<_, String>(1))
        else {
            continue;
        };
        let mut words = comment.split(' ').skip(1);
        let (Some(marker), Some(Ok(pid))) = (words.next(), words.next().map(str::parse::<i32>))
        else {
            continue;
        };
        if marker == host && !cluster::pid_alive(pid) {
            let sql = format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&name)
            );
            let _swept = client.batch_execute(&sql).await;
        }
    }
    drop(client);
    let _closed = connection.await;
}

/// This machine and boot, in a form safe inside an SQL string; pids are meaningful only there.
fn host_marker() -> Option<String> {
    let read = |path: &str| {
        fs::read_to_string(path)
            .ok()
            .map(|text| text.trim().to_owned())
    };
    let text = format!(
        "{}/{}",
        read("/proc/sys/kernel/hostname")?,
        read("/proc/sys/kernel/random/boot_id")?
    );
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Some(format!("{hash:016x}"))
}

/// Trades durability for speed: the cluster is thrown away anyway.
async fn tune(admin_url: &str) -> Result<(), String> {
    // ALTER SYSTEM refuses to run in the implicit transaction of a multi-statement string.
    for sql in [
        "ALTER SYSTEM SET fsync = off",
        "ALTER SYSTEM SET synchronous_commit = off",
        "ALTER SYSTEM SET full_page_writes = off",
        "SELECT pg_reload_conf()",
    ] {
        execute(admin_url, sql)
            .await
            .map_err(|e| format!("could not tune the test cluster: {e}"))?;
    }
    Ok(())
}

/// Runs `create`, then marks the database for the sweep where that applies. Separately: CREATE
/// DATABASE refuses the implicit transaction of a multi-statement string.
async fn create_database(
    admin_url: &str,
    server: &Server,
    name: &str,
    create: &str,
) -> Result<(), String> {
    execute(admin_url, create)
        .await
        .map_err(|e| format!("could not create the database {name}: {e}"))?;
    if let Some(comment) = server.comment() {
        let sql = format!(
            "COMMENT ON DATABASE {} IS '{comment}'",
            quote_identifier(name)
        );
        execute(admin_url, &sql)
            .await
            .map_err(|e| format!("could not mark the database {name}: {e}"))?;
    }
    Ok(())
}

async fn execute(url: &str, sql: &str) -> Result<(), String> {
    let (client, connection) = connect(url)
        .await
        .map_err(|e| format!("could not connect to the test server: {}", error_text(&e)))?;
    let result = client.batch_execute(sql).await.map_err(|e| error_text(&e));
    drop(client);
    let _closed = connection.await;
    result
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    for scheme in ["postgres://", "postgresql://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (path, query) = rest
                .split_once('?')
                .map_or((rest, None), |(p, q)| (p, Some(q)));
            let authority = path
                .split_once('/')
                .map_or(path, |(authority, _)| authority);
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            return format!("{scheme}{authority}/{database}{query}");
        }
    }
    // Key/value form: a later key overrides an earlier one.
    format!("{url} dbname={database}")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn has_migrations_table(url: &str) -> bool {
        let (client, connection) = connect(url).await.unwrap();
        let row = client
            .query_one(
                "SELECT to_regclass('public.__diesel_schema_migrations') IS NOT NULL",
                &[],
            )
            .await
            .unwrap();
        drop(client);
        connection.await.unwrap();
        row.get(0)
    }

    async fn database_exists(name: &str) -> bool {
        let (client, connection) = connect(&admin_url().await).await.unwrap();
        let row = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await
            .unwrap();
        drop(client);
        connection.await.unwrap();
        row.is_some()
    }

    #[tokio::test]
    async fn each_test_database_is_a_distinct_migrated_clone_dropped_with_its_guard() {
        let first = TestDatabase::new().await;
        let second = TestDatabase::new().await;
        assert_ne!(first.name(), second.name());
        assert_ne!(first.url(), second.url());
        assert!(has_migrations_table(first.url()).await);
        assert!(has_migrations_table(second.url()).await);

        let name = first.name().to_owned();
        assert!(database_exists(&name).await);
        drop(first);
        assert!(!database_exists(&name).await);
        assert!(database_exists(second.name()).await);
    }

    #[tokio::test]
    async fn tests_on_other_runtimes_share_the_server() {
        let database = TestDatabase::new().await;
        assert!(has_migrations_table(database.url()).await);
        assert!(admin_url().await.starts_with("postgres"));
    }

    #[test]
    fn with_database_replaces_only_the_database() {
        assert_eq!(
            with_database("postgres://u:p@h:5/old?sslmode=disable", "new"),
            "postgres://u:p@h:5/new?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h", "new"), "postgresql://h/new");
        assert_eq!(
            with_database("host=h user=u", "new"),
            "host=h user=u dbname=new"
        );
    }
}
