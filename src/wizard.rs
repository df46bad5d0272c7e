//! The **Initiate connection** wizard as a state machine.
//!
//! Architecture invariant: no `web_sys` here. Every step, validation message and error path is a
//! native test. Rules come from `synclink_core`; this module only decides *when* to apply them.

use synclink_core::api::{
    CreatedConnection, ModeOption, NewConnection, ProbeResult, RemoteInstance,
};
use synclink_core::modes::{self, Destination};
use synclink_core::validate;
use synclink_core::{LicenseKind, Mode, Platform};

use crate::api::ApiError;
use crate::app::{Effect, RequestIds};
use crate::copy::CopyState;
use crate::view::ids;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Destination Instance URL, or "I don't have a URL".
    Destination,
    /// Configuration Mode.
    Mode,
    /// Connection information: short names, name, description.
    Info,
    /// The invitation code, once the connection exists.
    Invitation,
}

/// The text fields of the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Url,
    Local,
    Remote,
    Name,
    Description,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The shell's answer to [`Effect::NewIdempotencyKey`].
    IdempotencyKey(String),
    Input(Field, String),
    Blur(Field),
    NoUrl(bool),
    ChooseMode(Mode),
    Next,
    Previous,
    CancelProbe,
    ProbeAnswered {
        req: u64,
        result: Result<ProbeResult, ApiError>,
    },
    Created {
        req: u64,
        result: Result<CreatedConnection, ApiError>,
    },
}

/// What the local instance is: the wizard needs it for suggestions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub instance_name: String,
    pub platform: Platform,
    pub license: LicenseKind,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    pub value: String,
    /// Typed in or left once: from then on its message shows.
    pub touched: bool,
    /// Typed in by the administrator: suggestions no longer overwrite it.
    pub edited: bool,
}

/// What step 1 found out about the destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The normalised URL; None for a private remote.
    pub url: Option<String>,
    /// The node's sentence about what answered.
    pub message: Option<String>,
    /// The probe request itself failed; the admin may go on in Script mode.
    pub error: Option<ApiError>,
    pub remote: Option<RemoteInstance>,
    pub modes: Vec<ModeOption>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Wizard {
    pub ctx: Context,
    pub step: Step,
    pub url: TextField,
    pub no_url: bool,
    /// The probe in flight: request id and the URL asked about.
    pub probing: Option<(u64, String)>,
    /// A probe that failed on step 1 itself (the session ended).
    pub probe_error: Option<ApiError>,
    pub probe: Option<Probe>,
    pub mode: Option<Mode>,
    pub local: TextField,
    pub remote: TextField,
    pub name: TextField,
    pub description: TextField,
    /// Made once per wizard by the shell; sent with every create attempt.
    pub idempotency_key: Option<String>,
    /// The create request in flight.
    pub creating: Option<u64>,
    pub create_error: Option<ApiError>,
    pub created: Option<CreatedConnection>,
    pub copy: CopyState,
}

impl Wizard {
    pub fn new(ctx: Context) -> Wizard {
        Wizard {
            ctx,
            step: Step::Destination,
            url: TextField::default(),
            no_url: false,
            probing: None,
            probe_error: None,
            probe: None,
            mode: None,
            local: TextField::default(),
            remote: TextField::default(),
            name: TextField::default(),
            description: TextField::default(),
            idempotency_key: None,
            creating: None,
            create_error: None,
            created: None,
            copy: CopyState::Idle,
        }
    }

    pub fn field(&self, f: Field) -> &TextField {
        match f {
            Field::Url => &self.url,
            Field::Local => &self.local,
            Field::Remote => &self.remote,
            Field::Name => &self.name,
            Field::Description => &self.description,
        }
    }

    fn field_mut(&mut self, f: Field) -> &mut TextField {
        match f {
            Field::Url => &mut self.url,
            Field::Local => &mut self.local,
            Field::Remote => &mut self.remote,
            Field::Name => &mut self.name,
            Field::Description => &mut self.description,
        }
    }

