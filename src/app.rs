//! The Connections page: model, messages, effects and `update`.
//!
//! Architecture invariant: no `web_sys` here. `update` changes the model and says what the shell
//! must do (fetch, copy, focus, wait) as [`Effect`]s; the shell answers with more [`Msg`]s.

use synclink_core::Status;
use synclink_core::api::{Connection, InstanceStatus, InvitationCode, NewConnection};

use crate::accept::{self, Accept};
use crate::api::ApiError;
use crate::copy::CopyState;
use crate::page::{self, Action, Page, Tab};
use crate::view::ids;
use crate::wizard::{self, Context, Wizard};
use synclink_core::LicenseKind;
use synclink_core::api::PublishRules;

/// How long the list waits before asking again while a connection is `Pending`.
pub const POLL_MS: u32 = 2000;

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

/// A connection's text in the list's column `col` (0 to 5).
fn column(c: &Connection, col: usize) -> &str {
    match col {
        0 => &c.name,
        1 => &c.local_short_name,
        2 => &c.remote_short_name,
        3 => c.remote_url.as_deref().unwrap_or(""),
        4 => c.mode.label(),
        _ => c.status.label(),
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

/// The **Invitation code** dialog of a `Pending` connection initiated here.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowCode {
    pub connection_id: String,
    pub remote_short_name: String,
    pub req: u64,
    pub code: Load<String>,
    pub copy: CopyState,
}

/// The list's requests: at most one at a time, and a timer while something is `Pending`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListRequests {
    /// A `GET /connections` is on its way.
    pub in_flight: bool,
    /// A reload was asked for while one was on its way: its answer is stale, ask again.
    pub again: bool,
    /// A [`Effect::PollAfter`] is waiting to fire.
    pub timer: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub instance: Load<InstanceStatus>,
    pub connections: Load<Vec<Connection>>,
    pub wizard: Option<Wizard>,
    pub accept: Option<Accept>,
    pub show_code: Option<ShowCode>,
    /// A call answered 401.
    pub session_ended: bool,
    pub ids: RequestIds,
    pub list: ListRequests,
    /// The connection page shown instead of the list (`#connection/<id>`).
    pub page: Option<Page>,
    /// Where the admin asked to go while the Rules tab has unpublished changes: the
    /// "Leave without publishing?" dialog (or, for a Restore, its variant) is open.
    pub exit: Option<Exit>,
    /// Said once on the list after a connection went away (deleted, invitation cancelled).
    pub notice: Option<String>,
    pub filter: String,
    pub status_filter: Option<Status>,
    /// The column sorted by (an index of [`crate::view::COLUMNS`]) and whether descending.
    pub sort: (usize, bool),
}

/// A way out of the Rules tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit {
    pub to: Dest,
    /// The browser already changed the URL (Back, a typed hash): Stay puts it back.
    pub from_hash: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    List,
    Connection(String),
    Tab(Tab),
    /// **Restore** on a history version: it replaces the edits.
    Restore(u32),
}

/// The Created column, newest first: the list's order until a header is clicked.
pub const DEFAULT_SORT: (usize, bool) = (6, true);

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
    /// Accept invitation.
    OpenAccept,
    /// Cancel, Esc, or Done once accepted.
    CloseAccept,
    /// **Go to rules**, once accepted: the new connection's page, on its Rules tab.
    AcceptRules,
    Accept(accept::Msg),
    /// Show invitation code, on the row of this connection id.
    ShowCode(String),
    CodeLoaded {
        req: u64,
        result: Result<InvitationCode, ApiError>,
    },
    /// Close, or Esc, in the Invitation code dialog.
    CloseCode,
    /// Copy invitation code, wherever the code is shown.
    Copy,
    /// Whether the clipboard took the code.
    Copied(bool),
    /// The [`Effect::PollAfter`] timer fired.
    PollTick,
    /// A connection's name in the list.
    Open(String),
    /// The URL hash, at start and on `hashchange`.
    Route(String),
    /// **< Connections**.
    Back,
    Tab(Tab),
    /// **Leave** (or **Restore anyway**) / **Stay** in the unpublished-changes dialog.
    Leave,
    Stay,
    Page(page::Msg),
    Filter(String),
    StatusFilter(String),
    Sort(usize),
}

