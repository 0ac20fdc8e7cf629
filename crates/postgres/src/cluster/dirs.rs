//! The data directory's layout: creating it, the `cluster.lock`, the socket directory and the
//! removal of lock files a dead server left behind.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::geteuid;

use super::account::Account;
use super::server::pid_alive;
use super::{io_error, ClusterError, PORT};

/// PostgreSQL appends `/.s.PGSQL.5432` to the socket directory; the whole must fit in 107 bytes.
const MAX_SOCKET_DIR_LEN: usize = 90;

/// Creates `dir` (mode 0700) and its missing ancestors, returning those it created.
pub(super) fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>, ClusterError> {
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

pub(super) fn create_private_dir(dir: &Path) -> Result<(), ClusterError> {
    match DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            Err(io_error("could not create", dir)(e))
        }
        _ => Ok(()),
    }
}

/// pg_ctl puts paths into a `/bin/sh -c` command line between double quotes, unescaped.
pub(super) fn check_shell_safe(dir: &Path) -> Result<(), ClusterError> {
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

pub(super) fn lock(data_dir: &Path) -> Result<File, ClusterError> {
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
pub(super) fn prepare_socket_dir(
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

/// Removes lock files (`postmaster.pid`, the socket's `.lock`) whose process is gone.
///
/// PostgreSQL replaces such files itself, except when the pid is a zombie: a killed postmaster
/// whose parent (PID 1 in many containers) never reaps it still answers `kill(pid, 0)`. Removing
/// them is safe then: the shared-memory interlock still stops a second postmaster while orphaned
/// backends of the dead one run.
pub(super) fn remove_stale_locks(pgdata: &Path, socket_dir: &Path) -> Result<(), ClusterError> {
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A data directory under `base` too long for `<data_dir>/run` to hold the socket.
    pub(in crate::cluster) fn long_data_dir(base: &Path) -> PathBuf {
        base.join("a-directory-name-long-enough-to-push-the-socket-path-past-the-limit-of-sun-path")
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
}
