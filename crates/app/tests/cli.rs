//! The `tenancy` binary as a newcomer uses it: `serve` with no configuration creates its
//! private cluster, prints the admin token once, shares the cluster with `create-user`,
//! stops it on SIGTERM, and keeps the data for the next start.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions"
)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tenancy");

struct Serve {
    child: Child,
    addr: String,
    stdout: String,
}

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tenancy-cli-test-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // The postgres account must reach the cluster directory when tests run as root.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn command(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("DATABASE_URL")
        .env("TENANCY_DATA_DIR", dir.join("data"))
        .env("TENANCY_LOG_FORMAT", "json");
    command
}

/// Starts `serve` on a free port and waits (with a deadline) until it listens.
fn serve(dir: &Path) -> Serve {
    let mut child = command(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("\"listening\"") {
                let value: serde_json::Value = serde_json::from_str(&line).unwrap();
                let _ = tx.send(value["http.addr"].as_str().unwrap().to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("serve did not start listening");
    let stdout = child.stdout.take().unwrap();
    let mut text = String::new();
    // The banner is written before "listening"; read what is there without blocking on EOF.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            lines.push(line);
            let _ = tx.send(lines.join("\n"));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(2);
    while let Ok(latest) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        text = latest;
        if text.contains("Authorization: Token") {
            break;
        }
    }
    Serve {
        child,
        addr,
        stdout: text,
    }
}

fn terminate(mut serve: Serve) {
    nix_kill(serve.child.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn nix_kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn customers_status(addr: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("http://{addr}/api/customers/"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn serve_bootstraps_admin_shares_its_cluster_and_keeps_data_across_restarts() {
    let dir = data_dir();
    let first = serve(&dir);
    let admin = first
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 40 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .expect("admin token printed")
        .to_owned();
    assert_eq!(customers_status(&first.addr, &admin).await, 200);

    // create-user reaches the cluster the running serve started, and prints only a token.
    let output = command(&dir)
        .args([
            "create-user",
            "--username",
            "ops",
            "--password",
            "a long password",
            "--staff",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        token.len(),
        41,
        "exactly the token and a newline: {token:?}"
    );
    assert_eq!(customers_status(&first.addr, token.trim()).await, 200);

    let again = command(&dir)
        .args([
            "create-user",
            "--username",
            "ops",
            "--password",
            "a long password",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("user with this username already exists.")
    );
    assert!(again.stdout.is_empty());

    terminate(first);
    assert!(
        !dir.join("data/pgdata/postmaster.pid").exists(),
        "the private cluster is stopped with serve"
    );

    // Data survived; no second admin banner.
    let second = serve(&dir);
    assert!(
        !second.stdout.contains("Authorization: Token"),
        "admin is created only once"
    );
    assert_eq!(customers_status(&second.addr, token.trim()).await, 200);
    assert_eq!(customers_status(&second.addr, &admin).await, 200);
    terminate(second);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn create_user_rejects_a_short_password_and_creates_nothing() {
    let dir = data_dir();
    let output = command(&dir)
        .args(["create-user", "--username", "shorty", "--password", "short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("too short"));
    let ok = command(&dir)
        .args([
            "create-user",
            "--username",
            "shorty",
            "--password",
            "long enough",
        ])
        .output()
        .unwrap();
    assert!(ok.status.success(), "the rejected run created nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    let output = Command::new(BIN)
        .args(["create-user", "--username", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