    /// The field's value as core's rules normalize it, or its problem: the one place the
    /// wizard's fields are validated.
    fn checked(&self, f: Field) -> Result<String, String> {
        let v = &self.field(f).value;
        match f {
            Field::Url => validate::destination_url(v).map_err(|e| e.to_string()),
            Field::Local | Field::Remote => validate::short_name(v).map_err(|e| e.to_string()),
            Field::Name => validate::connection_name(v).map_err(|e| e.to_string()),
            Field::Description => validate::description(v).map_err(|e| e.to_string()),
        }
    }

    /// The field's problem under core's rules, shown or not.
    pub fn error(&self, f: Field) -> Option<String> {
        match f {
            Field::Url if self.no_url => None,
            _ => self.checked(f).err(),
        }
    }

    /// The message shown next to the field: only once it was typed in or left, so that an
    /// untouched empty field does not shout.
    pub fn shown_error(&self, f: Field) -> Option<String> {
        if self.field(f).touched {
            self.error(f)
        } else {
            None
        }
    }

    const INFO_FIELDS: [Field; 4] = [Field::Local, Field::Remote, Field::Name, Field::Description];

    /// Whether the current step may go on.
    pub fn can_next(&self) -> bool {
        match self.step {
            Step::Destination => self.probing.is_none() && self.error(Field::Url).is_none(),
            Step::Mode => self
                .probe
                .as_ref()
                .zip(self.mode)
                .is_some_and(|(p, m)| modes::is_available(&p.modes, m)),
            Step::Info => {
                self.creating.is_none()
                    && self.idempotency_key.is_some()
                    && Wizard::INFO_FIELDS.iter().all(|f| self.error(*f).is_none())
            }
            Step::Invitation => false,
        }
    }

    pub fn can_previous(&self) -> bool {
        match self.step {
            Step::Mode => true,
            Step::Info => self.creating.is_none(),
            Step::Destination | Step::Invitation => false,
        }
    }

    /// Step 3 is blocked only by a field whose message is not on screen yet.
    pub fn has_hidden_errors(&self) -> bool {
        self.step == Step::Info
            && Wizard::INFO_FIELDS
                .iter()
                .any(|f| self.error(*f).is_some() && !self.field(*f).touched)
    }

    /// The destination URL the connection will have: None for a private remote.
    pub fn remote_url(&self) -> Option<String> {
        if self.no_url {
            None
        } else {
            self.checked(Field::Url).ok()
        }
    }

    fn modes_without_probe(&self, dest: Destination<'_>) -> Vec<ModeOption> {
        modes::suggest(self.ctx.platform, self.ctx.license, dest)
    }

    /// Keeps the chosen mode when it is still possible, else takes core's default.
    fn settle_mode(&mut self) {
        let Some(p) = &self.probe else { return };
        if !self.mode.is_some_and(|m| modes::is_available(&p.modes, m)) {
            self.mode = modes::default_choice(&p.modes);
        }
    }

    fn focus_for_mode_step(&self) -> &'static str {
        match (self.mode, &self.probe) {
            (Some(m), _) => ids::mode(m),
            (None, Some(p)) => p
                .modes
                .iter()
                .find(|o| o.available)
                .map(|o| ids::mode(o.mode))
                .unwrap_or(ids::PREVIOUS),
            (None, None) => ids::PREVIOUS,
        }
    }

    fn enter_info(&mut self) {
        if !self.local.edited {
            self.local.value = validate::suggest_short_name(&self.ctx.instance_name);
        }
        if !self.remote.edited {
            let remote = self.probe.as_ref().and_then(|p| p.remote.as_ref());
            self.remote.value = remote
                .map(|r| validate::suggest_short_name(&r.instance_name))
                .unwrap_or_default();
        }
        self.follow_name();
        self.step = Step::Info;
    }

    /// The connection name follows `<local>_to_<remote>` until the admin types in it.
    fn follow_name(&mut self) {
        if !self.name.edited {
            self.name.value =
                validate::suggest_connection_name(&self.local.value, &self.remote.value);
        }
    }

    fn new_connection(&self) -> Option<NewConnection> {
        let ok = |f| self.checked(f).ok();
        Some(NewConnection {
            remote_url: self.remote_url(),
            mode: self.mode?,
            local_short_name: ok(Field::Local)?,
            remote_short_name: ok(Field::Remote)?,
            name: ok(Field::Name)?,
            description: ok(Field::Description)?,
        })
    }

    /// Drops the probe in flight, if any.
    fn abandon_probe(&mut self, fx: &mut Vec<Effect>) {
        if self.probing.take().is_some() {
            fx.push(Effect::AbortProbe);
        }
    }
}