/// What the shell does for `update`.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadInstance,
    /// Answer with `Msg::ConnectionsLoaded`.
    LoadConnections,
    /// `setTimeout`: answer with `Msg::PollTick` after this many milliseconds.
    PollAfter(u32),
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
    /// `POST /invitations/accept`; answer with `accept::Msg::Answered`.
    AcceptInvitation {
        req: u64,
        invitation_code: String,
    },
    /// `GET /connections/{id}/invitation`; answer with `Msg::CodeLoaded`.
    LoadInvitation {
        req: u64,
        connection_id: String,
    },
    /// `navigator.clipboard.writeText`, within the click; answer with `Msg::Copied`.
    Copy(String),
    /// Select the whole text of the field with this id (and focus it).
    Select(&'static str),
    /// Focus the element with this id, after rendering.
    Focus(&'static str),
    /// Focus the element with this id (made at run time), after rendering.
    FocusId(String),
    /// `location.hash = …` (a history entry).
    SetHash(String),
    /// `location.replace(…)`: the URL without a new history entry.
    ReplaceHash(String),
    /// `GET /connections/{id}`; answer with `page::Msg::Loaded`.
    LoadConnection {
        req: u64,
        id: String,
    },
    /// Answer with `page::Msg::Acted`.
    Act {
        req: u64,
        id: String,
        action: Action,
    },
    /// `GET /connections/{id}/rules`; answer with `page::RMsg::Loaded`.
    LoadRules {
        req: u64,
        id: String,
    },
    /// `GET /connections/{id}/rules/versions/{n}`; answer with `page::RMsg::VersionLoaded`.
    LoadVersion {
        req: u64,
        id: String,
        version: u32,
    },
    /// `POST /connections/{id}/rules`; answer with `page::RMsg::Published`.
    Publish {
        req: u64,
        id: String,
        body: PublishRules,
    },
    /// `POST …/rules/versions/{n}/restore`; answer with `page::RMsg::Restored`.
    Restore {
        req: u64,
        id: String,
        version: u32,
        base: u32,
    },
    /// Select this range (UTF-16) of the editor, after rendering.
    SetCaret {
        id: &'static str,
        start: u32,
        end: u32,
    },
}

impl Model {
    /// The page as it opens, and the loads to start.
    pub fn init() -> (Model, Vec<Effect>) {
        let model = Model {
            instance: Load::Loading,
            connections: Load::Loading,
            wizard: None,
            accept: None,
            show_code: None,
            session_ended: false,
            ids: RequestIds::default(),
            list: ListRequests {
                in_flight: true,
                ..ListRequests::default()
            },
            page: None,
            exit: None,
            notice: None,
            filter: String::new(),
            status_filter: None,
            sort: DEFAULT_SORT,
        };
        (model, vec![Effect::LoadInstance, Effect::LoadConnections])
    }

    /// Why Initiate connection is disabled; empty when it is enabled.
    pub fn initiate_blocked(&self) -> Vec<String> {
        match &self.instance {
            Load::Loaded(i) => {
                let mut why = i.initiate_blocked.clone();
                // The node lists it; should it not, the licence still blocks.
                if why.is_empty() && i.license.kind == LicenseKind::Expired {
                    why.push("Your licence has expired.".into());
                }
                why
            }
            Load::Loading => vec!["Checking this instance…".to_string()],
            Load::Failed(_) => vec!["This instance's status could not be read.".to_string()],
        }
    }

    /// A dialog is open: the page behind is inert.
    pub fn dialog_open(&self) -> bool {
        self.wizard.is_some()
            || self.accept.is_some()
            || self.show_code.is_some()
            || self.exit.is_some()
    }

    /// The licence has expired: no Script or Visual connection can be initiated or accepted.
    pub fn licence_expired(&self) -> bool {
        self.instance
            .loaded()
            .is_some_and(|i| i.license.kind == LicenseKind::Expired)
    }

    /// Unpublished changes in a connection's Rules tab (the shell asks before unload).
    pub fn unsaved(&self) -> bool {
        self.page.as_ref().is_some_and(Page::unsaved)
    }

    /// Ctrl+S / Cmd+S publishes: the Rules tab is open, with editable rules.
    pub fn publishes_on_save(&self) -> bool {
        self.exit.is_none()
            && self
                .page
                .as_ref()
                .and_then(|p| p.rules.as_ref())
                .is_some_and(|r| r.rules.loaded().is_some() && r.read_only().is_none())
    }

    /// The rows shown: filtered by text and status, sorted by the chosen column. The text
    /// matches the name, both short names and the URL, ignoring (ASCII) case.
    pub fn visible(&self) -> Vec<&Connection> {
        let Some(cs) = self.connections.loaded() else {
            return Vec::new();
        };
        let q = self.filter.trim().to_ascii_lowercase();
        let mut rows: Vec<&Connection> = cs
            .iter()
            .filter(|c| self.status_filter.is_none_or(|s| c.status == s))
            .filter(|c| {
                q.is_empty() || (0..4).any(|col| column(c, col).to_ascii_lowercase().contains(&q))
            })
            .collect();
        let (col, desc) = self.sort;
        rows.sort_by(|a, b| {
            let o = if col == 6 {
                a.created_at.cmp(&b.created_at)
            } else {
                let key = |c| column(c, col).bytes().map(|b| b.to_ascii_lowercase());
                key(a).cmp(key(b))
            };
            if desc { o.reverse() } else { o }
        });
        rows
    }

    /// Goes where the admin asked, unless unpublished changes must be confirmed first.
    fn navigate(&mut self, to: Dest, from_hash: bool, fx: &mut Vec<Effect>) {
        if self.unsaved() {
            self.exit = Some(Exit { to, from_hash });
            fx.push(Effect::Focus(ids::STAY));
        } else {
            self.go(to, from_hash, fx);
        }
    }

    fn go(&mut self, to: Dest, from_hash: bool, fx: &mut Vec<Effect>) {
        match to {
            Dest::List => {
                self.page = None;
                if !from_hash {
                    fx.push(Effect::SetHash(String::new()));
                }
                self.reload(fx);
            }
            Dest::Connection(id) => {
                self.notice = None;
                let known = self
                    .connections
                    .loaded()
                    .and_then(|cs| cs.iter().find(|c| c.id == id))
                    .cloned();
                if !from_hash {
                    fx.push(Effect::SetHash(page::hash(&id)));
                }
                let (p, load) = Page::open(id, known, &mut self.ids);
                self.page = Some(p);
                fx.push(load);
                fx.push(Effect::Focus(ids::BACK));
            }
            Dest::Tab(t) => {
                if let Some(p) = self.page.as_mut() {
                    fx.extend(p.show_tab(t, &mut self.ids));
                }
            }
            Dest::Restore(n) => {
                if let Some(p) = self.page.as_mut() {
                    let restore = page::Msg::Rules(page::RMsg::Restore(n));
                    fx.extend(page::update(p, restore, &mut self.ids));
                }
            }
        }
    }

    /// Whether the list shows a connection waiting for the other side.
    pub fn has_pending(&self) -> bool {
        self.connections
            .loaded()
            .is_some_and(|cs| cs.iter().any(|c| c.status == Status::Pending))
    }

    /// A reload the admin sees ("Loading connections…"); waits for a request on its way.
    fn reload(&mut self, fx: &mut Vec<Effect>) {
        self.connections = Load::Loading;
        self.request_list(fx);
    }

    fn request_list(&mut self, fx: &mut Vec<Effect>) {
        if self.list.in_flight {
            self.list.again = true;
        } else {
            self.list.in_flight = true;
            fx.push(Effect::LoadConnections);
        }
    }

    /// Starts the timer when something is `Pending` and nothing else is under way: on the
    /// list, any row; on a connection's page, that connection only.
    fn schedule_poll(&mut self, fx: &mut Vec<Effect>) {
        let (wanted, busy) = match &self.page {
            Some(p) => (p.pending(), p.loading.is_some()),
            None => (self.has_pending(), self.list.in_flight),
        };
        if wanted && !self.session_ended && !busy && !self.list.timer {
            self.list.timer = true;
            fx.push(Effect::PollAfter(POLL_MS));
        }
    }

    /// The code on screen with Copy invitation code, and its copy state.
    fn code_box(&mut self) -> Option<(&str, &mut CopyState)> {
        if let Some(p) = self.page.as_mut().filter(|p| p.regenerated.is_some()) {
            return p.regenerated.as_deref().map(|c| (c, &mut p.copy));
        }
        if let Some(w) = self.wizard.as_mut() {
            let code = w.created.as_ref()?.invitation_code.as_str();
            return Some((code, &mut w.copy));
        }
        let s = self.show_code.as_mut()?;
        match &s.code {
            Load::Loaded(code) => Some((code.as_str(), &mut s.copy)),
            _ => None,
        }
    }
}

fn ends_session<T>(r: &Result<T, ApiError>) -> bool {
    matches!(r, Err(ApiError::SessionEnded))
}

/// The id of the Show invitation code button on a connection's row.
pub fn show_code_id(connection_id: &str) -> String {
    let mut s = String::from("sl-show-");
    s.push_str(connection_id);
    s
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let ended = match &msg {
        Msg::InstanceLoaded(r) => ends_session(r),
        Msg::ConnectionsLoaded(r) => ends_session(r),
        Msg::Wizard(wizard::Msg::ProbeAnswered { result, .. }) => ends_session(result),
        Msg::Wizard(wizard::Msg::Created { result, .. }) => ends_session(result),
        Msg::Accept(accept::Msg::Answered { result, .. }) => ends_session(result),
        Msg::CodeLoaded { result, .. } => ends_session(result),
        Msg::Page(m) => m.ends_session(),
        _ => false,
    };
    model.session_ended |= ended;

    let mut fx = Vec::new();
    match msg {
        Msg::InstanceLoaded(r) => {
            model.instance = r.map_or_else(Load::Failed, Load::Loaded);
        }
        Msg::ConnectionsLoaded(r) => {
            model.list.in_flight = false;
            if std::mem::take(&mut model.list.again) {
                // Asked before what the admin just did: ask again.
                model.request_list(&mut fx);
                return fx;
            }
            match (r, &model.connections) {
                (Ok(cs), _) => model.connections = Load::Loaded(cs),
                // A refresh that failed keeps the table; the next tick tries again.
                (Err(_), Load::Loaded(_)) => {}
                (Err(e), _) => model.connections = Load::Failed(e),
            }
            model.schedule_poll(&mut fx);
        }
        Msg::PollTick => {
            model.list.timer = false;
            if model.session_ended {
                return fx;
            }
            match model.page.as_mut() {
                Some(p) => {
                    if p.pending() {
                        fx.extend(p.ask_again(&mut model.ids));
                    }
                }
                // Silently: the table stays while the list is asked again.
                None => {
                    if model.has_pending() && !model.list.in_flight {
                        model.request_list(&mut fx);
                    }
                }
            }
        }
        Msg::Open(id) => {
            if !model.dialog_open() && model.page.is_none() {
                model.go(Dest::Connection(id), false, &mut fx);
            }
        }
        Msg::Route(hash) => {
            let target = page::route(&hash);
            let here = model.page.as_ref().map(|p| p.id.clone());
            if target == here || model.exit.is_some() {
                return fx;
            }
            let to = target.map_or(Dest::List, Dest::Connection);
            model.navigate(to, true, &mut fx);
        }
        Msg::Back => {
            if model.page.is_some() && !model.dialog_open() {
                model.navigate(Dest::List, false, &mut fx);
            }
        }
        Msg::Tab(t) => {
            let Some(p) = model.page.as_ref() else {
                return fx;
            };
            if p.tab != t && !p.gone && !model.dialog_open() {
                model.navigate(Dest::Tab(t), false, &mut fx);
            }
        }
        Msg::Leave => {
            if let Some(e) = model.exit.take() {
                model.go(e.to, e.from_hash, &mut fx);
            }
        }
        Msg::Stay => {
            if let Some(e) = model.exit.take()
                && let (true, Some(p)) = (e.from_hash, &model.page)
            {
                fx.push(Effect::ReplaceHash(page::hash(&p.id)));
            }
        }
        Msg::Page(page::Msg::Rules(page::RMsg::Restore(n))) if model.unsaved() => {
            // A Restore replaces the edits: asked first, like a way out.
            if !model.dialog_open() {
                model.navigate(Dest::Restore(n), false, &mut fx);
            }
        }
        Msg::Page(m) => {
            let Some(p) = model.page.as_mut() else {
                return fx;
            };
            fx = page::update(p, m, &mut model.ids);
            if let Some(notice) = p.closed.take() {
                model.page = None;
                model.notice = Some(notice);
                fx.push(Effect::SetHash(String::new()));
                model.reload(&mut fx);
                fx.push(Effect::Focus(ids::INITIATE));
            } else {
                model.schedule_poll(&mut fx);
            }
        }
        Msg::Filter(s) => model.filter = s,
        Msg::StatusFilter(s) => model.status_filter = Status::from_label(&s),
        Msg::Sort(col) => {
            let (c, desc) = model.sort;
            model.sort = (col, c == col && !desc);
        }
        Msg::Retry => {
            if model.instance.failed().is_some() {
                model.instance = Load::Loading;
                fx.push(Effect::LoadInstance);
            }
            if model.connections.failed().is_some() {
                model.reload(&mut fx);
            }
        }
        Msg::OpenWizard => {
            if model.dialog_open() || !model.initiate_blocked().is_empty() {
                return fx;
            }
            let Some(i) = model.instance.loaded() else {
                return fx;
            };
            let ctx = Context {
                instance_name: i.instance_name.clone(),
                platform: i.platform,
                license: i.license.kind,
            };
            model.wizard = Some(Wizard::new(ctx));
            fx.push(Effect::NewIdempotencyKey);
            fx.push(Effect::Focus(ids::URL));
        }
        Msg::CloseWizard | Msg::Done => {
            let Some(w) = model.wizard.take() else {
                return fx;
            };
            if w.probing.is_some() {
                fx.push(Effect::AbortProbe);
            }
            // A connection that exists (or may, with its answer still on the way) shows up.
            if w.created.is_some() || w.creating.is_some() {
                model.reload(&mut fx);
            }
            fx.push(Effect::Focus(ids::INITIATE));
        }
        Msg::Wizard(m) => {
            if let Some(w) = model.wizard.as_mut() {
                fx = wizard::update(w, m, &mut model.ids);
            }
        }
        Msg::OpenAccept => {
            if !model.dialog_open() && !model.licence_expired() {
                model.accept = Some(Accept::new());
                fx.push(Effect::Focus(ids::INVITATION));
            }
        }
        Msg::CloseAccept => {
            let Some(a) = model.accept.take() else {
                return fx;
            };
            if a.accepted.is_some() || a.confirming.is_some() {
                model.reload(&mut fx);
            }
            fx.push(Effect::Focus(ids::ACCEPT));
        }
        Msg::AcceptRules => {
            let Some(c) = model.accept.as_ref().and_then(|a| a.accepted.clone()) else {
                return fx;
            };
            if model.page.is_some() {
                return fx;
            }
            model.accept = None;
            model.go(Dest::Connection(c.id.clone()), false, &mut fx);
            if let Some(p) = model.page.as_mut().filter(|p| p.conn.loaded().is_none()) {
                // Not in the list yet: the node's answer shows until the page's own load.
                p.conn = Load::Loaded(c);
            }
            model.go(Dest::Tab(Tab::Rules), false, &mut fx);
        }
        Msg::Accept(m) => {
            if let Some(a) = model.accept.as_mut() {
                fx = accept::update(a, m, &mut model.ids);
            }
        }
        Msg::ShowCode(id) => {
            let on_page = model.page.as_ref().and_then(|p| p.conn.loaded());
            let listed = model
                .connections
                .loaded()
                .and_then(|cs| cs.iter().find(|c| c.id == id));
            let Some(c) = on_page
                .filter(|c| c.id == id)
                .or(listed)
                .filter(|c| c.status == Status::Pending && c.initiated_here)
            else {
                return fx;
            };
            if model.dialog_open() {
                return fx;
            }
            let remote_short_name = c.remote_short_name.clone();
            if let Some(p) = model.page.as_mut() {
                // One code on screen at a time.
                p.regenerated = None;
            }
            let req = model.ids.fresh();
            model.show_code = Some(ShowCode {
                connection_id: id.clone(),
                remote_short_name,
                req,
                code: Load::Loading,
                copy: CopyState::Idle,
            });
            fx.push(Effect::LoadInvitation {
                req,
                connection_id: id,
            });
            fx.push(Effect::Focus(ids::CLOSE));
        }
        Msg::CodeLoaded { req, result } => {
            // One answer per request: a second one (should any come) changes nothing.
            let Some(s) = model
                .show_code
                .as_mut()
                .filter(|s| s.req == req && s.code == Load::Loading)
            else {
                return fx;
            };
            match result {
                Ok(c) => {
                    s.code = Load::Loaded(c.invitation_code);
                    fx.push(Effect::Focus(ids::CODE));
                }
                Err(e) => s.code = Load::Failed(e),
            }
        }
        Msg::CloseCode => {
            if let Some(s) = model.show_code.take() {
                fx.push(Effect::FocusId(show_code_id(&s.connection_id)));
            }
        }
        Msg::Copy => {
            if let Some((code, state)) = model.code_box() {
                let code = code.to_string();
                fx = state.copy(&code);
            }
        }
        Msg::Copied(ok) => {
            if let Some((_, state)) = model.code_box() {
                fx = state.copied(ok);
            }
        }
    }
    fx
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

    fn pending() -> Vec<Connection> {
        vec![connection("a_to_b", None, Status::Pending)]
    }

    fn active() -> Vec<Connection> {
        vec![connection("a_to_b", None, Status::Active)]
    }

    #[test]
    fn polling_starts_with_a_pending_row_and_stops_when_none_is_left() {
        let mut m = loaded();
        assert!(!m.list.timer, "nothing pending, no timer");
        assert_eq!(m.list, ListRequests::default());
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(fx, vec![Effect::PollAfter(2000)]);
        assert!(m.list.timer);

        let fx = update(&mut m, Msg::PollTick);
        assert_eq!(fx, vec![Effect::LoadConnections]);
        assert!(
            m.connections.loaded().is_some(),
            "no Loading flash: the table stays"
        );
        // Still pending: the next tick is set once the answer is in.
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(fx, vec![Effect::PollAfter(2000)]);
        update(&mut m, Msg::PollTick);
        // Accepted on the other side: Active, and the polling stops.
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(active())));
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(m.connections.loaded().unwrap()[0].status, Status::Active);
        assert_eq!(m.list, ListRequests::default());
        // A late tick asks nothing.
        assert!(update(&mut m, Msg::PollTick).is_empty());
    }

    #[test]
    fn a_failed_poll_keeps_the_table_and_tries_again_on_the_next_tick() {
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        update(&mut m, Msg::PollTick);
        let err = ApiError::Unreachable("Failed to fetch".into());
        let fx = update(&mut m, Msg::ConnectionsLoaded(Err(err)));
        assert_eq!(fx, vec![Effect::PollAfter(2000)]);
        assert_eq!(m.connections, Load::Loaded(pending()));
        assert_eq!(update(&mut m, Msg::PollTick), vec![Effect::LoadConnections]);
    }

    #[test]
    fn an_ended_session_stops_the_polling() {
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        update(&mut m, Msg::PollTick);
        let fx = update(&mut m, Msg::ConnectionsLoaded(Err(ApiError::SessionEnded)));
        assert!(fx.is_empty(), "{fx:?}");
        assert!(m.session_ended);
        assert!(update(&mut m, Msg::PollTick).is_empty());
    }

    #[test]
    fn never_two_list_requests_at_once() {
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(update(&mut m, Msg::PollTick), vec![Effect::LoadConnections]);
        // The admin accepts something while the poll is on its way: the reload waits for it.
        update(&mut m, Msg::OpenAccept);
        m.accept.as_mut().unwrap().accepted = Some(connection("x", None, Status::Active));
        let fx = update(&mut m, Msg::CloseAccept);
        assert_eq!(fx, vec![Effect::Focus(ids::ACCEPT)], "no second request");
        assert_eq!(m.connections, Load::Loading);
        // The poll's answer was asked before: it is dropped and the list asked again.
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(fx, vec![Effect::LoadConnections]);
        assert_eq!(m.connections, Load::Loading);
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(fx, vec![Effect::PollAfter(2000)]);
        assert_eq!(m.connections, Load::Loaded(pending()));

        // A tick that fires while a reload is on its way asks nothing; the answer sets the
        // next one.
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert!(m.list.timer);
        update(&mut m, Msg::OpenAccept);
        m.accept.as_mut().unwrap().confirming = Some(9);
        assert_eq!(
            update(&mut m, Msg::CloseAccept),
            vec![Effect::LoadConnections, Effect::Focus(ids::ACCEPT)]
        );
        assert!(update(&mut m, Msg::PollTick).is_empty());
        assert!(!m.list.timer);
        let fx = update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        assert_eq!(fx, vec![Effect::PollAfter(2000)]);
        assert!(
            update(&mut m, Msg::ConnectionsLoaded(Ok(pending()))).is_empty(),
            "one timer at a time"
        );
    }

    #[test]
    fn polling_goes_on_behind_a_dialog() {
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        update(&mut m, Msg::OpenAccept);
        assert_eq!(update(&mut m, Msg::PollTick), vec![Effect::LoadConnections]);
        update(&mut m, Msg::ConnectionsLoaded(Ok(active())));
        assert_eq!(m.connections, Load::Loaded(active()));
        assert!(m.accept.is_some());
    }

    #[test]
    fn one_dialog_at_a_time() {
        let mut m = loaded();
        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        update(&mut m, Msg::OpenAccept);
        assert!(update(&mut m, Msg::OpenWizard).is_empty());
        assert!(update(&mut m, Msg::ShowCode("ab".repeat(16))).is_empty());
        assert!(m.wizard.is_none() && m.show_code.is_none());
        // Cancel before confirming: nothing to reload.
        assert_eq!(
            update(&mut m, Msg::CloseAccept),
            vec![Effect::Focus(ids::ACCEPT)]
        );
        update(&mut m, Msg::OpenWizard);
        assert!(update(&mut m, Msg::OpenAccept).is_empty());
        assert!(m.accept.is_none());
    }

    #[test]
    fn the_code_is_shown_only_for_a_pending_connection_initiated_here() {
        let mut m = loaded();
        let mut other = connection("b", None, Status::Pending);
        other.id = "cd".repeat(16);
        other.initiated_here = false;
        update(
            &mut m,
            Msg::ConnectionsLoaded(Ok(vec![connection("a", None, Status::Active), other])),
        );
        assert!(update(&mut m, Msg::ShowCode("ab".repeat(16))).is_empty());
        assert!(update(&mut m, Msg::ShowCode("cd".repeat(16))).is_empty());
        assert!(update(&mut m, Msg::ShowCode("nope".into())).is_empty());
        assert!(m.show_code.is_none());

        update(&mut m, Msg::ConnectionsLoaded(Ok(pending())));
        let fx = update(&mut m, Msg::ShowCode("ab".repeat(16)));
        let [
            Effect::LoadInvitation { req, .. },
            Effect::Focus(ids::CLOSE),
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        let req = *req;
        // Nothing to copy before the code is in.
        assert!(update(&mut m, Msg::Copy).is_empty());
        let stale = Msg::CodeLoaded {
            req: req + 1,
            result: Ok(InvitationCode {
                invitation_code: "OLD".into(),
            }),
        };
        assert!(update(&mut m, stale).is_empty());
        assert_eq!(m.show_code.as_ref().unwrap().code, Load::Loading);
        update(
            &mut m,
            Msg::CodeLoaded {
                req,
                result: Ok(InvitationCode {
                    invitation_code: "CODE".into(),
                }),
            },
        );
        let late = Msg::CodeLoaded {
            req,
            result: Err(ApiError::Unreachable("Failed to fetch".into())),
        };
        assert!(update(&mut m, late).is_empty());
        assert_eq!(update(&mut m, Msg::Copy), vec![Effect::Copy("CODE".into())]);
        update(&mut m, Msg::Copied(true));
        assert_eq!(m.show_code.as_ref().unwrap().copy, CopyState::Copied);
        // A 401 while asking ends the session.
        update(&mut m, Msg::CloseCode);
        let fx = update(&mut m, Msg::ShowCode("ab".repeat(16)));
        let [Effect::LoadInvitation { req, .. }, _] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        update(
            &mut m,
            Msg::CodeLoaded {
                req: *req,
                result: Err(ApiError::SessionEnded),
            },
        );
        assert!(m.session_ended);
    }

    #[test]
    fn copy_reaches_the_wizards_code_through_the_same_component() {
        let mut m = loaded();
        update(&mut m, Msg::OpenWizard);
        assert!(update(&mut m, Msg::Copy).is_empty(), "no code yet");
        m.wizard.as_mut().unwrap().created = Some(CreatedConnection {
            connection: connection("x", None, Status::Pending),
            invitation_code: "WCODE".into(),
        });
        assert_eq!(
            update(&mut m, Msg::Copy),
            vec![Effect::Copy("WCODE".into())]
        );
        assert_eq!(
            update(&mut m, Msg::Copied(false)),
            vec![Effect::Select(ids::CODE)]
        );
        assert_eq!(m.wizard.as_ref().unwrap().copy, CopyState::Manual);
    }
}
