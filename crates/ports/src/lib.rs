//! Tenancy's ports and use cases.
//!
//! Ports are the async traits the adapters implement (one per aggregate, held as
//! `Arc<dyn …>`); use cases are the user actions written against them. Authorization is
//! decided here, with the domain's policy functions, never only in a handler or in SQL.

pub mod auth;
pub mod customers;
pub mod error;
pub mod org_groups;
pub mod paging;
pub mod projects;
pub mod roles;
pub mod team;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