pub fn update(w: &mut Wizard, msg: Msg, ids: &mut RequestIds) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::IdempotencyKey(k) => {
            if w.idempotency_key.is_none() {
                w.idempotency_key = Some(k);
            }
        }
        Msg::Input(f, value) => {
            if f == Field::Url {
                if w.no_url || w.step != Step::Destination {
                    return fx;
                }
                // A changed URL makes the answer in flight useless.
                w.abandon_probe(&mut fx);
                w.probe_error = None;
            }
            if w.step == Step::Info && f != Field::Url && w.creating.is_some() {
                return fx;
            }
            let field = w.field_mut(f);
            field.value = value;
            field.touched = true;
            field.edited = true;
            if matches!(f, Field::Local | Field::Remote) {
                w.follow_name();
            }
        }
        Msg::Blur(f) => {
            // Leaving a field never typed in, still empty, says nothing yet: the message would
            // push what is below it down under the pointer, and the click that moved the
            // focus (on "I don't have a URL", say) would land beside its target.
            let field = w.field_mut(f);
            if field.edited || !field.value.is_empty() {
                field.touched = true;
            }
        }
        Msg::NoUrl(on) => {
            if w.step == Step::Destination {
                w.abandon_probe(&mut fx);
                w.no_url = on;
                w.url = TextField::default();
                w.probe_error = None;
            }
        }
        Msg::ChooseMode(m) => {
            let ok = w
                .probe
                .as_ref()
                .is_some_and(|p| modes::is_available(&p.modes, m));
            if w.step == Step::Mode && ok {
                w.mode = Some(m);
            }
        }
        Msg::Next => {
            if !w.can_next() {
                return fx;
            }
            match w.step {
                Step::Destination => match w.remote_url() {
                    None => {
                        w.probe = Some(Probe {
                            url: None,
                            message: None,
                            error: None,
                            remote: None,
                            modes: w.modes_without_probe(Destination::Private),
                        });
                        w.settle_mode();
                        w.step = Step::Mode;
                        fx.push(Effect::Focus(w.focus_for_mode_step()));
                    }
                    Some(url) => {
                        let req = ids.fresh();
                        w.probe_error = None;
                        w.probing = Some((req, url.clone()));
                        fx.push(Effect::Probe { req, url });
                        // Next is disabled now; Cancel is what the keyboard may want.
                        fx.push(Effect::Focus(ids::CANCEL));
                    }
                },
                Step::Mode => {
                    w.enter_info();
                    fx.push(Effect::Focus(ids::LOCAL));
                }
                Step::Info => {
                    if let (Some(body), Some(key)) = (w.new_connection(), w.idempotency_key.clone())
                    {
                        let req = ids.fresh();
                        w.creating = Some(req);
                        w.create_error = None;
                        fx.push(Effect::Create {
                            req,
                            idempotency_key: key,
                            body,
                        });
                    }
                }
                Step::Invitation => {}
            }
        }
        Msg::Previous => {
            if !w.can_previous() {
                return fx;
            }
            match w.step {
                Step::Mode => {
                    w.step = Step::Destination;
                    fx.push(Effect::Focus(if w.no_url { ids::NO_URL } else { ids::URL }));
                }
                Step::Info => {
                    w.create_error = None;
                    w.step = Step::Mode;
                    fx.push(Effect::Focus(w.focus_for_mode_step()));
                }
                Step::Destination | Step::Invitation => {}
            }
        }
        Msg::CancelProbe => {
            if w.probing.is_some() {
                w.abandon_probe(&mut fx);
                fx.push(Effect::Focus(ids::URL));
            }
        }
        Msg::ProbeAnswered { req, result } => {
            // An answer to a probe that was cancelled or replaced is stale.
            let Some((current, url)) = w.probing.clone() else {
                return fx;
            };
            if current != req || w.step != Step::Destination {
                return fx;
            }
            w.probing = None;
            let probe = match result {
                Ok(p) => Probe {
                    url: Some(url),
                    message: Some(p.message),
                    error: None,
                    remote: p.remote,
                    modes: p.modes,
                },
                Err(ApiError::Aborted) => return fx,
                Err(e @ ApiError::SessionEnded) => {
                    w.probe_error = Some(e);
                    return fx;
                }
                // The node could not be asked: the destination is as good as unreachable,
                // and Script mode still works.
                Err(e) => Probe {
                    url: Some(url),
                    message: None,
                    error: Some(e),
                    remote: None,
                    modes: w.modes_without_probe(Destination::Unreachable),
                },
            };
            w.probe = Some(probe);
            w.settle_mode();
            w.step = Step::Mode;
            fx.push(Effect::Focus(w.focus_for_mode_step()));
        }
        Msg::Created { req, result } => {
            if w.creating != Some(req) {
                return fx;
            }
            w.creating = None;
            match result {
                Ok(c) => {
                    w.created = Some(c);
                    w.step = Step::Invitation;
                    fx.push(Effect::Focus(ids::CODE));
                }
                Err(e) => w.create_error = Some(e),
            }
        }
    }
    fx
}

