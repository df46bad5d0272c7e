//! The wall clock, in the Unix seconds that core's types use.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now() -> i64 {
    // A clock set before 1970 is a broken machine; 0 keeps every comparison well defined.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
