//! A connection's page: **Details** (and its actions) and **Rules** (the two script editors,
//! Publish, the version history). State machines only.
//!
//! Architecture invariant: no `web_sys` here. Leaving the page, or the Rules tab, with
//! unpublished changes is decided in `app` (it owns the way out).

use synclink_core::api::{
    ActionResult, Connection, CreatedConnection, EditConnection, PublishRules, Rules, RulesVersion,
    Script, TestResult, VersionSummary,
};
use synclink_core::rules::{self, Problem};
use synclink_core::{Status, validate};

use crate::api::ApiError;
use crate::app::{Effect, Load, RequestIds};
use crate::copy::CopyState;
use crate::editor;
use crate::view::ids;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Details,
    Rules,
}

/// A call on a connection, answered with [`Answer`].
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Edit(EditConnection),
    Deactivate,
    Activate,
    Delete,
    CancelInvitation,
    Regenerate,
    Test,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Done(ActionResult),
    Regenerated(CreatedConnection),
    Tested(TestResult),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Loaded {
        req: u64,
        result: Result<Connection, ApiError>,
    },
    Retry,
    Edit,
    EditName(String),
    EditDescription(String),
    Save,
    CancelEdit,
    Deactivate,
    Activate,
    Test,
    AskDelete,
    DeleteName(String),
    ConfirmDelete,
    CancelDelete,
    AskCancelInvitation,
    ConfirmCancelInvitation,
    KeepInvitation,
    Regenerate,
    Acted {
        req: u64,
        result: Result<Answer, ApiError>,
    },
    Rules(RMsg),
}

