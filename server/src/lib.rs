//! Leasehold's server: configuration, store, services, REST API and the
//! server-rendered console.
// The console's view types nest deeply; without type erasure (debug builds)
// computing their layout needs more than the default 128 levels.
#![recursion_limit = "512"]
pub mod auth;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod lifecycle;
pub mod providers;
pub mod rest;
pub mod services;
pub mod startup;
pub mod worker;