#[cfg(test)]
mod tests {
    use super::*;
    use synclink_core::Status;
    use synclink_core::api::Connection;

    fn ctx() -> Context {
        Context {
            instance_name: "Company A".into(),
            platform: Platform::ServiceNow,
            license: LicenseKind::Trial,
        }
    }

    struct T {
        w: Wizard,
        ids: RequestIds,
    }

    impl T {
        fn new() -> T {
            let mut t = T {
                w: Wizard::new(ctx()),
                ids: RequestIds::default(),
            };
            t.send(Msg::IdempotencyKey("k1".into()));
            t
        }
        fn send(&mut self, m: Msg) -> Vec<Effect> {
            update(&mut self.w, m, &mut self.ids)
        }
        fn type_in(&mut self, f: Field, v: &str) -> Vec<Effect> {
            self.send(Msg::Input(f, v.into()))
        }
        /// Step 1 → probe sent; returns its request id.
        fn probe(&mut self, url: &str) -> u64 {
            self.type_in(Field::Url, url);
            let fx = self.send(Msg::Next);
            match fx.as_slice() {
                [Effect::Probe { req, .. }, Effect::Focus(ids::CANCEL)] => *req,
                other => panic!("expected a probe, got {other:?}"),
            }
        }
        fn go_to_info(&mut self) {
            let req = self.probe("http://127.0.0.1:8082");
            self.send(Msg::ProbeAnswered {
                req,
                result: Ok(jira_probe()),
            });
            self.send(Msg::Next);
            assert_eq!(self.w.step, Step::Info);
        }
    }

    fn jira_probe() -> ProbeResult {
        ProbeResult {
            url: "http://127.0.0.1:8082".into(),
            reachable: true,
            remote: Some(RemoteInstance {
                instance_name: "Company B".into(),
                platform: Platform::Jira,
                version: "0.1.0".into(),
            }),
            message: "Company B answered: a Jira instance running synclink 0.1.0.".into(),
            modes: modes::suggest(
                Platform::ServiceNow,
                LicenseKind::Trial,
                Destination::Synclink {
                    platform: Platform::Jira,
                    modes: Platform::Jira.supported_modes(),
                },
            ),
        }
    }

