//! The REST API's bodies, as the widget sends and reads them and the node answers them.
//! Success bodies are wrapped in `{"result": …}` and failures in [`ErrorBody`].

use serde::{Deserialize, Serialize};

use crate::model::{LicenseKind, Mode, Platform, Status};

/// ServiceNow's success envelope.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Envelope<T> {
    pub result: T,
}

/// ServiceNow's failure body: `{"error": {"message", "detail"}, "status": "failure"}`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: ErrorMessage,
    pub status: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorMessage {
    pub message: String,
    #[serde(default)]
    pub detail: String,
}

impl ErrorBody {
    pub fn new(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorMessage {
                message: message.into(),
                detail: detail.into(),
            },
            status: "failure".into(),
        }
    }
}

/// `GET /info`: public, what another instance learns when it probes this one.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    /// Always `"synclink"`: how a probe tells a synclink instance from any other web server.
    pub product: String,
    /// Random, fixed for the life of the database: lets an instance recognise itself.
    pub instance_id: String,
    pub instance_name: String,
    pub platform: Platform,
    pub version: String,
    pub modes: Vec<Mode>,
}

pub const PRODUCT: &str = "synclink";

/// `GET /instance`: the preconditions an administrator sees before initiating.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct InstanceStatus {
    pub instance_name: String,
    pub platform: Platform,
    pub public_url: String,
    pub public: PublicCheck,
    pub license: License,
    /// Why Initiate is disabled; empty when it is enabled.
    pub initiate_blocked: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PublicCheck {
    pub ok: bool,
    pub message: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub kind: LicenseKind,
    /// Days left in a trial.
    pub days_left: Option<u32>,
}

impl License {
    /// "Trial, 27 days left", "Paid", …
    pub fn describe(&self) -> String {
        match (self.kind, self.days_left) {
            (LicenseKind::Trial, Some(1)) => "Trial, 1 day left".to_string(),
            (LicenseKind::Trial, Some(d)) => format!("Trial, {d} days left"),
            (kind, _) => kind.label().to_string(),
        }
    }
}

/// `POST /destinations/probe`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ProbeRequest {
    pub url: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The normalised URL that was probed.
    pub url: String,
    pub reachable: bool,
    /// Set when the destination answered as a synclink instance.
    pub remote: Option<RemoteInstance>,
    /// One sentence saying what was found: "Company B answered: a Jira instance running
    /// synclink 0.1.0." or "The connection was refused."
    pub message: String,
    pub modes: Vec<ModeOption>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RemoteInstance {
    pub instance_name: String,
    pub platform: Platform,
    pub version: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ModeOption {
    pub mode: Mode,
    pub available: bool,
    /// Why the mode is not available.
    pub reason: Option<String>,
}

/// `POST /connections`. The node re-validates every field and re-probes the destination to
/// decide which modes it may accept.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    /// None for a private remote ("I don't have a URL").
    pub remote_url: Option<String>,
    pub mode: Mode,
    pub local_short_name: String,
    pub remote_short_name: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A connection as the API shows it. Never carries the secret.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// 32 hexadecimal characters, like a ServiceNow sys_id.
    pub id: String,
    pub name: String,
    pub description: String,
    pub local_short_name: String,
    pub remote_short_name: String,
    pub remote_url: Option<String>,
    pub remote_platform: Option<Platform>,
    pub mode: Mode,
    pub status: Status,
    /// True on the instance that initiated the connection.
    pub initiated_here: bool,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// The answer to `POST /connections`: the connection and, this once, its invitation code.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CreatedConnection {
    pub connection: Connection,
    pub invitation_code: String,
}

/// `POST /invitations/accept` (admin, on the accepting instance): the pasted code.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AcceptInvitation {
    pub invitation_code: String,
}

/// `POST /handshake` (public, on the initiating instance): the accepting node proves it holds
/// the invitation secret and says who it is.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct HandshakeRequest {
    /// The connection id from the code (32 hex characters).
    pub connection_id: String,
    /// The invitation secret, base64url without padding.
    pub secret: String,
    pub acceptor: Acceptor,
}

// The secret must never reach a log through `{:?}`.
impl std::fmt::Debug for HandshakeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandshakeRequest")
            .field("connection_id", &self.connection_id)
            .field("secret", &"<redacted>")
            .field("acceptor", &self.acceptor)
            .finish()
    }
}

/// Who accepts an invitation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Acceptor {
    /// Its `GET /info` instance id: the same instance retrying is recognised by it.
    pub instance_id: String,
    pub instance_name: String,
    pub platform: Platform,
    /// None when the accepting instance is private (not reachable from outside).
    pub public_url: Option<String>,
}

/// The initiating node's answer to a handshake.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HandshakeResult {
    pub connection_id: String,
    pub status: Status,
    pub instance_name: String,
}

/// `GET /connections/{id}/invitation` (admin): a `Pending` connection's code, to copy again.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct InvitationCode {
    pub invitation_code: String,
}
