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

/// The request header that carries the page's user token (ServiceNow's `X-UserToken`).
pub const USER_TOKEN_HEADER: &str = "X-UserToken";

/// The request header that makes `POST /connections` safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

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

/// Which of a connection's two scripts.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// What this side sends.
    Outgoing,
    /// How this side applies what it receives.
    Incoming,
}

impl Script {
    /// The label administrators read.
    pub fn label(self) -> &'static str {
        match self {
            Script::Outgoing => "Outgoing sync",
            Script::Incoming => "Incoming sync",
        }
    }
}

/// One published version of a connection's rules on this side.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RulesVersion {
    /// 1 for the defaults written at creation, then +1 per publish.
    pub version: u32,
    /// Unix seconds.
    pub published_at: i64,
    /// Set when this version restored an earlier one.
    pub restored_from: Option<u32>,
    pub outgoing: String,
    pub incoming: String,
}

/// A version in the history list, without its scripts.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct VersionSummary {
    pub version: u32,
    pub published_at: i64,
    pub restored_from: Option<u32>,
}

/// `GET /connections/{id}/rules`: the current version and the history, newest first.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub current: RulesVersion,
    pub versions: Vec<VersionSummary>,
    /// Why the rules cannot be edited (Basic mode); None when they can.
    pub read_only: Option<String>,
}

/// `POST /connections/{id}/rules`: publish a new version made from `base_version`. When a newer
/// version exists the node answers 409, so nobody overwrites a version they have not seen.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PublishRules {
    pub base_version: u32,
    pub outgoing: String,
    pub incoming: String,
}

/// `PATCH /connections/{id}`: what an administrator may change. A `mode` different from the
/// connection's is refused with 409: the mode is chosen once.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct EditConnection {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
}

/// The answer to an action the remote instance should hear about (activate, deactivate,
/// delete, edit…): the local change holds either way.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ActionResult {
    /// None after a delete.
    pub connection: Option<Connection>,
    pub remote_told: bool,
    /// What happened with the remote, one sentence: "Company B was told." or why not.
    pub remote_message: String,
}

/// `POST /connections/{id}/test`: an authenticated ping to the remote instance.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub answered: bool,
    /// Round trip in milliseconds, when it answered.
    pub round_trip_ms: Option<u32>,
    /// How the remote sees this connection, when it answered.
    pub remote_status: Option<Status>,
    /// One sentence for the administrator.
    pub message: String,
}

/// `POST /connections/{id}/rules/versions/{n}/restore`: publish version `n`'s scripts again, as
/// a new version made from `base_version` (the same 409 rule as a publish).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RestoreRules {
    pub base_version: u32,
}

/// Header of a call between two nodes: Unix seconds when it was signed.
pub const PEER_TIMESTAMP_HEADER: &str = "X-Synclink-Timestamp";
/// Header of a call between two nodes: lower-case hex of HMAC-SHA256(shared secret,
/// [`peer_signing_input`]).
pub const PEER_SIGNATURE_HEADER: &str = "X-Synclink-Signature";
/// A signed call is refused when its timestamp is further than this from the receiver's clock.
pub const PEER_MAX_SKEW_SECS: i64 = 300;

/// What a node signs for a call to the other node of a connection:
/// `"{METHOD}\n{path}\n{timestamp}\n{hex(sha256(body))}"`, where `path` starts with
/// [`crate::API_BASE`].
pub fn peer_signing_input(
    method: &str,
    path: &str,
    timestamp: i64,
    body_sha256_hex: &str,
) -> String {
    format!("{method}\n{path}\n{timestamp}\n{body_sha256_hex}")
}

/// What one side tells the other about its side of a connection.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerChange {
    Active,
    Deactivated,
    /// The caller deleted its side: the receiver's side becomes `Deactivated`.
    Deleted,
}

/// `POST /peer/connections/{id}/status` (signed, node to node).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PeerStatusChange {
    pub status: PeerChange,
}

/// The answer to a peer call: how the answering side now sees the connection.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    pub status: Status,
}