    fn created(remote_url: Option<&str>) -> CreatedConnection {
        CreatedConnection {
            connection: Connection {
                id: "0".repeat(32),
                name: "company_a_to_company_b".into(),
                description: String::new(),
                local_short_name: "company_a".into(),
                remote_short_name: "company_b".into(),
                remote_url: remote_url.map(Into::into),
                remote_platform: Some(Platform::Jira),
                mode: Mode::Script,
                status: Status::Pending,
                initiated_here: true,
                created_at: 0,
                updated_at: 0,
            },
            invitation_code: "CODE".into(),
        }
    }

    #[test]
    fn url_messages_show_once_typed_in() {
        let mut t = T::new();
        assert_eq!(
            t.w.error(Field::Url).as_deref(),
            Some("Enter the destination instance URL.")
        );
        assert_eq!(
            t.w.shown_error(Field::Url),
            None,
            "an untouched empty field does not shout"
        );
        assert!(!t.w.can_next());
        t.send(Msg::Blur(Field::Url));
        assert_eq!(
            t.w.shown_error(Field::Url),
            None,
            "leaving it empty, never typed in, does not shout either"
        );
        t.type_in(Field::Url, "h");
        t.type_in(Field::Url, "");
        t.send(Msg::Blur(Field::Url));
        assert_eq!(
            t.w.shown_error(Field::Url).as_deref(),
            Some("Enter the destination instance URL.")
        );

        let cases = [
            (
                "example.com",
                "The URL must start with http:// or https://.",
            ),
            ("http://exa mple.com", "The URL must not contain spaces."),
            (
                "http://u:p@host",
                "The URL must not contain a user name or password.",
            ),
            (
                "http://host/#x",
                "The URL must not contain a fragment (the part after #).",
            ),
            (
                "http://host/?a",
                "The URL must not contain a query (the part after ?).",
            ),
            ("http://", "The URL has no host name."),
            (
                "http://ex_ample.com",
                "The host name \"ex_ample.com\" is not valid.",
            ),
            (
                "http://host:0",
                "The port must be a number from 1 to 65535.",
            ),
            (
                "http://h/<x",
                "The URL contains a character that is not allowed: '<'.",
            ),
        ];
        for (input, want) in cases {
            t.type_in(Field::Url, input);
            assert_eq!(
                t.w.shown_error(Field::Url).as_deref(),
                Some(want),
                "{input}"
            );
            assert!(!t.w.can_next(), "{input}");
        }
        t.type_in(Field::Url, "http://127.0.0.1:8082/");
        assert_eq!(t.w.shown_error(Field::Url), None);
        assert!(t.w.can_next());
    }

    #[test]
    fn typing_marks_touched_without_blur() {
        let mut t = T::new();
        t.type_in(Field::Url, "h");
        assert_eq!(
            t.w.shown_error(Field::Url).as_deref(),
            Some("The URL must start with http:// or https://.")
        );
    }

    #[test]
    fn no_url_clears_and_skips_the_probe() {
        let mut t = T::new();
        t.type_in(Field::Url, "http://x");
        t.send(Msg::NoUrl(true));
        assert_eq!(t.w.url.value, "");
        assert!(t.w.can_next());
        // The field is disabled: typing into it changes nothing.
        t.type_in(Field::Url, "http://y");
        assert_eq!(t.w.url.value, "");
        let fx = t.send(Msg::Next);
        assert_eq!(fx, vec![Effect::Focus(ids::mode(Mode::Script))]);
        assert_eq!(t.w.step, Step::Mode);
        let p = t.w.probe.as_ref().unwrap();
        assert_eq!(p.url, None);
        let avail: Vec<_> = p
            .modes
            .iter()
            .filter(|o| o.available)
            .map(|o| o.mode)
            .collect();
        assert_eq!(avail, [Mode::Script]);
        assert_eq!(t.w.mode, Some(Mode::Script));
        // Unticking gives an empty, quiet field.
        t.send(Msg::Previous);
        t.send(Msg::NoUrl(false));
        assert_eq!(t.w.shown_error(Field::Url), None);
        assert!(!t.w.can_next());
    }

