//! synclink's protocol, shared by the browser widget and the node.
//!
//! Architecture invariant: this crate does no I/O and knows neither the DOM nor HTTP. Anything
//! that needs the clock or randomness takes it as an argument, so the browser and the server
//! run the very same rules.

pub mod api;
pub mod base64url;
pub mod checksum;
pub mod invitation;
pub mod model;
pub mod modes;
pub mod rules;
pub mod time;
pub mod validate;

pub use model::{LicenseKind, Mode, Platform, Status};

/// Every REST endpoint lives under this path, in ServiceNow's scoped-API style.
pub const API_BASE: &str = "/api/x_synclink/v1";

/// The product version each instance reports in `GET /info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
