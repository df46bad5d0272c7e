//! What every handler shares: the instance's settings and identity, the database, sessions,
//! the prober and the client for calls to other instances.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use synclink_core::api::{InstanceStatus, License, PublicCheck};
use synclink_core::{LicenseKind, Platform};

use crate::auth::Sessions;
use crate::db::Db;
use crate::probe::Prober;
use crate::{clock, license};

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub platform: Platform,
    pub instance_name: String,
    pub instance_id: String,
    /// Normalised, without a trailing slash.
    pub public_url: String,
    pub license: LicenseKind,
    pub trial_days: u32,
    /// When the database was created: the trial's first day.
    pub created_at: i64,
    pub admin_token: String,
    pub db: Db,
    pub sessions: Sessions,
    pub prober: Prober,
    /// For calls to other instances (the prober holds a handle to the same client).
    pub client: reqwest::Client,
    pub handshake_timeout: Duration,
    pub peer_timeout: Duration,
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// The licence in force now (a trial past its end counts as expired).
    pub fn current_license(&self) -> License {
        license::current(self.license, self.trial_days, self.created_at, clock::now())
    }

    /// The preconditions of Initiate, as `GET /instance` shows them.
    pub async fn instance_status(&self) -> InstanceStatus {
        let check = self
            .prober
            .self_check(&self.public_url, &self.instance_id)
            .await;
        let license = self.current_license();
        let mut blocked = Vec::new();
        if !check.ok {
            blocked.push(format!(
                "This instance is not public: the other side must be able to reach it. {}",
                check.message
            ));
        }
        if let Some(reason) = license::initiate_blocked(self.license, &license) {
            blocked.push(reason);
        }
        InstanceStatus {
            instance_name: self.instance_name.clone(),
            platform: self.platform,
            public_url: self.public_url.clone(),
            public: PublicCheck {
                ok: check.ok,
                message: check.message,
            },
            license,
            initiate_blocked: blocked,
        }
    }
}