    #[test]
    fn probe_in_flight_blocks_next_and_answer_moves_on() {
        let mut t = T::new();
        t.type_in(Field::Url, "HTTP://127.0.0.1:8082/");
        let fx = t.send(Msg::Next);
        assert_eq!(
            fx,
            vec![
                Effect::Probe {
                    req: 1,
                    url: "http://127.0.0.1:8082".into()
                },
                Effect::Focus(ids::CANCEL)
            ]
        );
        assert!(!t.w.can_next(), "Next is disabled while the probe runs");
        assert!(t.send(Msg::Next).is_empty(), "a second Next sends nothing");
        let fx = t.send(Msg::ProbeAnswered {
            req: 1,
            result: Ok(jira_probe()),
        });
        assert_eq!(fx, vec![Effect::Focus(ids::mode(Mode::Script))]);
        assert_eq!(t.w.step, Step::Mode);
        assert_eq!(t.w.mode, Some(Mode::Script), "core's default choice");
        assert!(t.w.can_next());
        // Visual is not available (ServiceNow): choosing it changes nothing.
        t.send(Msg::ChooseMode(Mode::Visual));
        assert_eq!(t.w.mode, Some(Mode::Script));
        t.send(Msg::ChooseMode(Mode::Basic));
        assert_eq!(t.w.mode, Some(Mode::Basic));
    }

    #[test]
    fn cancel_returns_to_editing_and_ignores_the_late_answer() {
        let mut t = T::new();
        let req = t.probe("http://127.0.0.1:8082");
        let fx = t.send(Msg::CancelProbe);
        assert_eq!(fx, vec![Effect::AbortProbe, Effect::Focus(ids::URL)]);
        assert_eq!(t.w.probing, None);
        assert!(t.w.can_next());
        assert_eq!(t.w.url.value, "http://127.0.0.1:8082", "the URL is kept");
        assert!(
            t.send(Msg::ProbeAnswered {
                req,
                result: Ok(jira_probe())
            })
            .is_empty()
        );
        assert_eq!(t.w.step, Step::Destination);
        assert_eq!(t.w.probe, None);
    }

    #[test]
    fn a_changed_url_makes_the_answer_stale() {
        let mut t = T::new();
        let old = t.probe("http://127.0.0.1:8082");
        let fx = t.type_in(Field::Url, "http://127.0.0.1:8083");
        assert_eq!(fx, vec![Effect::AbortProbe]);
        let new = t.probe("http://127.0.0.1:8083");
        assert_ne!(old, new);
        t.send(Msg::ProbeAnswered {
            req: old,
            result: Ok(jira_probe()),
        });
        assert_eq!(t.w.step, Step::Destination, "the old answer is ignored");
        assert!(t.w.probing.is_some());
        t.send(Msg::ProbeAnswered {
            req: new,
            result: Err(ApiError::Timeout(12)),
        });
        assert_eq!(t.w.step, Step::Mode);
        assert_eq!(
            t.w.probe.as_ref().unwrap().url.as_deref(),
            Some("http://127.0.0.1:8083")
        );
    }

    #[test]
    fn a_failed_probe_offers_script_with_the_error() {
        let mut t = T::new();
        let req = t.probe("http://127.0.0.1:8082");
        let err = ApiError::Unreachable("Failed to fetch".into());
        t.send(Msg::ProbeAnswered {
            req,
            result: Err(err.clone()),
        });
        assert_eq!(t.w.step, Step::Mode);
        let p = t.w.probe.as_ref().unwrap();
        assert_eq!(p.error.as_ref(), Some(&err));
        let avail: Vec<_> = p
            .modes
            .iter()
            .filter(|o| o.available)
            .map(|o| o.mode)
            .collect();
        assert_eq!(avail, [Mode::Script]);
        assert_eq!(t.w.mode, Some(Mode::Script));
        assert!(t.w.can_next());
        t.send(Msg::Next);
        assert_eq!(t.w.step, Step::Info);
        assert_eq!(t.w.remote.value, "", "nothing is known about the remote");
    }

