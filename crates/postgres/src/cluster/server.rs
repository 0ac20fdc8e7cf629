//! The server process: `initdb`, the settings, `pg_ctl start` and `stop`, and what
//! `postmaster.pid` says about a running server.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
#[cfg(any(test, feature = "testing"))]
use std::time::Duration;
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;

use super::account::Account;
use super::{io_error, ClusterError, POLL, PORT, READY_TIMEOUT, SUPERUSER};

pub(super) fn initialise(
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
pub(super) fn write_settings(
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

/// Starts the server with `pg_ctl start`, waiting until it accepts connections.
pub(super) fn pg_ctl_start(
    bin_dir: &Path,
    data_dir: &Path,
    pgdata: &Path,
    account: Option<&Account>,
) -> Result<(), ClusterError> {
    let log = data_dir.join("postgresql.log");
    let mut command = server_command(bin_dir, "pg_ctl", data_dir, account);
    command.arg("-D").arg(pgdata).arg("-l").arg(&log);
    // pg_ctl runs `postgres <-o>` through /bin/sh; this word needs no quoting.
    command.args(["-w", "-t", "60", "-o", "-c listen_addresses=", "start"]);
    run(command, account).map_err(|e| with_log_tail(e, &log))?;
    tracing::info!(
        cluster.data_dir = %data_dir.display(),
        "started the private PostgreSQL server"
    );
    Ok(())
}

/// Stops the server with `pg_ctl stop -m fast`, waiting until it is gone.
pub(super) fn pg_ctl_stop(
    bin_dir: &Path,
    data_dir: &Path,
    pgdata: &Path,
    account: Option<&Account>,
) -> Result<(), ClusterError> {
    let mut command = server_command(bin_dir, "pg_ctl", data_dir, account);
    command.arg("-D").arg(pgdata);
    command.args(["-m", "fast", "-w", "-t", "60", "stop"]);
    run(command, account).map_err(|e| with_log_tail(e, &data_dir.join("postgresql.log")))?;
    tracing::info!(
        cluster.data_dir = %data_dir.display(),
        "stopped the private PostgreSQL server"
    );
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
pub(super) fn run(mut command: Command, account: Option<&Account>) -> Result<String, ClusterError> {
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

/// What the `postmaster.pid` of a live or dead server says.
#[derive(Debug)]
pub(super) struct PidFile {
    pub(super) pid: i32,
    pub(super) port: u16,
    pub(super) socket_dir: Option<PathBuf>,
    status: Option<String>,
}

impl PidFile {
    fn socket(&self) -> Option<PathBuf> {
        let dir = self.socket_dir.as_ref()?;
        Some(dir.join(format!(".s.PGSQL.{}", self.port)))
    }
}

pub(super) fn read_pid_file(pgdata: &Path) -> Result<Option<PidFile>, ClusterError> {
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
pub(super) fn running_server(pgdata: &Path) -> Result<Option<PidFile>, ClusterError> {
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
