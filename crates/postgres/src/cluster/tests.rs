//! Tests of the [`PrivateCluster`] API, most of them against real servers in scratch
//! directories.

use std::fs::{self, Permissions};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::signal::kill;
use nix::unistd::{geteuid, Pid, User};

use super::dirs::tests::long_data_dir;
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

async fn query_one_string(url: &str, sql: &str) -> String {
    let (client, connection) = connect(url).await.unwrap();
    let value: String = client.query_one(sql, &[]).await.unwrap().get(0);
    drop(client);
    connection.await.unwrap();
    value
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
    let error = PrivateCluster::start(&ClusterConfig::new(scratch.dir.join("data"))).unwrap_err();
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