    #[test]
    fn session_end_on_probe_stays_on_step_one() {
        let mut t = T::new();
        let req = t.probe("http://127.0.0.1:8082");
        t.send(Msg::ProbeAnswered {
            req,
            result: Err(ApiError::SessionEnded),
        });
        assert_eq!(t.w.step, Step::Destination);
        assert_eq!(t.w.probe_error, Some(ApiError::SessionEnded));
        assert!(t.w.can_next());
    }

    #[test]
    fn no_available_mode_blocks_next() {
        let mut t = T::new();
        t.w.ctx.license = LicenseKind::Expired;
        t.send(Msg::NoUrl(true));
        let fx = t.send(Msg::Next);
        assert_eq!(fx, vec![Effect::Focus(ids::PREVIOUS)]);
        assert_eq!(t.w.mode, None);
        assert!(!t.w.can_next());
        assert!(t.send(Msg::Next).is_empty());
    }

    #[test]
    fn info_is_prefilled_and_the_name_follows_until_edited() {
        let mut t = T::new();
        t.go_to_info();
        assert_eq!(t.w.local.value, "company_a");
        assert_eq!(t.w.remote.value, "company_b");
        assert_eq!(t.w.name.value, "company_a_to_company_b");
        assert!(t.w.can_next());
        t.type_in(Field::Remote, "jira_b");
        assert_eq!(t.w.name.value, "company_a_to_jira_b");
        t.type_in(Field::Local, "snow");
        assert_eq!(t.w.name.value, "snow_to_jira_b");
        t.type_in(Field::Name, "My link");
        t.type_in(Field::Remote, "jira");
        assert_eq!(t.w.name.value, "My link", "an edited name stays");
        // Going back and forth keeps what was typed.
        t.send(Msg::Previous);
        t.send(Msg::Next);
        assert_eq!(
            (t.w.local.value.as_str(), t.w.remote.value.as_str()),
            ("snow", "jira")
        );
        assert_eq!(t.w.name.value, "My link");
    }

    #[test]
    fn info_messages_as_typed() {
        let mut t = T::new();
        t.go_to_info();
        let cases = [
            (Field::Local, "", "Enter a short name."),
            (Field::Local, "1a", "Start with a letter."),
            (
                Field::Remote,
                "a b",
                "Use only letters, digits, - or _ (not ' ').",
            ),
            (
                Field::Remote,
                &"a".repeat(33),
                "At most 32 characters (this one has 33).",
            ),
            (Field::Name, " ", "Enter a connection name."),
            (Field::Name, "a\u{1}", "Control characters are not allowed."),
            (
                Field::Description,
                &"x".repeat(4001),
                "At most 4000 characters (this one has 4001).",
            ),
        ];
        for (f, input, want) in cases {
            let before = t.w.field(f).value.clone();
            t.type_in(f, input);
            assert_eq!(t.w.shown_error(f).as_deref(), Some(want), "{f:?} {input:?}");
            assert!(!t.w.can_next());
            assert!(t.send(Msg::Next).is_empty());
            t.type_in(f, &before);
            assert_eq!(t.w.shown_error(f), None);
        }
        assert!(t.w.can_next());
    }

