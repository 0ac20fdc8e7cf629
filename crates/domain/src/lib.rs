//! Tenancy's domain: the organisational structure of a self-service cloud platform —
//! customers, users and the rules about them — as plain values and pure functions.
//!
//! Nothing here does IO, reads the clock or draws random numbers: time and randomness
//! are parameters, so every rule is testable without a database or a runtime.

pub mod customer;
pub mod error;
pub mod org_group;
pub mod policy;
pub mod project;
pub mod role;
pub mod team;
pub mod user;
pub mod validate;
