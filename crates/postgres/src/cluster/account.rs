//! The unprivileged account the server runs as when `tenancy` runs as root: looking it up,
//! checking it can reach the data directory, and handing the directory over to it.

use std::fs::{self, Metadata, Permissions};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::{geteuid, User};

use super::{io_error, ClusterConfig, ClusterError};

const DEFAULT_ACCOUNT: &str = "postgres";

/// The account the server binaries run as, when this process runs as root.
#[derive(Debug, Clone)]
pub(super) struct Account {
    pub(super) name: String,
    pub(super) uid: u32,
    pub(super) gid: u32,
}

pub(super) fn server_account(config: &ClusterConfig) -> Result<Option<Account>, ClusterError> {
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

/// Checks that `account` can traverse every ancestor of `data_dir`, opening those this process
/// created.
pub(super) fn check_reachable(
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

pub(super) fn chown_tree(path: &Path, account: &Account) -> Result<(), ClusterError> {
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