    #[test]
    fn private_remote_has_an_empty_quiet_remote_field() {
        let mut t = T::new();
        t.send(Msg::NoUrl(true));
        t.send(Msg::Next);
        t.send(Msg::Next);
        assert_eq!(t.w.step, Step::Info);
        assert_eq!(t.w.remote.value, "");
        assert_eq!(t.w.shown_error(Field::Remote), None);
        t.send(Msg::Blur(Field::Remote));
        assert_eq!(t.w.shown_error(Field::Remote), None, "tabbing through");
        assert!(t.w.has_hidden_errors());
        assert!(!t.w.can_next());
        t.type_in(Field::Remote, "company_b");
        assert!(!t.w.has_hidden_errors());
        let fx = t.send(Msg::Next);
        let [Effect::Create { body, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_eq!(body.remote_url, None);
        assert_eq!(body.mode, Mode::Script);
    }

    #[test]
    fn the_body_holds_what_the_fields_show_valid_and_nothing_else() {
        let mut t = T::new();
        t.go_to_info();
        for f in [Field::Local, Field::Remote, Field::Name, Field::Description] {
            assert_eq!(t.w.error(f), None, "{f:?}");
        }
        t.type_in(Field::Remote, " company_c ");
        let body = t.w.new_connection().unwrap();
        assert_eq!(body.remote_short_name, "company_c", "core's trimmed value");
        t.type_in(Field::Name, "");
        assert!(t.w.error(Field::Name).is_some());
        assert_eq!(
            t.w.new_connection(),
            None,
            "a field shown invalid is never sent"
        );
    }

    #[test]
    fn one_create_per_double_click_and_the_key_is_reused_on_retry() {
        let mut t = T::new();
        t.go_to_info();
        t.type_in(Field::Description, "  Sync incidents  ");
        let fx = t.send(Msg::Next);
        let [
            Effect::Create {
                req,
                idempotency_key,
                body,
            },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(idempotency_key, "k1");
        assert_eq!(
            body,
            &NewConnection {
                remote_url: Some("http://127.0.0.1:8082".into()),
                mode: Mode::Script,
                local_short_name: "company_a".into(),
                remote_short_name: "company_b".into(),
                name: "company_a_to_company_b".into(),
                description: "Sync incidents".into(),
            }
        );
        let first = *req;
        assert!(!t.w.can_next() && !t.w.can_previous());
        assert!(
            t.send(Msg::Next).is_empty(),
            "the double click sends nothing"
        );
        assert!(t.send(Msg::Previous).is_empty());
        // A later key (should the shell send one) does not replace the wizard's key.
        t.send(Msg::IdempotencyKey("k2".into()));

        let err = ApiError::Status {
            status: 409,
            message: "Name taken".into(),
            detail: "Pick another.".into(),
        };
        t.send(Msg::Created {
            req: first,
            result: Err(err.clone()),
        });
        assert_eq!(t.w.step, Step::Info);
        assert_eq!(t.w.create_error, Some(err));
        assert_eq!(
            t.w.description.value, "  Sync incidents  ",
            "every field is kept"
        );
        assert_eq!(t.w.name.value, "company_a_to_company_b");
        assert!(t.w.can_next());

        let fx = t.send(Msg::Next);
        let [
            Effect::Create {
                req,
                idempotency_key,
                ..
            },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(idempotency_key, "k1", "the retry reuses the key");
        assert_ne!(*req, first);
        assert_eq!(t.w.create_error, None);
        // A stale answer to the first try is ignored.
        t.send(Msg::Created {
            req: first,
            result: Ok(created(None)),
        });
        assert_eq!(t.w.step, Step::Info);
        let fx = t.send(Msg::Created {
            req: *req,
            result: Ok(created(Some("http://127.0.0.1:8082"))),
        });
        assert_eq!(fx, vec![Effect::Focus(ids::CODE)]);
        assert_eq!(t.w.step, Step::Invitation);
    }

    #[test]
    fn no_create_without_a_key() {
        let mut t = T {
            w: Wizard::new(ctx()),
            ids: RequestIds::default(),
        };
        t.send(Msg::NoUrl(true));
        t.send(Msg::Next);
        t.send(Msg::Next);
        t.type_in(Field::Remote, "b");
        assert!(!t.w.can_next());
        assert!(t.send(Msg::Next).is_empty());
    }
}
