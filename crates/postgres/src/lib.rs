//! Tenancy's PostgreSQL adapter.
//!
//! Diesel stays private to this crate: the port implementations map rows to domain values
//! and database failures to [`tenancy_ports::error::RepoError`]. The crate also owns the
//! database's life cycle: embedded migrations and the private cluster that `tenancy serve`
//! starts when no `DATABASE_URL` is configured.

pub mod cluster;
pub mod customers;
pub mod db;
pub mod migrations;
pub mod org_groups;
pub mod projects;
pub mod roles;
mod schema;
mod sql;
pub mod team;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
