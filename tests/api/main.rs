//! HTTP behaviour through the real app on a real database, a module per resource.
#![expect(clippy::unwrap_used, reason = "tests")]

mod auth;
mod conventions;
mod customers;
mod matrix;
mod org_groups;
mod projects;
mod roles;
mod sdk;
mod team;
