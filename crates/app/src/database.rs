//! Resolving the database the same way for every subcommand: `DATABASE_URL` when set,
//! otherwise the private cluster in the data directory (started, or attached to when a
//! running `serve` already started it).

use tenancy_postgres::cluster::{ClusterConfig, PrivateCluster};

use crate::config::DatabaseSetting;

/// The database name inside the private cluster.
pub const PRIVATE_DATABASE: &str = "tenancy";

/// A resolved database, and the private cluster behind it when there is one.
pub struct ResolvedDatabase {
    url: String,
    cluster: Option<PrivateCluster>,
}

impl std::fmt::Debug for ResolvedDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedDatabase")
            .field("private", &self.cluster.is_some())
            .finish_non_exhaustive()
    }
}

impl ResolvedDatabase {
    /// Connects to `setting`, starting the private cluster when it is the configured one.
    ///
    /// # Errors
    /// The cluster could not be started (the message says how to fix it).
    pub async fn open(setting: &DatabaseSetting) -> anyhow::Result<Self> {
        match setting {
            DatabaseSetting::Url(_) => Ok(Self {
                url: setting.url().unwrap_or_default().to_owned(),
                cluster: None,
            }),
            DatabaseSetting::Private {
                data_dir,
                run_as,
                bin_dir,
            } => {
                let config = ClusterConfig {
                    data_dir: data_dir.clone(),
                    run_as: run_as.clone(),
                    bin_dir: bin_dir.clone(),
                };
                let cluster =
                    tokio::task::spawn_blocking(move || PrivateCluster::start(&config)).await??;
                if cluster.owns() {
                    tracing::info!(cluster.data_dir = %cluster.data_dir().display(), "private PostgreSQL cluster started");
                } else {
                    tracing::info!(cluster.data_dir = %cluster.data_dir().display(), "attached to the running private PostgreSQL cluster");
                }
                let url = match cluster.ensure_database(PRIVATE_DATABASE).await {
                    Ok(url) => url,
                    Err(e) => {
                        let _ = Self::stop_cluster(cluster).await;
                        return Err(e.into());
                    }
                };
                Ok(Self {
                    url,
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// The connection URL (may hold a password: never log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn stop_cluster(cluster: PrivateCluster) -> anyhow::Result<()> {
        if cluster.owns() {
            tokio::task::spawn_blocking(move || cluster.stop()).await??;
            tracing::info!("private PostgreSQL cluster stopped");
        }
        Ok(())
    }

    /// Stops the private cluster if this process started it.
    ///
    /// # Errors
    /// `pg_ctl stop` failed.
    pub async fn close(self) -> anyhow::Result<()> {
        match self.cluster {
            Some(cluster) => Self::stop_cluster(cluster).await,
            None => Ok(()),
        }
    }
}