#[derive(Clone, Debug, PartialEq)]
pub enum RMsg {
    Loaded {
        req: u64,
        result: Result<Rules, ApiError>,
    },
    Input(Script, String),
    /// Tab (or Shift+Tab with `outdent`) in an editor, with its text and selection as the
    /// shell read them.
    Indent {
        script: Script,
        value: String,
        start: u32,
        end: u32,
        outdent: bool,
    },
    /// Publish, or Ctrl+S / Cmd+S.
    Publish,
    Published {
        req: u64,
        result: Result<RulesVersion, ApiError>,
    },
    ViewNewer,
    PublishAnyway,
    View(u32),
    VersionLoaded {
        req: u64,
        result: Result<RulesVersion, ApiError>,
    },
    BackToEditing,
    Restore(u32),
    Restored {
        req: u64,
        result: Result<RulesVersion, ApiError>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditForm {
    pub name: String,
    pub description: String,
}

impl EditForm {
    pub fn name_error(&self) -> Option<String> {
        validate::connection_name(&self.name)
            .err()
            .map(|e| e.to_string())
    }

    pub fn description_error(&self) -> Option<String> {
        validate::description(&self.description)
            .err()
            .map(|e| e.to_string())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub id: String,
    pub conn: Load<Connection>,
    /// The connection request on its way.
    pub loading: Option<u64>,
    /// The connection was deleted (404): nothing more to do here.
    pub gone: bool,
    pub tab: Tab,
    pub edit: Option<EditForm>,
    /// The name typed to confirm Delete.
    pub deleting: Option<String>,
    pub confirm_cancel: bool,
    /// The action on its way.
    pub busy: Option<u64>,
    /// What the last action said (the remote's part, a test's answer).
    pub status: Option<String>,
    pub error: Option<ApiError>,
    /// The new invitation code after Regenerate invitation.
    pub regenerated: Option<String>,
    pub copy: CopyState,
    pub rules: Option<RulesTab>,
    /// Set when the connection is gone after an action (deleted, invitation cancelled): the
    /// page closes with this notice.
    pub closed: Option<String>,
}

/// A version shown read-only in the editors' place.
#[derive(Clone, Debug, PartialEq)]
pub struct Viewing {
    pub version: u32,
    pub req: u64,
    pub data: Load<RulesVersion>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RulesTab {
    pub req: u64,
    pub rules: Load<Rules>,
    /// The version the edits start from (sent as `base_version`).
    pub base: u32,
    pub outgoing: String,
    pub incoming: String,
    /// What the checker found at the last Publish (kept up to date while there are some).
    pub problems: Vec<Problem>,
    /// A Publish or Restore on its way.
    pub busy: Option<u64>,
    /// The node said a newer version exists (409). Plain Publish waits while it shows.
    pub conflict: Option<ApiError>,
    pub error: Option<ApiError>,
    pub viewing: Option<Viewing>,
    pub status: Option<String>,
}

impl RulesTab {
    fn new(req: u64) -> RulesTab {
        RulesTab {
            req,
            rules: Load::Loading,
            base: 0,
            outgoing: String::new(),
            incoming: String::new(),
            problems: Vec::new(),
            busy: None,
            conflict: None,
            error: None,
            viewing: None,
            status: None,
        }
    }

    pub fn read_only(&self) -> Option<&str> {
        self.rules.loaded().and_then(|r| r.read_only.as_deref())
    }

    /// Edited since the version they started from.
    pub fn dirty(&self) -> bool {
        match self.rules.loaded() {
            // Compared with the current version: after a 409 the refresh keeps the edits.
            Some(r) if r.read_only.is_none() => {
                r.current.outgoing != self.outgoing || r.current.incoming != self.incoming
            }
            _ => false,
        }
    }

    pub fn text(&self, s: Script) -> &str {
        match s {
            Script::Outgoing => &self.outgoing,
            Script::Incoming => &self.incoming,
        }
    }

    fn text_mut(&mut self, s: Script) -> &mut String {
        match s {
            Script::Outgoing => &mut self.outgoing,
            Script::Incoming => &mut self.incoming,
        }
    }

    /// The current version is newer than the one the edits start from.
    pub fn newer(&self) -> Option<&RulesVersion> {
        self.rules
            .loaded()
            .map(|r| &r.current)
            .filter(|c| c.version > self.base)
    }

    fn take_version(&mut self, v: RulesVersion) {
        self.base = v.version;
        self.outgoing = v.outgoing.clone();
        self.incoming = v.incoming.clone();
        if let Some(r) = self.rules.loaded_mut() {
            r.versions.insert(
                0,
                VersionSummary {
                    version: v.version,
                    published_at: v.published_at,
                    restored_from: v.restored_from,
                },
            );
            r.current = v;
        }
        self.problems.clear();
        self.conflict = None;
    }
}

impl Msg {
    /// An answer that says the admin session is over (401).
    pub fn ends_session(&self) -> bool {
        let e = match self {
            Msg::Loaded { result: Err(e), .. } | Msg::Acted { result: Err(e), .. } => e,
            Msg::Rules(
                RMsg::Loaded { result: Err(e), .. }
                | RMsg::Published { result: Err(e), .. }
                | RMsg::Restored { result: Err(e), .. }
                | RMsg::VersionLoaded { result: Err(e), .. },
            ) => e,
            _ => return false,
        };
        *e == ApiError::SessionEnded
    }
}

pub fn is_gone(e: &ApiError) -> bool {
    matches!(e, ApiError::Status { status: 404, .. })
}

impl Page {
    pub fn open(id: String, known: Option<Connection>, ids: &mut RequestIds) -> (Page, Effect) {
        let req = ids.fresh();
        let page = Page {
            id: id.clone(),
            conn: known.map_or(Load::Loading, Load::Loaded),
            loading: Some(req),
            gone: false,
            tab: Tab::Details,
            edit: None,
            deleting: None,
            confirm_cancel: false,
            busy: None,
            status: None,
            error: None,
            regenerated: None,
            copy: CopyState::Idle,
            rules: None,
            closed: None,
        };
        (page, Effect::LoadConnection { req, id })
    }

    /// Unpublished changes in the Rules tab.
    pub fn unsaved(&self) -> bool {
        self.rules.as_ref().is_some_and(RulesTab::dirty)
    }

    /// Waiting for the other side: the page asks again every 2 s.
    pub fn pending(&self) -> bool {
        !self.gone
            && self
                .conn
                .loaded()
                .is_some_and(|c| c.status == Status::Pending)
    }

    pub fn ask_again(&mut self, ids: &mut RequestIds) -> Option<Effect> {
        if self.loading.is_some() || self.gone {
            return None;
        }
        let req = ids.fresh();
        self.loading = Some(req);
        Some(Effect::LoadConnection {
            req,
            id: self.id.clone(),
        })
    }

    /// Shows a tab (the guard has been passed); the Rules tab loads each time it opens.
    pub fn show_tab(&mut self, tab: Tab, ids: &mut RequestIds) -> Vec<Effect> {
        self.tab = tab;
        match tab {
            Tab::Details => {
                self.rules = None;
                vec![]
            }
            Tab::Rules => {
                let req = ids.fresh();
                self.rules = Some(RulesTab::new(req));
                vec![Effect::LoadRules {
                    req,
                    id: self.id.clone(),
                }]
            }
        }
    }

    fn act(&mut self, action: Action, ids: &mut RequestIds) -> Vec<Effect> {
        if self.busy.is_some() || self.gone || self.conn.loaded().is_none() {
            return vec![];
        }
        let req = ids.fresh();
        self.busy = Some(req);
        self.error = None;
        self.status = None;
        vec![Effect::Act {
            req,
            id: self.id.clone(),
            action,
        }]
    }

    fn failed(&mut self, e: ApiError) {
        if is_gone(&e) {
            self.gone = true;
            self.rules = None;
        } else {
            self.error = Some(e);
        }
    }
}

pub fn update(p: &mut Page, msg: Msg, ids: &mut RequestIds) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Loaded { req, result } => {
            if p.loading != Some(req) {
                return fx;
            }
            p.loading = None;
            match result {
                Ok(c) => p.conn = Load::Loaded(c),
                Err(e) if is_gone(&e) => p.gone = true,
                // A failed refresh keeps what is shown.
                Err(_) if p.conn.loaded().is_some() => {}
                Err(e) => p.conn = Load::Failed(e),
            }
        }
        Msg::Retry => {
            if p.conn.failed().is_some() {
                p.conn = Load::Loading;
                fx.extend(p.ask_again(ids));
            }
        }
        Msg::Edit => {
            if let Some(c) = p.conn.loaded() {
                p.edit = Some(EditForm {
                    name: c.name.clone(),
                    description: c.description.clone(),
                });
                fx.push(Effect::Focus(ids::EDIT_NAME));
            }
        }
        Msg::EditName(s) => {
            if let Some(f) = p.edit.as_mut() {
                f.name = s;
            }
        }
        Msg::EditDescription(s) => {
            if let Some(f) = p.edit.as_mut() {
                f.description = s;
            }
        }
        Msg::Save => {
            let Some(f) = &p.edit else { return fx };
            let (Ok(name), Ok(description)) = (
                validate::connection_name(&f.name),
                validate::description(&f.description),
            ) else {
                return fx;
            };
            let body = EditConnection {
                name,
                description,
                mode: None,
            };
            fx = p.act(Action::Edit(body), ids);
        }
        Msg::CancelEdit => p.edit = None,
        Msg::Deactivate => fx = p.act(Action::Deactivate, ids),
        Msg::Activate => fx = p.act(Action::Activate, ids),
        Msg::Test => fx = p.act(Action::Test, ids),
        Msg::AskDelete => {
            p.deleting = Some(String::new());
            fx.push(Effect::Focus(ids::DELETE_NAME));
        }
        Msg::DeleteName(s) => {
            if let Some(d) = p.deleting.as_mut() {
                *d = s;
            }
        }
        Msg::ConfirmDelete => {
            if p.delete_matches() {
                fx = p.act(Action::Delete, ids);
            }
        }
        Msg::CancelDelete => p.deleting = None,
        Msg::AskCancelInvitation => p.confirm_cancel = true,
        Msg::KeepInvitation => p.confirm_cancel = false,
        Msg::ConfirmCancelInvitation => {
            if p.confirm_cancel {
                fx = p.act(Action::CancelInvitation, ids);
            }
        }
        Msg::Regenerate => {
            p.regenerated = None;
            fx = p.act(Action::Regenerate, ids);
        }
        Msg::Acted { req, result } => {
            if p.busy != Some(req) {
                return fx;
            }
            p.busy = None;
            match result {
                Ok(Answer::Done(r)) => match r.connection {
                    Some(c) => {
                        p.conn = Load::Loaded(c);
                        p.edit = None;
                        p.status = Some(r.remote_message);
                    }
                    None => {
                        let mut notice = if p.deleting.is_some() {
                            String::from("The connection was deleted. ")
                        } else {
                            String::from("The invitation was cancelled. ")
                        };
                        notice.push_str(&r.remote_message);
                        p.closed = Some(notice);
                    }
                },
                Ok(Answer::Regenerated(c)) => {
                    p.conn = Load::Loaded(c.connection);
                    p.regenerated = Some(c.invitation_code);
                    p.copy = CopyState::Idle;
                    p.status =
                        Some("A new invitation code was made: the old one no longer works.".into());
                    fx.push(Effect::Focus(ids::CODE));
                }
                Ok(Answer::Tested(t)) => p.status = Some(t.message),
                Err(e) => p.failed(e),
            }
        }
        Msg::Rules(m) => {
            if let Some(r) = p.rules.as_mut() {
                match rules_update(r, &p.id, m, ids) {
                    Ok(f) => fx = f,
                    Err(e) => p.failed(e),
                }
            }
        }
    }
    fx
}

impl Page {
    pub fn delete_matches(&self) -> bool {
        match (&self.deleting, self.conn.loaded()) {
            (Some(typed), Some(c)) => *typed == c.name,
            _ => false,
        }
    }
}

/// The Rules tab. An `Err` is a 404: the connection is gone.
fn rules_update(
    r: &mut RulesTab,
    id: &str,
    msg: RMsg,
    ids: &mut RequestIds,
) -> Result<Vec<Effect>, ApiError> {
    let mut fx = Vec::new();
    let id = || id.to_string();
    match msg {
        RMsg::Loaded { req, result } => {
            if r.req != req {
                return Ok(fx);
            }
            match result {
                Ok(rules) => {
                    // A refresh keeps what the admin is editing.
                    if !r.dirty() {
                        r.base = rules.current.version;
                        r.outgoing = rules.current.outgoing.clone();
                        r.incoming = rules.current.incoming.clone();
                    }
                    r.rules = Load::Loaded(rules);
                }
                Err(e) if is_gone(&e) => return Err(e),
                Err(e) if r.rules.loaded().is_some() => {
                    // The newer version behind a 409 could not be learnt: say why, and let
                    // Publish try again rather than leave the admin with no way forward.
                    if r.conflict.is_some() && r.newer().is_none() {
                        r.conflict = None;
                        r.error = Some(e);
                    }
                }
                Err(e) => r.rules = Load::Failed(e),
            }
        }
        RMsg::Input(s, v) => {
            if r.read_only().is_none() {
                *r.text_mut(s) = v;
                r.status = None;
                if !r.problems.is_empty() {
                    r.problems = rules::check_both(&r.outgoing, &r.incoming);
                }
            }
        }
        RMsg::Indent {
            script,
            value,
            start,
            end,
            outdent,
        } => {
            if r.read_only().is_none() && r.rules.loaded().is_some() {
                let (text, s, e) = editor::indent(&value, start, end, outdent);
                *r.text_mut(script) = text;
                fx.push(Effect::SetCaret {
                    id: ids::editor(script),
                    start: s,
                    end: e,
                });
            }
        }
        // While "A newer version exists" shows, the choice is View newer version or Publish
        // anyway: the old base would only get another 409.
        RMsg::Publish if r.conflict.is_some() => {}
        RMsg::Publish => fx = publish(r, r.base, id(), ids),
        RMsg::PublishAnyway => {
            if let Some(n) = r.newer().map(|v| v.version) {
                fx = publish(r, n, id(), ids);
            }
        }
        RMsg::Published { req, result } | RMsg::Restored { req, result } => {
            if r.busy != Some(req) {
                return Ok(fx);
            }
            r.busy = None;
            match result {
                Ok(v) => {
                    let mut s = String::from("Version ");
                    s.push_str(&v.version.to_string());
                    s.push_str(" is published.");
                    r.status = Some(s);
                    r.viewing = None;
                    r.take_version(v);
                    // The history as the node has it.
                    r.req = ids.fresh();
                    fx.push(Effect::LoadRules {
                        req: r.req,
                        id: id(),
                    });
                }
                Err(e) if is_gone(&e) => return Err(e),
                Err(e @ ApiError::Status { status: 409, .. }) => {
                    r.conflict = Some(e);
                    // Learn the newer version; the edits stay.
                    r.req = ids.fresh();
                    fx.push(Effect::LoadRules {
                        req: r.req,
                        id: id(),
                    });
                }
                Err(e) => r.error = Some(e),
            }
        }
        RMsg::ViewNewer => {
            if let Some(v) = r.newer().cloned() {
                r.viewing = Some(Viewing {
                    version: v.version,
                    req: 0,
                    data: Load::Loaded(v),
                });
            }
        }
        RMsg::View(n) => {
            let req = ids.fresh();
            r.viewing = Some(Viewing {
                version: n,
                req,
                data: Load::Loading,
            });
            fx.push(Effect::LoadVersion {
                req,
                id: id(),
                version: n,
            });
        }
        RMsg::VersionLoaded { req, result } => {
            let Some(v) = r.viewing.as_mut().filter(|v| v.req == req) else {
                return Ok(fx);
            };
            v.data = result.map_or_else(Load::Failed, Load::Loaded);
        }
        RMsg::BackToEditing => r.viewing = None,
        RMsg::Restore(n) => {
            if r.busy.is_none() && r.read_only().is_none() && r.rules.loaded().is_some() {
                let req = ids.fresh();
                r.busy = Some(req);
                r.error = None;
                r.status = None;
                fx.push(Effect::Restore {
                    req,
                    id: id(),
                    version: n,
                    base: r.base,
                });
            }
        }
    }
    Ok(fx)
}

/// Checks both scripts with core's checker and publishes only when it finds nothing.
fn publish(r: &mut RulesTab, base: u32, id: String, ids: &mut RequestIds) -> Vec<Effect> {
    if r.busy.is_some() || r.read_only().is_some() || r.rules.loaded().is_none() {
        return vec![];
    }
    r.problems = rules::check_both(&r.outgoing, &r.incoming);
    r.status = None;
    r.error = None;
    if !r.problems.is_empty() {
        return vec![];
    }
    r.conflict = None;
    r.viewing = None;
    let req = ids.fresh();
    r.busy = Some(req);
    vec![Effect::Publish {
        req,
        id,
        body: PublishRules {
            base_version: base,
            outgoing: r.outgoing.clone(),
            incoming: r.incoming.clone(),
        },
    }]
}

impl<T> Load<T> {
    pub fn loaded_mut(&mut self) -> Option<&mut T> {
        match self {
            Load::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

/// The URL hash of a connection's page.
pub fn hash(id: &str) -> String {
    let mut s = String::from("#connection/");
    s.push_str(id);
    s
}

/// The connection id a URL hash names, if it names one.
pub fn route(hash: &str) -> Option<String> {
    let id = hash.strip_prefix("#connection/")?;
    synclink_core::invitation::parse_id(id).map(|_| id.to_string())
}
