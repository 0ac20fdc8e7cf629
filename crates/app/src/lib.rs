//! Tenancy's composition root: configuration, the CLI's subcommands, and the wiring of
//! adapters, use cases and the HTTP server. No business rules live here.

pub mod commands;
pub mod config;
pub mod database;
pub mod password;
pub mod server;
