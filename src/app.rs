//! The Connections page: model, messages, effects and `update`.
//!
//! Architecture invariant: no `web_sys` here. `update` changes the model and says what the shell
//! must do (fetch, copy, focus) as [`Effect`]s; the shell answers with more [`Msg`]s.

use synclink_core::api::{Connection, InstanceStatus, NewConnection};

use crate::api::ApiError;
use crate::view::ids;
use crate::wizard::{self, Context, Wizard};

/// Something loaded from the node.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Loaded(T),
    Failed(ApiError),
}

impl<T> Load<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Load::Loaded(t) => Some(t),
            _ => None,
        }
    }

    pub fn failed(&self) -> Option<&ApiError> {
        match self {
            Load::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// Numbers requests so that a late answer to an abandoned one is recognised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestIds(u64);

impl RequestIds {
    pub fn fresh(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub instance: Load<InstanceStatus>,
    pub connections: Load<Vec<Connection>>,
    pub wizard: Option<Wizard>,
    /// A call answered 401.
    pub session_ended: bool,
    pub ids: RequestIds,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    InstanceLoaded(Result<InstanceStatus, ApiError>),
    ConnectionsLoaded(Result<Vec<Connection>, ApiError>),
    Retry,
    OpenWizard,
    /// Cancel or Esc.
    CloseWizard,
    /// Done, on the invitation step.
    Done,
    Wizard(wizard::Msg),
}

/// What the shell does for `update`.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadInstance,
    LoadConnections,
    /// Answer with `wizard::Msg::IdempotencyKey`, random from `crypto.getRandomValues`.
    NewIdempotencyKey,
    /// Answer with `wizard::Msg::ProbeAnswered`.
    Probe {
        req: u64,
        url: String,
    },
    /// Abort the probe in flight.
    AbortProbe,
    /// Answer with `wizard::Msg::Created`.
    Create {
        req: u64,
        idempotency_key: String,
        body: NewConnection,
    },
    /// `navigator.clipboard.writeText`, within the click; answer with `wizard::Msg::Copied`.
    Copy(String),
    /// Select the whole text of the field with this id (and focus it).
    Select(&'static str),
    /// Focus the element with this id, after rendering.
    Focus(&'static str),
}

impl Model {
    /// The page as it opens, and the loads to start.
    pub fn init() -> (Model, Vec<Effect>) {
        let model = Model {
            instance: Load::Loading,
            connections: Load::Loading,
            wizard: None,
            session_ended: false,
            ids: RequestIds::default(),
        };
        (model, vec![Effect::LoadInstance, Effect::LoadConnections])
    }

    /// Why Initiate connection is disabled; empty when it is enabled.
    pub fn initiate_blocked(&self) -> Vec<String> {
        match &self.instance {
            Load::Loaded(i) => i.initiate_blocked.clone(),
            Load::Loading => vec!["Checking this instance…".to_string()],
            Load::Failed(_) => vec!["This instance's status could not be read.".to_string()],
        }
    }
}

fn ends_session<T>(r: &Result<T, ApiError>) -> bool {
    matches!(r, Err(ApiError::SessionEnded))
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let ended = match &msg {
        Msg::InstanceLoaded(r) => ends_session(r),
        Msg::ConnectionsLoaded(r) => ends_session(r),
        Msg::Wizard(wizard::Msg::ProbeAnswered { result, .. }) => ends_session(result),
        Msg::Wizard(wizard::Msg::Created { result, .. }) => ends_session(result),
        _ => false,
    };
    model.session_ended |= ended;

    match msg {
        Msg::InstanceLoaded(r) => {
            model.instance = r.map_or_else(Load::Failed, Load::Loaded);
            vec![]
        }
        Msg::ConnectionsLoaded(r) => {
            model.connections = r.map_or_else(Load::Failed, Load::Loaded);
            vec![]
        }
        Msg::Retry => {
            let mut fx = Vec::new();
            if model.instance.failed().is_some() {
                model.instance = Load::Loading;
                fx.push(Effect::LoadInstance);
            }
            if model.connections.failed().is_some() {
                model.connections = Load::Loading;
                fx.push(Effect::LoadConnections);
            }
            fx
        }
        Msg::OpenWizard => {
            let Some(i) = model.instance.loaded() else {
                return vec![];
            };
            if model.wizard.is_some() || !i.initiate_blocked.is_empty() {
                return vec![];
            }
            let ctx = Context {
                instance_name: i.instance_name.clone(),
                platform: i.platform,
                license: i.license.kind,
            };
            model.wizard = Some(Wizard::new(ctx));
            vec![Effect::NewIdempotencyKey, Effect::Focus(ids::URL)]
        }
        Msg::CloseWizard | Msg::Done => {
            let Some(w) = model.wizard.take() else {
                return vec![];
            };
            let mut fx = Vec::new();
            if w.probing.is_some() {
                fx.push(Effect::AbortProbe);
            }
            // A connection that exists (or may, with its answer still on the way) shows up.
            if w.created.is_some() || w.creating.is_some() {
                model.connections = Load::Loading;
                fx.push(Effect::LoadConnections);
            }
            fx.push(Effect::Focus(ids::INITIATE));
            fx
        }
        Msg::Wizard(m) => match model.wizard.as_mut() {
            Some(w) => wizard::update(w, m, &mut model.ids),
            None => vec![],
        },
    }
}

/// Formats random bytes as the Idempotency-Key header value.
pub fn hex_key(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wizard::{Field, Step};
    use synclink_core::api::{CreatedConnection, License, PublicCheck};
    use synclink_core::{LicenseKind, Mode, Platform, Status};

    pub(crate) fn instance(blocked: &[&str]) -> InstanceStatus {
        InstanceStatus {
            instance_name: "Company A".into(),
            platform: Platform::ServiceNow,
            public_url: "http://127.0.0.1:8081".into(),
            public: PublicCheck {
                ok: true,
                message: "It answers as itself.".into(),
            },
            license: License {
                kind: LicenseKind::Trial,
                days_left: Some(29),
            },
            initiate_blocked: blocked.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub(crate) fn connection(name: &str, remote_url: Option<&str>, status: Status) -> Connection {
        Connection {
            id: "ab".repeat(16),
            name: name.into(),
            description: String::new(),
            local_short_name: "company_a".into(),
            remote_short_name: "company_b".into(),
            remote_url: remote_url.map(Into::into),
            remote_platform: Some(Platform::Jira),
            mode: Mode::Script,
            status,
            initiated_here: true,
            created_at: 1_795_849_355,
            updated_at: 1_795_849_355,
        }
    }

    pub(crate) fn loaded() -> Model {
        let (mut m, _) = Model::init();
        update(&mut m, Msg::InstanceLoaded(Ok(instance(&[]))));
        update(&mut m, Msg::ConnectionsLoaded(Ok(vec![])));
        m
    }

    #[test]
    fn init_loads_both() {
        let (m, fx) = Model::init();
        assert_eq!(fx, vec![Effect::LoadInstance, Effect::LoadConnections]);
        assert_eq!(m.instance, Load::Loading);
        assert_eq!(m.initiate_blocked(), ["Checking this instance…"]);
    }

    #[test]
    fn retry_reloads_what_failed() {
        let (mut m, _) = Model::init();
        update(&mut m, Msg::InstanceLoaded(Ok(instance(&[]))));
        update(
            &mut m,
            Msg::ConnectionsLoaded(Err(ApiError::Unreachable("Failed to fetch".into()))),
        );
        assert_eq!(update(&mut m, Msg::Retry), vec![Effect::LoadConnections]);
        assert_eq!(m.connections, Load::Loading);
        assert!(m.instance.loaded().is_some());
    }

    #[test]
    fn a_401_ends_the_session() {
        let (mut m, _) = Model::init();
        assert!(!m.session_ended);
        update(&mut m, Msg::ConnectionsLoaded(Err(ApiError::SessionEnded)));
        assert!(m.session_ended);
    }

    #[test]
    fn initiate_is_blocked_by_the_instance_reasons() {
        let (mut m, _) = Model::init();
        assert!(
            update(&mut m, Msg::OpenWizard).is_empty(),
            "not before the instance is known"
        );
        update(
            &mut m,
            Msg::InstanceLoaded(Ok(instance(&["This instance is not public."]))),
        );
        assert!(update(&mut m, Msg::OpenWizard).is_empty());
        assert!(m.wizard.is_none());
        assert_eq!(m.initiate_blocked(), ["This instance is not public."]);
    }

    #[test]
    fn open_asks_for_a_key_and_focuses_the_url() {
        let mut m = loaded();
        let fx = update(&mut m, Msg::OpenWizard);
        assert_eq!(fx, vec![Effect::NewIdempotencyKey, Effect::Focus(ids::URL)]);
        assert_eq!(m.wizard.as_ref().unwrap().ctx.instance_name, "Company A");
        assert!(
            update(&mut m, Msg::OpenWizard).is_empty(),
            "one wizard at a time"
        );
    }

    #[test]
    fn cancel_closes_without_saving_and_aborts_the_probe() {
        let mut m = loaded();
        update(&mut m, Msg::OpenWizard);
        update(
            &mut m,
            Msg::Wizard(wizard::Msg::Input(Field::Url, "http://b".into())),
        );
        let fx = update(&mut m, Msg::Wizard(wizard::Msg::Next));
        assert!(matches!(
            fx.as_slice(),
            [Effect::Probe { .. }, Effect::Focus(_)]
        ));
        let fx = update(&mut m, Msg::CloseWizard);
        assert_eq!(fx, vec![Effect::AbortProbe, Effect::Focus(ids::INITIATE)]);
        assert!(m.wizard.is_none());
        // Late answers for a closed wizard go nowhere.
        assert!(
            update(
                &mut m,
                Msg::Wizard(wizard::Msg::ProbeAnswered {
                    req: 1,
                    result: Err(ApiError::Aborted)
                })
            )
            .is_empty()
        );
        // A new wizard starts empty.
        update(&mut m, Msg::OpenWizard);
        assert_eq!(m.wizard.as_ref().unwrap().url.value, "");
    }

    #[test]
    fn done_reloads_the_list() {
        let mut m = loaded();
        update(&mut m, Msg::OpenWizard);
        let w = |msg| Msg::Wizard(msg);
        update(&mut m, w(wizard::Msg::IdempotencyKey("k".into())));
        update(&mut m, w(wizard::Msg::NoUrl(true)));
        update(&mut m, w(wizard::Msg::Next));
        update(&mut m, w(wizard::Msg::Next));
        update(
            &mut m,
            w(wizard::Msg::Input(Field::Remote, "company_b".into())),
        );
        let fx = update(&mut m, w(wizard::Msg::Next));
        let [Effect::Create { req, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let c = connection("company_a_to_company_b", None, Status::Pending);
        let result = Ok(CreatedConnection {
            connection: c.clone(),
            invitation_code: "CODE".into(),
        });
        update(&mut m, w(wizard::Msg::Created { req: *req, result }));
        assert_eq!(m.wizard.as_ref().unwrap().step, Step::Invitation);
        let fx = update(&mut m, Msg::Done);
        assert_eq!(
            fx,
            vec![Effect::LoadConnections, Effect::Focus(ids::INITIATE)]
        );
        assert!(m.wizard.is_none());
        assert_eq!(m.connections, Load::Loading);
        update(&mut m, Msg::ConnectionsLoaded(Ok(vec![c])));
        assert_eq!(m.connections.loaded().unwrap()[0].status, Status::Pending);
    }

    #[test]
    fn closing_while_creating_reloads_too() {
        let mut m = loaded();
        update(&mut m, Msg::OpenWizard);
        let w = |msg| Msg::Wizard(msg);
        update(&mut m, w(wizard::Msg::IdempotencyKey("k".into())));
        update(&mut m, w(wizard::Msg::NoUrl(true)));
        update(&mut m, w(wizard::Msg::Next));
        update(&mut m, w(wizard::Msg::Next));
        update(&mut m, w(wizard::Msg::Input(Field::Remote, "b".into())));
        update(&mut m, w(wizard::Msg::Next));
        let fx = update(&mut m, Msg::CloseWizard);
        assert_eq!(
            fx,
            vec![Effect::LoadConnections, Effect::Focus(ids::INITIATE)]
        );
    }

    #[test]
    fn keys_are_hex() {
        assert_eq!(hex_key(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
