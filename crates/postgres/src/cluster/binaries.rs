//! Finding the server binaries (`initdb`, `pg_ctl`, `postgres`) and checking their version
//! against an existing cluster's.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::server::run;
use super::{io_error, ClusterError};

const BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

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
pub(super) fn matching_binaries(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
