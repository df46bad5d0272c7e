//! `view(&Model)`: the Connections page and its dialogs (the wizard, Accept invitation, the
//! invitation code of a `Pending` connection) as a virtual DOM. Pure.
//!
//! Labels are the seed documentation's, word for word. Anything typed by a person or sent by a
//! remote instance goes in as a text node or a property, never as markup.

use synclink_core::api::{Connection, ModeOption};
use synclink_core::{Mode, Status, time, validate};

use crate::accept::{self, Accept};
use crate::api::ApiError;
use crate::app::{Dest, Exit, Load, Model, Msg, ShowCode, show_code_id};
use crate::copy::CopyState;
use crate::vdom::{Element, Event, EventData, Handler, Node, el, text};
use crate::wizard::{self, Field, Step, Wizard};

/// Element ids the state machines refer to (for focus and selection).
pub mod ids {
    use crate::wizard::Field;
    use synclink_core::Mode;

    pub const INITIATE: &str = "sl-initiate";
    pub const ACCEPT: &str = "sl-accept";
    /// The Accept invitation dialog's Invitation code field.
    pub const INVITATION: &str = "sl-invitation";
    pub const INVITATION_HINT: &str = "sl-invitation-hint";
    pub const INVITATION_ERROR: &str = "sl-invitation-error";
    pub const CONFIRM: &str = "sl-confirm";
    pub const CLOSE: &str = "sl-close";
    pub const URL: &str = "sl-url";
    pub const NO_URL: &str = "sl-no-url";
    pub const CANCEL: &str = "sl-cancel";
    pub const PREVIOUS: &str = "sl-previous";
    pub const NEXT: &str = "sl-next";
    pub const LOCAL: &str = "sl-local";
    pub const REMOTE: &str = "sl-remote";
    pub const NAME: &str = "sl-name";
    pub const DESCRIPTION: &str = "sl-description";
    pub const CODE: &str = "sl-code";
    pub const COPY: &str = "sl-copy";
    pub const BACK: &str = "sl-back";
    pub const STAY: &str = "sl-stay";
    pub const EDIT_NAME: &str = "sl-edit-name";
    pub const EDIT_DESCRIPTION: &str = "sl-edit-description";
    pub const DELETE_NAME: &str = "sl-delete-name";
    pub const FILTER: &str = "sl-filter";
    pub const LICENCE: &str = "sl-licence";
    pub const STATUS: &str = "sl-status-filter";
    pub const OUTGOING: &str = "sl-rules-outgoing";
    pub const INCOMING: &str = "sl-rules-incoming";

    /// The text area of a script's editor.
    pub fn editor(s: synclink_core::api::Script) -> &'static str {
        match s {
            synclink_core::api::Script::Outgoing => OUTGOING,
            synclink_core::api::Script::Incoming => INCOMING,
        }
    }

    pub fn field(f: Field) -> &'static str {
        match f {
            Field::Url => URL,
            Field::Local => LOCAL,
            Field::Remote => REMOTE,
            Field::Name => NAME,
            Field::Description => DESCRIPTION,
        }
    }

    pub fn error(f: Field) -> &'static str {
        match f {
            Field::Url => "sl-url-error",
            Field::Local => "sl-local-error",
            Field::Remote => "sl-remote-error",
            Field::Name => "sl-name-error",
            Field::Description => "sl-description-error",
        }
    }

    pub fn hint(f: Field) -> &'static str {
        match f {
            Field::Url => "sl-url-hint",
            Field::Local => "sl-local-hint",
            Field::Remote => "sl-remote-hint",
            Field::Name => "sl-name-hint",
            Field::Description => "sl-description-hint",
        }
    }

    pub fn mode(m: Mode) -> &'static str {
        match m {
            Mode::Basic => "sl-mode-basic",
            Mode::Visual => "sl-mode-visual",
            Mode::Script => "sl-mode-script",
        }
    }

    pub fn mode_desc(m: Mode) -> &'static str {
        match m {
            Mode::Basic => "sl-mode-basic-desc",
            Mode::Visual => "sl-mode-visual-desc",
            Mode::Script => "sl-mode-script-desc",
        }
    }
}

/// The seed's help sentence under the URL field.
pub const URL_HELP: &str = "The Destination Instance URL is the link to the instance you want to set up a connection with.";
pub const MODES_HELP: &str =
    "synclink suggests available Configuration Modes based on the destination instance.";
pub const REMOTE_HELP: &str = "A short name for the destination instance";
pub const LOCAL_HELP: &str = "A short name for your instance";
pub const INVITATION_HELP: &str =
    "Paste the code the initiating administrator sent you. Spaces and line breaks do not matter.";
/// The Destination of a connection whose remote instance has no URL.
pub const PRIVATE_REMOTE: &str = "Unknown (private)";

type W = wizard::Msg;
type A = accept::Msg;

pub(crate) fn button(label: &'static str, msg: Msg) -> Element<Msg> {
    el("button")
        .attr("type", "button")
        .class("sl-btn")
        .on_click(msg)
        .text(label)
}

/// A primary button whose message is made when it is clicked, with the click's time.
fn timed_button(label: &'static str, f: fn(&EventData) -> Msg) -> Element<Msg> {
    el("button")
        .attr("type", "button")
        .class("sl-btn sl-primary")
        .on(Event::Click, Handler::With(f))
        .text(label)
}

pub(crate) fn error_lines(e: &ApiError) -> Vec<Node<Msg>> {
    let mut out = vec![el("p").class("sl-error-message").text(e.to_string()).into()];
    if !e.detail().is_empty() {
        out.push(el("p").class("sl-error-detail").text(e.detail()).into());
    }
    out
}

pub fn view(m: &Model) -> Node<Msg> {
    el("div")
        .class("sl-app")
        .child(page(m))
        .opt(m.wizard.as_ref().map(dialog))
        .opt(m.accept.as_ref().map(accept_dialog))
        .opt(m.show_code.as_ref().map(code_dialog))
        .opt(m.exit.as_ref().map(leave_dialog))
        .into()
}

/// Asked before unpublished rules are left behind (or replaced by a restored version).
fn leave_dialog(exit: &Exit) -> Element<Msg> {
    let (question, go) = match exit.to {
        Dest::Restore(n) => {
            let mut q = String::from("You have unpublished changes. Restore version ");
            q.push_str(&n.to_string());
            q.push_str(" and discard them?");
            (q, "Restore anyway")
        }
        _ => (
            String::from("You have unpublished changes. Leave without publishing?"),
            "Leave",
        ),
    };
    frame(
        "Unpublished changes",
        None,
        None,
        el("div").class("sl-body").child(el("p").text(question)),
        Vec::new(),
        el("div")
            .class("sl-footer")
            .child(button("Stay", Msg::Stay).id(ids::STAY))
            .child(el("span").class("sl-spacer"))
            .child(primary(go, Msg::Leave)),
        Msg::Stay,
    )
}

fn page(m: &Model) -> Element<Msg> {
    let banner = el("div")
        .class("sl-banner")
        .attr("role", "alert")
        .opt(m.session_ended.then(|| {
            el("p")
                .class("sl-error-message")
                .text("Your session has ended. Reload the page to sign in again.")
        }));
    let page = el("div")
        .class("sl-page")
        .flag("inert", m.dialog_open())
        .child(banner);
    if let Some(p) = &m.page {
        let name = m.instance.loaded().map_or("", |i| i.instance_name.as_str());
        return page.children(crate::page_view::connection_page(p, name));
    }
    page.child(el("h1").id("sl-title").text("Connections"))
        .child(preconditions(m))
        .opt(m.licence_expired().then(|| {
            el("p")
                .id(ids::LICENCE)
                .class("sl-licence-banner")
                .attr("role", "alert")
                .text(LICENCE_EXPIRED)
        }))
        .child(actions(m))
        .child(
            el("p")
                .class("sl-live")
                .attr("role", "status")
                .attr("aria-live", "polite")
                .opt(m.notice.as_deref().map(text)),
        )
        .child(list(m))
}

/// The banner over the list when the licence has expired.
pub const LICENCE_EXPIRED: &str = "Your licence has expired. Existing connections are shown, but no Script or Visual connection can be initiated or accepted.";

fn preconditions(m: &Model) -> Element<Msg> {
    let ul = el("ul")
        .class("sl-preconditions")
        .attr("aria-label", "Preconditions");
    let Some(i) = m.instance.loaded() else {
        return ul;
    };
    let public = if i.public.ok {
        el("li")
            .class("sl-ok")
            .text(format!("Public URL: {} ✓", i.public_url))
    } else {
        el("li").class("sl-bad").text(format!(
            "Public URL: {} ✗ {}",
            i.public_url, i.public.message
        ))
    };
    let licence_ok = matches!(
        i.license.kind,
        synclink_core::LicenseKind::Trial | synclink_core::LicenseKind::Paid
    );
    let licence = el("li")
        .class(if licence_ok { "sl-ok" } else { "sl-bad" })
        .text(format!("Licence: {}", i.license.describe()));
    ul.child(public).child(licence)
}

fn actions(m: &Model) -> Element<Msg> {
    let blocked = m.initiate_blocked();
    let mut initiate = button("Initiate connection", Msg::OpenWizard)
        .id(ids::INITIATE)
        .class("sl-btn sl-primary")
        .flag("disabled", !blocked.is_empty());
    let reasons = (!blocked.is_empty()).then(|| {
        el("ul")
            .id("sl-initiate-blocked")
            .class("sl-reasons")
            .children(blocked.into_iter().map(|r| el("li").text(r).into()))
    });
    if reasons.is_some() {
        initiate = initiate.attr("aria-describedby", "sl-initiate-blocked");
    }
    // Accepting needs no public URL: only an expired licence stops it.
    let expired = m.licence_expired();
    let mut accept = button("Accept invitation", Msg::OpenAccept)
        .id(ids::ACCEPT)
        .flag("disabled", expired);
    if expired {
        accept = accept.attr("aria-describedby", ids::LICENCE);
    }
    el("div")
        .class("sl-actions")
        .child(el("div").class("sl-action").child(initiate).opt(reasons))
        .child(el("div").class("sl-action").child(accept))
}

fn list(m: &Model) -> Element<Msg> {
    let mut section = el("section")
        .class("sl-list")
        .attr("aria-labelledby", "sl-title");
    let failures: Vec<(&str, &ApiError)> = [
        m.instance
            .failed()
            .map(|e| ("This instance's status could not be loaded.", e)),
        m.connections
            .failed()
            .map(|e| ("The connections could not be loaded.", e)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !failures.is_empty() {
        let mut alert = el("div").class("sl-alert").attr("role", "alert");
        for (title, e) in failures {
            alert = alert
                .child(el("p").class("sl-alert-title").text(title))
                .children(error_lines(e));
        }
        section = section.child(alert.child(button("Retry", Msg::Retry)));
    }
    match &m.connections {
        Load::Loading => section.child(el("p").class("sl-loading").attr("role", "status").text("Loading connections…")),
        Load::Failed(_) => section,
        Load::Loaded(cs) if cs.is_empty() => section.child(
            el("p")
                .class("sl-empty")
                .text("No connections yet. Initiate a connection, or accept an invitation from another instance."),
        ),
        Load::Loaded(cs) => {
            let rows = m.visible();
            let mut showing = String::from("Showing ");
            showing.push_str(&rows.len().to_string());
            showing.push_str(" of ");
            showing.push_str(&cs.len().to_string());
            showing.push_str(" connections");
            section
                .child(toolbar(m))
                .child(
                    el("p")
                        .class("sl-showing")
                        .attr("aria-live", "polite")
                        .text(showing),
                )
                .child(table(&rows, m.sort))
        }
    }
}

fn toolbar(m: &Model) -> Element<Msg> {
    let filter = el("input")
        .id(ids::FILTER)
        .attr("type", "search")
        .class("sl-input")
        .attr("autocomplete", "off")
        .attr("spellcheck", "false")
        .value(m.filter.as_str())
        .on_input(Msg::Filter);
    let chosen = m.status_filter.map_or("All", Status::label);
    let options = ["All", "Pending", "Active", "Deactivated"].map(|o| -> Node<Msg> {
        el("option")
            .attr("value", o)
            .flag("selected", o == chosen)
            .text(o)
            .into()
    });
    let status = el("select")
        .id(ids::STATUS)
        .class("sl-input")
        .on(Event::Change, Handler::Value(Msg::StatusFilter))
        .children(options);
    let labelled = |id: &'static str, label: &'static str, c: Element<Msg>| -> Node<Msg> {
        el("div")
            .class("sl-field")
            .child(el("label").attr("for", id).text(label))
            .child(c)
            .into()
    };
    el("div")
        .class("sl-toolbar")
        .child(labelled(ids::FILTER, "Filter", filter))
        .child(labelled(ids::STATUS, "Status", status))
}

pub const COLUMNS: [&str; 8] = [
    "Name",
    "Local short name",
    "Remote short name",
    "Destination",
    "Mode",
    "Status",
    "Created",
    "Actions",
];

fn table(cs: &[&Connection], (sorted, desc): (usize, bool)) -> Element<Msg> {
    let head = el("thead").child(el("tr").children(COLUMNS.iter().enumerate().map(|(i, c)| {
        let th = el("th").attr("scope", "col");
        if i == COLUMNS.len() - 1 {
            return th.text(*c).into();
        }
        let th = if i == sorted {
            th.attr("aria-sort", if desc { "descending" } else { "ascending" })
        } else {
            th
        };
        th.child(
            el("button")
                .attr("type", "button")
                .class("sl-sort")
                .on_click(Msg::Sort(i))
                .text(*c),
        )
        .into()
    })));
    let rows = cs.iter().map(|c| {
        let cell = |s: &str| -> Node<Msg> { el("td").text(s).into() };
        let status_class = match c.status {
            Status::Pending => "sl-badge sl-badge-pending",
            Status::Active => "sl-badge sl-badge-active",
            Status::Deactivated => "sl-badge sl-badge-deactivated",
        };
        // Only the side that initiated holds the code, and only until it is accepted.
        let show = (c.status == Status::Pending && c.initiated_here).then(|| {
            button("Show invitation code", Msg::ShowCode(c.id.clone()))
                .attr("id", show_code_id(&c.id))
                .class("sl-btn sl-small")
        });
        el("tr")
            .child(
                el("td").child(
                    el("button")
                        .attr("type", "button")
                        .class("sl-open")
                        .on_click(Msg::Open(c.id.clone()))
                        .text(c.name.as_str()),
                ),
            )
            .child(cell(&c.local_short_name))
            .child(cell(&c.remote_short_name))
            .child(cell(c.remote_url.as_deref().unwrap_or(PRIVATE_REMOTE)))
            .child(cell(c.mode.label()))
            .child(el("td").child(el("span").class(status_class).text(c.status.label())))
            .child(cell(&time::display(c.created_at)))
            .child(el("td").opt(show))
            .into()
    });
    el("table")
        .class("sl-table")
        .attr("aria-labelledby", "sl-title")
        .child(head)
        .child(el("tbody").children(rows))
}

// ---- dialogs ----

/// A modal dialog: title and step line, the step's heading, its body, a live region for
/// progress and errors, and the footer's buttons. Esc sends `close`.
fn frame(
    title: &'static str,
    step_no: Option<&'static str>,
    heading: Option<&'static str>,
    body: Element<Msg>,
    status: Vec<Node<Msg>>,
    footer: Element<Msg>,
    close: Msg,
) -> Element<Msg> {
    el("div").class("sl-backdrop").child(
        el("div")
            .id("sl-dialog")
            .class("sl-dialog")
            .attr("role", "dialog")
            .attr("aria-modal", "true")
            .attr("aria-labelledby", "sl-dialog-title")
            .on_key("Escape", close)
            .child(
                el("div")
                    .class("sl-dialog-head")
                    .child(el("h2").id("sl-dialog-title").text(title))
                    .opt(step_no.map(|s| el("p").class("sl-step").text(s))),
            )
            .opt(heading.map(|h| el("h3").id("sl-step-title").text(h)))
            .child(body)
            .child(
                el("div")
                    .class("sl-status")
                    .attr("aria-live", "polite")
                    .children(status),
            )
            .child(footer),
    )
}

fn progress(s: &'static str) -> Vec<Node<Msg>> {
    vec![el("p").class("sl-progress").text(s).into()]
}

pub(crate) fn alert(e: &ApiError) -> Node<Msg> {
    el("div")
        .class("sl-alert")
        .attr("role", "alert")
        .children(error_lines(e))
        .into()
}

/// Term and description pairs: what an invitation or a connection says.
fn summary(rows: Vec<(&'static str, String)>) -> Element<Msg> {
    let mut dl = el("dl").class("sl-summary");
    for (k, v) in rows {
        dl = dl.child(el("dt").text(k)).child(el("dd").text(v));
    }
    dl
}

pub(crate) fn primary(label: &'static str, msg: Msg) -> Element<Msg> {
    button(label, msg).class("sl-btn sl-primary")
}

/// The invitation as the initiating side shows it, on the wizard's last step and in the
/// Invitation code dialog: the seed's sentence, then the code in a read-only field with **Copy
/// invitation code** (the one copy component), added to `body`.
pub(crate) fn code_box(
    body: Element<Msg>,
    remote: &str,
    code: &str,
    copy: CopyState,
) -> Element<Msg> {
    let mut sentence = String::from("On the “");
    sentence.push_str(remote);
    sentence.push_str("” side, you (or their application administrator) need to ");
    body.child(
        el("p")
            .text(sentence)
            .child(el("strong").text("Accept the invitation"))
            .text("."),
    )
    .child(el("p").text("Use the following invitation code:"))
    // The sentence says it on screen; the field still has a label of its own.
    .child(
        el("label")
            .attr("for", ids::CODE)
            .class("sl-visually-hidden")
            .text("Invitation code"),
    )
    .child(
        el("textarea")
            .id(ids::CODE)
            .class("sl-code")
            .flag("readonly", true)
            .attr("rows", "5")
            .attr("spellcheck", "false")
            .value(code),
    )
    .child(
        el("div")
            .class("sl-copy-row")
            .child(button("Copy invitation code", Msg::Copy).id(ids::COPY))
            .child(
                el("span")
                    .class("sl-copy-status")
                    .attr("aria-live", "polite")
                    .opt(copy.status().map(text)),
            ),
    )
}

// ---- the wizard ----

fn dialog(w: &Wizard) -> Element<Msg> {
    let (heading, body, status, footer) = match w.step {
        Step::Destination => (
            "Destination instance",
            step_destination(w),
            status_destination(w),
            footer(w),
        ),
        Step::Mode => ("Configuration Mode", step_mode(w), Vec::new(), footer(w)),
        Step::Info => (
            "Connection information",
            step_info(w),
            status_info(w),
            footer(w),
        ),
        Step::Invitation => ("Invitation code", step_invitation(w), Vec::new(), footer(w)),
    };
    let step_no = match w.step {
        Step::Destination => "Step 1 of 4",
        Step::Mode => "Step 2 of 4",
        Step::Info => "Step 3 of 4",
        Step::Invitation => "Step 4 of 4",
    };
    frame(
        "Initiate connection",
        Some(step_no),
        Some(heading),
        body,
        status,
        footer,
        Msg::CloseWizard,
    )
}

fn input_msg(f: Field) -> fn(String) -> Msg {
    match f {
        Field::Url => |s| Msg::Wizard(W::Input(Field::Url, s)),
        Field::Local => |s| Msg::Wizard(W::Input(Field::Local, s)),
        Field::Remote => |s| Msg::Wizard(W::Input(Field::Remote, s)),
        Field::Name => |s| Msg::Wizard(W::Input(Field::Name, s)),
        Field::Description => |s| Msg::Wizard(W::Input(Field::Description, s)),
    }
}

/// A labelled text field: label row, control, hint, and the message once there is one.
fn text_field(
    w: &Wizard,
    f: Field,
    label: &'static str,
    required: bool,
    hint: Option<&'static str>,
    disabled: bool,
) -> Element<Msg> {
    let error = w.shown_error(f);
    let control_tag = if f == Field::Description {
        "textarea"
    } else {
        "input"
    };
    let mut describedby = String::new();
    if hint.is_some() {
        describedby.push_str(ids::hint(f));
    }
    if error.is_some() {
        if !describedby.is_empty() {
            describedby.push(' ');
        }
        describedby.push_str(ids::error(f));
    }
    let mut control = el(control_tag)
        .id(ids::field(f))
        .attr("name", ids::field(f))
        .class("sl-input")
        .flag("disabled", disabled)
        .attr(
            "aria-invalid",
            if error.is_some() { "true" } else { "false" },
        )
        .attr("spellcheck", "false")
        .value(w.field(f).value.as_str())
        .on_input(input_msg(f))
        // A value set without an `input` event (WebDriver's clear, some autofill) still
        // reaches the model when the field commits it.
        .on(Event::Change, Handler::Value(input_msg(f)))
        .on_blur(Msg::Wizard(W::Blur(f)));
    if control_tag == "input" {
        control = control.attr("type", "text").attr("autocomplete", "off");
    } else {
        control = control.attr("rows", "3");
    }
    if required {
        control = control.attr("aria-required", "true");
    }
    if !describedby.is_empty() {
        control = control.attr("aria-describedby", describedby);
    }
    if f == Field::Url {
        control = control
            .attr("inputmode", "url")
            .attr("placeholder", "https://")
            .on_key("Enter", Msg::Wizard(W::Next));
    }
    let mut label_el = el("label").attr("for", ids::field(f)).text(label);
    if required {
        label_el = label_el.child(el("span").class("sl-req").text("*"));
    }
    let mut label_row = el("div").class("sl-label-row").child(label_el);
    if f == Field::Remote {
        label_row = label_row.child(
            el("span")
                .class("sl-help")
                .attr("title", REMOTE_HELP)
                .attr("aria-hidden", "true")
                .text("?"),
        );
    }
    el("div")
        .class("sl-field")
        .child(label_row)
        .child(control)
        .opt(hint.map(|h| el("p").id(ids::hint(f)).class("sl-hint").text(h)))
        .opt(error.map(|e| el("p").id(ids::error(f)).class("sl-field-error").text(e)))
}

fn step_destination(w: &Wizard) -> Element<Msg> {
    let check = el("div")
        .class("sl-check")
        .child(
            el("input")
                .attr("type", "checkbox")
                .id(ids::NO_URL)
                .checked(w.no_url)
                .on(
                    Event::Change,
                    Handler::Checked(|b| Msg::Wizard(W::NoUrl(b))),
                ),
        )
        .child(
            el("label")
                .attr("for", ids::NO_URL)
                .text("I don't have a URL"),
        );
    el("div")
        .class("sl-body")
        .child(text_field(
            w,
            Field::Url,
            "Destination Instance URL",
            false,
            Some(URL_HELP),
            w.no_url,
        ))
        .child(check)
}

fn status_destination(w: &Wizard) -> Vec<Node<Msg>> {
    let mut out = Vec::new();
    if let Some((_, url)) = &w.probing {
        out.push(
            el("p")
                .class("sl-progress")
                .text(format!("Checking {url}…"))
                .into(),
        );
    }
    if let Some(e) = &w.probe_error {
        out.push(el("div").class("sl-alert").children(error_lines(e)).into());
    }
    out
}

fn mode_option(o: &ModeOption, chosen: Option<Mode>) -> Node<Msg> {
    let m = o.mode;
    let reason_id = match m {
        Mode::Basic => "sl-mode-basic-reason",
        Mode::Visual => "sl-mode-visual-reason",
        Mode::Script => "sl-mode-script-reason",
    };
    let mut describedby = String::from(ids::mode_desc(m));
    if !o.available {
        describedby.push(' ');
        describedby.push_str(reason_id);
    }
    el("div")
        .class(if o.available {
            "sl-mode"
        } else {
            "sl-mode sl-unavailable"
        })
        .child(
            el("input")
                .attr("type", "radio")
                .attr("name", "sl-mode")
                .id(ids::mode(m))
                .attr("value", m.label())
                .flag("disabled", !o.available)
                .attr("aria-describedby", describedby)
                .checked(chosen == Some(m))
                .on(Event::Change, Handler::Msg(Msg::Wizard(W::ChooseMode(m)))),
        )
        .child(el("label").attr("for", ids::mode(m)).text(m.label()))
        .child(
            el("p")
                .id(ids::mode_desc(m))
                .class("sl-hint")
                .text(m.blurb()),
        )
        .opt((!o.available).then(|| {
            el("p")
                .id(reason_id)
                .class("sl-reason")
                .text(o.reason.clone().unwrap_or_default())
        }))
        .into()
}

fn step_mode(w: &Wizard) -> Element<Msg> {
    let mut body = el("div")
        .class("sl-body")
        .child(el("p").class("sl-hint").text(MODES_HELP));
    let Some(p) = &w.probe else { return body };
    let found = match (&p.url, &p.message, &p.error) {
        (_, _, Some(e)) => el("div").class("sl-alert").attr("role", "alert").children(error_lines(e)).child(
            el("p").class("sl-note").text(
                "The destination could not be checked. You can go on in Script mode: the other side \
                 accepts the invitation from its own instance.",
            ),
        ),
        (None, _, _) => el("div").class("sl-found").child(
            el("p").class("sl-note").text("Without a URL, the other side accepts the invitation from its own instance."),
        ),
        (Some(_), message, None) => {
            el("div").class("sl-found").child(el("p").class("sl-note").text(message.clone().unwrap_or_default()))
        }
    };
    body = body.child(found).child(
        el("div")
            .class("sl-modes")
            .attr("role", "radiogroup")
            .attr("aria-labelledby", "sl-step-title")
            .children(p.modes.iter().map(|o| mode_option(o, w.mode))),
    );
    if !p.modes.iter().any(|o| o.available) {
        body = body.child(
            el("p")
                .class("sl-field-error")
                .attr("role", "alert")
                .text("No configuration mode is available for this destination."),
        );
    }
    body
}

fn step_info(w: &Wizard) -> Element<Msg> {
    let busy = w.creating.is_some();
    el("div")
        .class("sl-body")
        .child(text_field(
            w,
            Field::Local,
            "Local instance short name",
            true,
            Some(LOCAL_HELP),
            busy,
        ))
        .child(text_field(
            w,
            Field::Remote,
            "Remote instance short name",
            true,
            Some(REMOTE_HELP),
            busy,
        ))
        .child(text_field(
            w,
            Field::Name,
            "Connection name",
            true,
            None,
            busy,
        ))
        .child(text_field(
            w,
            Field::Description,
            "Description",
            false,
            None,
            busy,
        ))
}

fn status_info(w: &Wizard) -> Vec<Node<Msg>> {
    let mut out = Vec::new();
    if w.creating.is_some() {
        out.push(
            el("p")
                .class("sl-progress")
                .text("Creating the connection…")
                .into(),
        );
    }
    if let Some(e) = &w.create_error {
        out.push(
            el("div")
                .class("sl-alert")
                .attr("role", "alert")
                .children(error_lines(e))
                .into(),
        );
    }
    if w.has_hidden_errors() {
        out.push(
            el("p")
                .class("sl-hint")
                .text("Fill in the fields marked * to go on.")
                .into(),
        );
    }
    out
}

fn step_invitation(w: &Wizard) -> Element<Msg> {
    let Some(c) = &w.created else {
        return el("div").class("sl-body");
    };
    // Only an http(s) address becomes a link, whatever the node sent.
    let href = c
        .connection
        .remote_url
        .as_deref()
        .filter(|u| validate::destination_url(u).is_ok());
    let go: Node<Msg> = match href {
        Some(u) => el("a")
            .class("sl-btn sl-link")
            .attr("href", u)
            .attr("target", "_blank")
            .attr("rel", "noopener")
            .text("Go to remote")
            .into(),
        None => el("p")
            .class("sl-note")
            .text("This connection has no destination URL, so there is no remote to go to: send the invitation code to the other side's administrator.")
            .into(),
    };
    code_box(
        el("div").class("sl-body"),
        &c.connection.remote_short_name,
        &c.invitation_code,
        w.copy,
    )
    .child(el("div").class("sl-go").child(go))
}

fn footer(w: &Wizard) -> Element<Msg> {
    let mut f = el("div").class("sl-footer");
    if w.step == Step::Invitation {
        return f.child(primary("Done", Msg::Done).id(ids::NEXT));
    }
    // While the probe runs, Cancel stops it and returns to editing; otherwise it closes.
    let cancel = if w.probing.is_some() {
        Msg::Wizard(W::CancelProbe)
    } else {
        Msg::CloseWizard
    };
    f = f
        .child(button("Cancel", cancel).id(ids::CANCEL))
        .child(el("span").class("sl-spacer"));
    if w.step != Step::Destination {
        f = f.child(
            button("< Previous", Msg::Wizard(W::Previous))
                .id(ids::PREVIOUS)
                .flag("disabled", !w.can_previous()),
        );
    }
    f.child(
        primary("Next", Msg::Wizard(W::Next))
            .id(ids::NEXT)
            .flag("disabled", !w.can_next()),
    )
}

// ---- Accept invitation ----

fn accept_dialog(a: &Accept) -> Element<Msg> {
    let (step_no, heading, body, status) = match a.step {
        accept::Step::Code => (
            "Step 1 of 3",
            "Paste the invitation code",
            accept_code(a),
            Vec::new(),
        ),
        accept::Step::Preview => (
            "Step 2 of 3",
            "Check the invitation",
            accept_preview(a),
            accept_status(a),
        ),
        accept::Step::Accepted => (
            "Step 3 of 3",
            "The connection is Active.",
            accept_done(a),
            Vec::new(),
        ),
    };
    frame(
        "Accept invitation",
        Some(step_no),
        Some(heading),
        body,
        status,
        accept_footer(a),
        Msg::CloseAccept,
    )
}

fn accept_code(a: &Accept) -> Element<Msg> {
    let error = a.code_error().map(|e| e.to_string());
    let input = |d: &EventData| Msg::Accept(A::Input(d.value.clone(), d.now));
    let describedby = if error.is_some() {
        "sl-invitation-hint sl-invitation-error"
    } else {
        ids::INVITATION_HINT
    };
    let field = el("textarea")
        .id(ids::INVITATION)
        .attr("name", ids::INVITATION)
        .class("sl-input sl-paste")
        .attr("rows", "6")
        .attr("spellcheck", "false")
        .attr("autocomplete", "off")
        .attr("aria-required", "true")
        .attr(
            "aria-invalid",
            if error.is_some() { "true" } else { "false" },
        )
        .attr("aria-describedby", describedby)
        .value(a.text.as_str())
        .on(Event::Input, Handler::With(input))
        // A value set without an `input` event (WebDriver's clear) still reaches the model.
        .on(Event::Change, Handler::With(input));
    el("div").class("sl-body").child(
        el("div")
            .class("sl-field")
            .child(
                el("div").class("sl-label-row").child(
                    el("label")
                        .attr("for", ids::INVITATION)
                        .text("Invitation code"),
                ),
            )
            .child(field)
            .child(
                el("p")
                    .id(ids::INVITATION_HINT)
                    .class("sl-hint")
                    .text(INVITATION_HELP),
            )
            // Always there, so that screen readers hear each new message.
            .child(
                el("p")
                    .id(ids::INVITATION_ERROR)
                    .class("sl-field-error")
                    .attr("aria-live", "polite")
                    .opt(error.map(text)),
            ),
    )
}

fn accept_preview(a: &Accept) -> Element<Msg> {
    let body = el("div").class("sl-body");
    let Some(i) = a.invitation() else { return body };
    let mut initiator = i.initiator_url.clone();
    initiator.push_str(" (");
    initiator.push_str(i.initiator_platform.label());
    initiator.push(')');
    let expires = i64::try_from(i.expires_at).unwrap_or(i64::MAX);
    body.child(el("p").text(
        "Check whom you are about to connect to. Confirm asks the initiating instance to accept this one.",
    ))
    .child(summary(vec![
        ("Initiating instance", initiator),
        ("Connection name", i.connection_name.clone()),
        // Seen from this side: the code's remote short name is this instance's.
        ("Local instance short name", i.remote_short_name.clone()),
        ("Remote instance short name", i.initiator_short_name.clone()),
        ("Configuration Mode", i.mode.label().to_string()),
        ("Expires", time::display(expires)),
    ]))
}

fn accept_status(a: &Accept) -> Vec<Node<Msg>> {
    if a.confirming.is_some() {
        return progress("Accepting the invitation…");
    }
    match &a.error {
        Some(e) => vec![alert(e)],
        None => Vec::new(),
    }
}

fn accept_done(a: &Accept) -> Element<Msg> {
    let body = el("div").class("sl-body");
    let Some(c) = &a.accepted else { return body };
    body.child(summary(vec![
        ("Connection name", c.name.clone()),
        ("Local instance short name", c.local_short_name.clone()),
        ("Remote instance short name", c.remote_short_name.clone()),
        ("Status", c.status.label().to_string()),
    ]))
}

fn accept_footer(a: &Accept) -> Element<Msg> {
    let f = el("div").class("sl-footer");
    // Next and Confirm carry the click's time: the code's expiry is checked once more.
    let last = match a.step {
        accept::Step::Accepted => {
            return f
                .child(button("Go to rules", Msg::AcceptRules))
                .child(el("span").class("sl-spacer"))
                .child(primary("Done", Msg::CloseAccept).id(ids::NEXT));
        }
        accept::Step::Code => timed_button("Next", |d| Msg::Accept(A::Next(d.now)))
            .id(ids::NEXT)
            .flag("disabled", !a.can_next()),
        accept::Step::Preview => timed_button("Confirm", |d| Msg::Accept(A::Confirm(d.now)))
            .id(ids::CONFIRM)
            .flag("disabled", !a.can_confirm()),
    };
    f.child(button("Cancel", Msg::CloseAccept).id(ids::CANCEL))
        .child(el("span").class("sl-spacer"))
        .opt((a.step == accept::Step::Preview).then(|| {
            button("< Previous", Msg::Accept(A::Previous))
                .id(ids::PREVIOUS)
                .flag("disabled", !a.can_previous())
        }))
        .child(last)
}

// ---- the invitation code of a Pending connection ----

fn code_dialog(s: &ShowCode) -> Element<Msg> {
    let body = el("div").class("sl-body");
    let (body, status) = match &s.code {
        Load::Loading => (body, progress("Loading the invitation code…")),
        Load::Failed(e) => (body, vec![alert(e)]),
        Load::Loaded(code) => (
            code_box(body, &s.remote_short_name, code, s.copy),
            Vec::new(),
        ),
    };
    let footer = el("div")
        .class("sl-footer")
        .child(primary("Close", Msg::CloseCode).id(ids::CLOSE));
    frame(
        "Invitation code",
        None,
        None,
        body,
        status,
        footer,
        Msg::CloseCode,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::app::tests::{connection, instance, loaded};
    use crate::app::{Effect, update};
    use crate::vdom::EventData;
    use synclink_core::api::{CreatedConnection, InvitationCode, ProbeResult};

    pub(crate) const XSS: &str = "<img src=x onerror=alert(1)>";

    pub(crate) fn labels(n: &Node<Msg>) -> Vec<String> {
        n.elements()
            .into_iter()
            .filter(|e| e.tag == "label")
            .map(|e| e.text_content())
            .collect()
    }

    /// The control a `<label for>` with exactly this text points at.
    pub(crate) fn labelled<'a>(n: &'a Node<Msg>, label: &str) -> &'a crate::vdom::Element<Msg> {
        let l = n
            .elements()
            .into_iter()
            .find(|e| e.tag == "label" && e.text_content() == label)
            .unwrap_or_else(|| panic!("no label {label:?} in {:?}", labels(n)));
        n.by_id(l.get_attr("for").unwrap()).unwrap()
    }

    pub(crate) fn enabled(n: &Node<Msg>, label: &str) -> bool {
        !n.button(label)
            .unwrap_or_else(|| panic!("no button {label:?}"))
            .has_attr("disabled")
    }

    /// Clicks a button as the shell would: its handler's message goes through `update`.
    pub(crate) fn click(m: &mut Model, label: &str) -> Vec<Effect> {
        let v = view(m);
        let b = v
            .button(label)
            .unwrap_or_else(|| panic!("no button {label:?}"));
        assert!(!b.has_attr("disabled"), "{label} is disabled");
        assert_eq!(b.get_attr("type"), Some("button"));
        let msg = b.handle(Event::Click, &EventData::default()).unwrap();
        update(m, msg)
    }

    pub(crate) fn type_into(m: &mut Model, label: &str, value: &str) {
        let v = view(m);
        let data = EventData {
            value: value.into(),
            ..Default::default()
        };
        let msg = labelled(&v, label).handle(Event::Input, &data).unwrap();
        update(m, msg);
    }

    #[test]
    fn page_labels_and_table() {
        let mut m = loaded();
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("Connections"));
        assert!(t.contains("Public URL: http://127.0.0.1:8081 ✓"));
        assert!(t.contains("Licence: Trial, 29 days left"));
        assert!(t.contains("No connections yet."));
        assert!(enabled(&v, "Initiate connection"));
        assert!(enabled(&v, "Accept invitation"));
        assert!(!t.contains("Coming soon"));

        let mut accepted_here = connection("accepted", None, Status::Pending);
        accepted_here.initiated_here = false;
        update(
            &mut m,
            Msg::ConnectionsLoaded(Ok(vec![
                connection("a_to_b", Some("http://127.0.0.1:8082"), Status::Active),
                connection("private", None, Status::Pending),
                connection("private_accepted", None, Status::Active),
                accepted_here,
            ])),
        );
        let v = view(&m);
        let ths: Vec<String> = v
            .elements()
            .iter()
            .filter(|e| e.tag == "th")
            .map(|e| e.text_content())
            .collect();
        assert_eq!(ths, COLUMNS);
        let rows: Vec<Vec<String>> = v
            .elements()
            .iter()
            .filter(|e| e.tag == "tr")
            .skip(1)
            .map(|r| r.children.iter().map(|c| c.text_content()).collect())
            .collect();
        assert_eq!(
            rows[0],
            [
                "a_to_b",
                "company_a",
                "company_b",
                "http://127.0.0.1:8082",
                "Script",
                "Active",
                "2026-11-28 07:02 UTC",
                ""
            ]
        );
        assert_eq!(rows[1][3], "Unknown (private)");
        assert_eq!(rows[1][5], "Pending");
        assert_eq!(rows[1][7], "Show invitation code");
        assert_eq!(
            rows[2][3], "Unknown (private)",
            "a private instance accepted: its URL stays unknown"
        );
        assert_eq!(rows[2][7], "", "an Active connection has no code to show");
        assert_eq!(rows[3][7], "", "only the initiating side holds the code");
        let show = v.button("Show invitation code").unwrap();
        assert_eq!(
            show.get_attr("id"),
            Some("sl-show-abababababababababababababababab")
        );
    }

    #[test]
    fn accept_stays_available_when_initiate_is_blocked() {
        let (mut m, _) = Model::init();
        assert!(
            enabled(&view(&m), "Accept invitation"),
            "even while loading"
        );
        update(
            &mut m,
            Msg::InstanceLoaded(Ok(instance(&["This instance is not public."]))),
        );
        let v = view(&m);
        assert!(!enabled(&v, "Initiate connection"));
        assert!(enabled(&v, "Accept invitation"));
        assert_eq!(
            click(&mut m, "Accept invitation"),
            vec![Effect::Focus(ids::INVITATION)]
        );
        assert!(m.accept.is_some());
    }

    /// Clicks a button whose message carries the time, at `now`.
    fn click_at(m: &mut Model, label: &str, now: u64) -> Vec<Effect> {
        let v = view(m);
        let b = v
            .button(label)
            .unwrap_or_else(|| panic!("no button {label:?}"));
        assert!(!b.has_attr("disabled"), "{label} is disabled");
        let data = EventData {
            now,
            ..Default::default()
        };
        let msg = b.handle(Event::Click, &data).unwrap();
        update(m, msg)
    }

    fn paste(m: &mut Model, value: &str, now: u64) {
        let v = view(m);
        let data = EventData {
            value: value.into(),
            now,
            ..Default::default()
        };
        let field = labelled(&v, "Invitation code");
        assert_eq!(
            field.handle(Event::Change, &data),
            field.handle(Event::Input, &data)
        );
        let msg = field.handle(Event::Input, &data).unwrap();
        update(m, msg);
    }

    /// The `<dt>`/`<dd>` pairs of the dialog, as text.
    pub(crate) fn terms(v: &Node<Msg>) -> Vec<(String, String)> {
        let dl = v
            .elements()
            .into_iter()
            .find(|e| e.tag == "dl")
            .expect("a dl");
        dl.children
            .chunks(2)
            .map(|p| (p[0].text_content(), p[1].text_content()))
            .collect()
    }

    #[test]
    fn the_accept_dialog_step_by_step() {
        use crate::accept::tests::{EXPIRES, NOW, accepted, invitation};
        let mut m = loaded();
        click(&mut m, "Accept invitation");
        let v = view(&m);
        let dialog = v.by_id("sl-dialog").unwrap();
        assert_eq!(dialog.get_attr("role"), Some("dialog"));
        assert_eq!(dialog.get_attr("aria-modal"), Some("true"));
        assert_eq!(dialog.get_attr("aria-labelledby"), Some("sl-dialog-title"));
        assert_eq!(
            v.by_id("sl-dialog-title").unwrap().text_content(),
            "Accept invitation"
        );
        let esc = EventData {
            key: "Escape".into(),
            ..Default::default()
        };
        assert_eq!(dialog.handle(Event::KeyDown, &esc), Some(Msg::CloseAccept));
        assert_eq!(labels(&v), ["Invitation code"]);
        let field = labelled(&v, "Invitation code");
        assert_eq!(field.tag, "textarea");
        assert_eq!(
            field.get_attr("aria-describedby"),
            Some("sl-invitation-hint")
        );
        assert!(v.text_content().contains(INVITATION_HELP));
        let err = v.by_id(ids::INVITATION_ERROR).unwrap();
        assert_eq!(err.get_attr("aria-live"), Some("polite"));
        assert_eq!(err.text_content(), "", "untouched: no message");
        assert!(!enabled(&v, "Next"));
        assert!(v.button("< Previous").is_none() && v.button("Confirm").is_none());
        assert!(
            v.elements()
                .iter()
                .find(|e| e.get_attr("class") == Some("sl-page"))
                .unwrap()
                .has_attr("inert")
        );

        let mut inv = invitation();
        inv.connection_name = XSS.into();
        let code = inv.encode();
        paste(&mut m, &code[..code.len() - 10], NOW);
        let v = view(&m);
        assert_eq!(
            v.by_id(ids::INVITATION_ERROR).unwrap().text_content(),
            "The invitation code is incomplete: its end is missing. Copy it again in full."
        );
        let field = labelled(&v, "Invitation code");
        assert_eq!(field.get_attr("aria-invalid"), Some("true"));
        assert_eq!(
            field.get_attr("aria-describedby"),
            Some("sl-invitation-hint sl-invitation-error")
        );
        assert!(!enabled(&v, "Next"));

        paste(&mut m, &code, EXPIRES + 1);
        let v = view(&m);
        assert_eq!(
            v.by_id(ids::INVITATION_ERROR).unwrap().text_content(),
            "This invitation code expired at 2026-12-05 07:02 UTC. Ask the other side for a new one."
        );
        assert!(!enabled(&v, "Next"));

        paste(&mut m, &code, NOW);
        let v = view(&m);
        assert_eq!(v.by_id(ids::INVITATION_ERROR).unwrap().text_content(), "");
        assert_eq!(
            labelled(&v, "Invitation code").value.as_deref(),
            Some(code.as_str())
        );
        assert!(enabled(&v, "Next"));
        assert_eq!(
            click_at(&mut m, "Next", NOW),
            vec![Effect::Focus(ids::CONFIRM)]
        );
        let v = view(&m);
        assert_eq!(
            v.by_id("sl-step-title").unwrap().text_content(),
            "Check the invitation"
        );
        assert_eq!(
            terms(&v),
            [
                ("Initiating instance", "http://127.0.0.1:8081 (ServiceNow)"),
                ("Connection name", XSS),
                ("Local instance short name", "company_b"),
                ("Remote instance short name", "company_a"),
                ("Configuration Mode", "Script"),
                ("Expires", "2026-12-05 07:02 UTC"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert!(v.elements().iter().all(|e| e.tag != "img"));
        assert!(collect_texts(&v).contains(&XSS.to_string()));
        assert!(enabled(&v, "< Previous") && enabled(&v, "Confirm"));

        // Back and forth keeps the code.
        click(&mut m, "< Previous");
        assert_eq!(
            labelled(&view(&m), "Invitation code").value.as_deref(),
            Some(code.as_str())
        );
        click_at(&mut m, "Next", NOW);

        let fx = click_at(&mut m, "Confirm", NOW);
        let [
            Effect::AcceptInvitation {
                req,
                invitation_code,
            },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(invitation_code, &code);
        let v = view(&m);
        assert!(!enabled(&v, "Confirm") && !enabled(&v, "< Previous"));
        assert!(v.text_content().contains("Accepting the invitation…"));

        let e = ApiError::Status {
            status: 502,
            message: "The initiating instance could not be reached".into(),
            detail: "http://127.0.0.1:8081 refused the connection.".into(),
        };
        let fx = update(
            &mut m,
            Msg::Accept(A::Answered {
                req: *req,
                result: Err(e),
            }),
        );
        assert_eq!(fx, vec![Effect::Focus(ids::CONFIRM)]);
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("The initiating instance could not be reached"));
        assert!(t.contains("http://127.0.0.1:8081 refused the connection."));
        assert!(
            v.elements()
                .iter()
                .any(|e| e.get_attr("role") == Some("alert")
                    && e.text_content().contains("could not be reached"))
        );
        assert!(enabled(&v, "Confirm"), "the same code can be tried again");

        let fx = click_at(&mut m, "Confirm", NOW);
        let [Effect::AcceptInvitation { req, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let mut c = accepted();
        c.name = XSS.into();
        update(
            &mut m,
            Msg::Accept(A::Answered {
                req: *req,
                result: Ok(c),
            }),
        );
        let v = view(&m);
        assert_eq!(
            v.by_id("sl-step-title").unwrap().text_content(),
            "The connection is Active."
        );
        assert_eq!(
            terms(&v),
            [
                ("Connection name", XSS),
                ("Local instance short name", "company_b"),
                ("Remote instance short name", "company_a"),
                ("Status", "Active"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert!(v.button("Cancel").is_none());
        assert!(enabled(&v, "Go to rules"));
        assert_eq!(
            click(&mut m, "Done"),
            vec![Effect::LoadConnections, Effect::Focus(ids::ACCEPT)]
        );
        assert!(view(&m).by_id("sl-dialog").is_none());
        assert_eq!(m.connections, Load::Loading);
        update(&mut m, Msg::ConnectionsLoaded(Ok(vec![accepted()])));
        let v = view(&m);
        let row: Vec<String> = v
            .elements()
            .iter()
            .filter(|e| e.tag == "td")
            .map(|e| e.text_content())
            .collect();
        assert_eq!(row[5], "Active");
        assert_eq!(row[3], "http://127.0.0.1:8081");
    }

    #[test]
    fn go_to_rules_once_accepted_opens_the_rules_tab() {
        use crate::accept::tests::{NOW, accepted, invitation};
        use crate::page::Tab;
        let mut m = loaded();
        click(&mut m, "Accept invitation");
        assert!(view(&m).button("Go to rules").is_none());
        paste(&mut m, &invitation().encode(), NOW);
        click_at(&mut m, "Next", NOW);
        assert!(view(&m).button("Go to rules").is_none());
        let fx = click_at(&mut m, "Confirm", NOW);
        let [Effect::AcceptInvitation { req, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        update(
            &mut m,
            Msg::Accept(A::Answered {
                req: *req,
                result: Ok(accepted()),
            }),
        );
        let v = view(&m);
        assert_eq!(
            v.by_id("sl-step-title").unwrap().text_content(),
            "The connection is Active."
        );
        assert!(enabled(&v, "Go to rules") && enabled(&v, "Done"));

        let fx = click(&mut m, "Go to rules");
        let id = accepted().id;
        let p = m.page.as_ref().expect("the connection page");
        assert_eq!((p.id.as_str(), p.tab), (id.as_str(), Tab::Rules));
        assert_eq!(p.conn.loaded(), Some(&accepted()));
        assert!(m.accept.is_none(), "the dialog closed");
        let [
            Effect::SetHash(hash),
            Effect::LoadConnection { id: load, .. },
            Effect::Focus(ids::BACK),
            Effect::LoadRules { req, id: rules },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(hash, &format!("#connection/{id}"));
        assert_eq!((load, rules), (&id, &id));
        let r = p.rules.as_ref().expect("the Rules tab");
        assert_eq!((r.req, &r.rules), (*req, &Load::Loading));
        let v = view(&m);
        assert!(v.by_id("sl-dialog").is_none());
        let selected: Vec<String> = v
            .elements()
            .iter()
            .filter(|e| e.get_attr("aria-selected") == Some("true"))
            .map(|e| e.text_content())
            .collect();
        assert_eq!(selected, ["Rules"]);
        // The browser reports the new hash: nothing more happens.
        assert!(update(&mut m, Msg::Route(hash.clone())).is_empty());
    }

    #[test]
    fn the_invitation_code_of_a_pending_connection() {
        let mut m = loaded();
        let mut c = connection("a_to_b", None, Status::Pending);
        c.remote_short_name = XSS.into();
        update(&mut m, Msg::ConnectionsLoaded(Ok(vec![c])));
        let fx = click(&mut m, "Show invitation code");
        let [
            Effect::LoadInvitation { req, connection_id },
            Effect::Focus(ids::CLOSE),
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(connection_id, &"ab".repeat(16));
        let v = view(&m);
        assert_eq!(
            v.by_id("sl-dialog-title").unwrap().text_content(),
            "Invitation code"
        );
        assert_eq!(
            v.by_id("sl-dialog").unwrap().get_attr("aria-modal"),
            Some("true")
        );
        assert!(v.text_content().contains("Loading the invitation code…"));
        assert!(enabled(&v, "Close"));

        let fx = update(
            &mut m,
            Msg::CodeLoaded {
                req: *req,
                result: Ok(InvitationCode {
                    invitation_code: "AQAB-code_x".into(),
                }),
            },
        );
        assert_eq!(fx, vec![Effect::Focus(ids::CODE)]);
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains(&format!(
            "On the “{XSS}” side, you (or their application administrator) need to Accept the invitation."
        )));
        assert!(t.contains("Use the following invitation code:"));
        assert!(v.elements().iter().all(|e| e.tag != "img"));
        let code = labelled(&v, "Invitation code");
        assert_eq!(
            (code.tag, code.value.as_deref()),
            ("textarea", Some("AQAB-code_x"))
        );
        assert!(code.has_attr("readonly"));
        assert_eq!(
            click(&mut m, "Copy invitation code"),
            vec![Effect::Copy("AQAB-code_x".into())]
        );
        assert_eq!(
            update(&mut m, Msg::Copied(false)),
            vec![Effect::Select(ids::CODE)]
        );
        assert!(view(&m).text_content().contains("Press Ctrl+C to copy"));
        let esc = EventData {
            key: "Escape".into(),
            ..Default::default()
        };
        assert_eq!(
            view(&m)
                .by_id("sl-dialog")
                .unwrap()
                .handle(Event::KeyDown, &esc),
            Some(Msg::CloseCode)
        );
        assert_eq!(
            click(&mut m, "Close"),
            vec![Effect::FocusId(
                "sl-show-abababababababababababababababab".into()
            )]
        );
        assert!(m.show_code.is_none());

        // Accepted meanwhile: the node says so.
        let fx = click(&mut m, "Show invitation code");
        let [Effect::LoadInvitation { req, .. }, _] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let e = ApiError::Status {
            status: 409,
            message: "No invitation to show".into(),
            detail: "The connection is Active; its code is no longer shown.".into(),
        };
        update(
            &mut m,
            Msg::CodeLoaded {
                req: *req,
                result: Err(e),
            },
        );
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("No invitation to show"));
        assert!(t.contains("The connection is Active; its code is no longer shown."));
        assert!(v.button("Copy invitation code").is_none());
        assert!(v.by_id(ids::CODE).is_none());
    }

    #[test]
    fn blocked_initiate_says_why() {
        let (mut m, _) = Model::init();
        let v = view(&m);
        assert!(v.text_content().contains("Loading connections…"));
        assert!(!enabled(&v, "Initiate connection"));
        let mut i = instance(&[
            "This instance is not public: http://127.0.0.1:8081 did not answer as itself.",
        ]);
        i.public.ok = false;
        i.public.message = "It did not answer as itself.".into();
        update(&mut m, Msg::InstanceLoaded(Ok(i)));
        let v = view(&m);
        assert!(!enabled(&v, "Initiate connection"));
        let t = v.text_content();
        assert!(t.contains(
            "This instance is not public: http://127.0.0.1:8081 did not answer as itself."
        ));
        assert!(t.contains("Public URL: http://127.0.0.1:8081 ✗ It did not answer as itself."));
        assert_eq!(
            v.button("Initiate connection")
                .unwrap()
                .get_attr("aria-describedby"),
            Some("sl-initiate-blocked")
        );
    }

    #[test]
    fn error_state_with_retry() {
        let (mut m, _) = Model::init();
        update(&mut m, Msg::InstanceLoaded(Ok(instance(&[]))));
        let e = ApiError::Status {
            status: 500,
            message: "Database locked".into(),
            detail: "Try again.".into(),
        };
        update(&mut m, Msg::ConnectionsLoaded(Err(e)));
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("The connections could not be loaded."));
        assert!(t.contains("Database locked"));
        assert!(t.contains("Try again."));
        assert_eq!(click(&mut m, "Retry"), vec![Effect::LoadConnections]);
        assert!(view(&m).button("Retry").is_none());
    }

    #[test]
    fn session_end_is_said() {
        let (mut m, _) = Model::init();
        update(&mut m, Msg::ConnectionsLoaded(Err(ApiError::SessionEnded)));
        let t = view(&m).text_content();
        assert!(t.contains("Your session has ended. Reload the page to sign in again."));
    }

    #[test]
    fn typed_and_remote_strings_stay_text() {
        let mut m = loaded();
        let mut c = connection(XSS, Some("http://127.0.0.1:8082"), Status::Pending);
        c.remote_short_name = XSS.into();
        update(&mut m, Msg::ConnectionsLoaded(Ok(vec![c])));
        click(&mut m, "Initiate connection");
        type_into(&mut m, "Destination Instance URL", XSS);
        let v = view(&m);
        assert!(v.elements().iter().all(|e| e.tag != "img"));
        let texts = collect_texts(&v);
        assert!(
            texts.iter().filter(|t| t.as_str() == XSS).count() >= 2,
            "{texts:?}"
        );
        assert_eq!(
            labelled(&v, "Destination Instance URL").value.as_deref(),
            Some(XSS)
        );
    }

    pub(crate) fn collect_texts(n: &Node<Msg>) -> Vec<String> {
        match n {
            Node::Text(t) => vec![t.clone()],
            Node::Element(e) => e.children.iter().flat_map(collect_texts).collect(),
        }
    }

    fn probe_answer() -> ProbeResult {
        use synclink_core::api::RemoteInstance;
        use synclink_core::modes::{Destination, suggest};
        use synclink_core::{LicenseKind, Platform};
        ProbeResult {
            url: "http://127.0.0.1:8082".into(),
            reachable: true,
            remote: Some(RemoteInstance {
                instance_name: XSS.into(),
                platform: Platform::Jira,
                version: "0.1.0".into(),
            }),
            message: format!("{XSS} answered: a Jira instance running synclink 0.1.0."),
            modes: suggest(
                Platform::ServiceNow,
                LicenseKind::Trial,
                Destination::Synclink {
                    platform: Platform::Jira,
                    modes: Platform::Jira.supported_modes(),
                },
            ),
        }
    }

    #[test]
    fn the_wizard_step_by_step() {
        let mut m = loaded();
        click(&mut m, "Initiate connection");
        update(&mut m, Msg::Wizard(W::IdempotencyKey("k".into())));
        let v = view(&m);
        let dialog = v.by_id("sl-dialog").unwrap();
        assert_eq!(dialog.get_attr("role"), Some("dialog"));
        assert_eq!(dialog.get_attr("aria-modal"), Some("true"));
        let esc = EventData {
            key: "Escape".into(),
            ..Default::default()
        };
        assert_eq!(dialog.handle(Event::KeyDown, &esc), Some(Msg::CloseWizard));
        let t = v.text_content();
        assert!(t.contains("Initiate connection"));
        assert!(t.contains(URL_HELP));
        assert_eq!(
            labels(&v),
            ["Destination Instance URL", "I don't have a URL"]
        );
        assert!(v.by_id("sl-url-error").is_none(), "untouched: no message");
        assert!(!enabled(&v, "Next"));
        assert!(v.button("< Previous").is_none());
        assert!(
            v.elements()
                .iter()
                .find(|e| e.tag == "div" && e.get_attr("class") == Some("sl-page"))
                .unwrap()
                .has_attr("inert")
        );

        type_into(&mut m, "Destination Instance URL", "ftp://x");
        let v = view(&m);
        let url = labelled(&v, "Destination Instance URL");
        assert_eq!(url.get_attr("aria-invalid"), Some("true"));
        assert_eq!(
            url.get_attr("aria-describedby"),
            Some("sl-url-hint sl-url-error")
        );
        assert_eq!(
            v.by_id("sl-url-error").unwrap().text_content(),
            "The URL must start with http:// or https://."
        );
        assert!(!enabled(&v, "Next"));

        type_into(&mut m, "Destination Instance URL", "http://127.0.0.1:8082");
        assert!(enabled(&view(&m), "Next"));
        let fx = click(&mut m, "Next");
        let [Effect::Probe { req, .. }, _] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let v = view(&m);
        assert!(v.text_content().contains("Checking http://127.0.0.1:8082…"));
        assert!(!enabled(&v, "Next"));
        assert_eq!(
            v.elements()
                .iter()
                .filter(|e| e.tag == "button" && e.text_content() == "Cancel")
                .count(),
            1
        );

        update(
            &mut m,
            Msg::Wizard(W::ProbeAnswered {
                req: *req,
                result: Ok(probe_answer()),
            }),
        );
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("Configuration Mode"));
        assert!(t.contains(MODES_HELP));
        assert!(t.contains(&format!("{XSS} answered")));
        assert_eq!(labels(&v), ["Basic", "Visual", "Script"]);
        for mode in Mode::ALL {
            assert!(t.contains(mode.blurb()));
        }
        let visual = labelled(&v, "Visual");
        assert!(visual.has_attr("disabled"));
        assert!(t.contains("ServiceNow does not support Visual mode."));
        assert_eq!(labelled(&v, "Script").checked, Some(true));
        assert_eq!(labelled(&v, "Basic").checked, Some(false));
        assert!(enabled(&v, "< Previous") && enabled(&v, "Next"));
        assert!(v.elements().iter().all(|e| e.tag != "img"));

        click(&mut m, "Next");
        let v = view(&m);
        assert!(v.text_content().contains("Connection information"));
        assert_eq!(
            labels(&v),
            [
                "Local instance short name*",
                "Remote instance short name*",
                "Connection name*",
                "Description"
            ]
        );
        assert_eq!(
            labelled(&v, "Local instance short name*").value.as_deref(),
            Some("company_a")
        );
        assert_eq!(
            labelled(&v, "Remote instance short name*").value.as_deref(),
            Some(validate::suggest_short_name(XSS).as_str())
        );
        assert_eq!(labelled(&v, "Description").tag, "textarea");
        let help = v
            .elements()
            .into_iter()
            .find(|e| e.get_attr("class") == Some("sl-help"))
            .unwrap();
        assert_eq!(
            (help.text_content().as_str(), help.get_attr("title")),
            ("?", Some(REMOTE_HELP))
        );
        assert!(v.text_content().contains(REMOTE_HELP));

        type_into(&mut m, "Remote instance short name*", "1b");
        let v = view(&m);
        assert_eq!(
            v.by_id("sl-remote-error").unwrap().text_content(),
            "Start with a letter."
        );
        assert_eq!(
            labelled(&v, "Connection name*").value.as_deref(),
            Some("company_a_to_1b")
        );
        assert!(!enabled(&v, "Next"));
        type_into(&mut m, "Remote instance short name*", "company_b");
        let fx = click(&mut m, "Next");
        let [Effect::Create { req, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let v = view(&m);
        assert!(!enabled(&v, "Next") && !enabled(&v, "< Previous"));
        assert!(v.text_content().contains("Creating the connection…"));

        let e = ApiError::Status {
            status: 400,
            message: "Invalid".into(),
            detail: XSS.into(),
        };
        update(
            &mut m,
            Msg::Wizard(W::Created {
                req: *req,
                result: Err(e),
            }),
        );
        let v = view(&m);
        assert!(collect_texts(&v).contains(&XSS.to_string()));
        assert_eq!(
            labelled(&v, "Remote instance short name*").value.as_deref(),
            Some("company_b")
        );

        let fx = click(&mut m, "Next");
        let [Effect::Create { req, body, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let mut c = connection(&body.name, body.remote_url.as_deref(), Status::Pending);
        c.remote_short_name = XSS.into();
        let created = CreatedConnection {
            connection: c,
            invitation_code: "AQAB-code_x".into(),
        };
        update(
            &mut m,
            Msg::Wizard(W::Created {
                req: *req,
                result: Ok(created),
            }),
        );
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains(&format!(
            "On the “{XSS}” side, you (or their application administrator) need to Accept the invitation."
        )));
        assert_eq!(
            v.elements()
                .iter()
                .find(|e| e.tag == "strong")
                .unwrap()
                .text_content(),
            "Accept the invitation"
        );
        assert!(t.contains("Use the following invitation code:"));
        let code = labelled(&v, "Invitation code");
        assert_eq!(
            (code.tag, code.value.as_deref()),
            ("textarea", Some("AQAB-code_x"))
        );
        assert!(code.has_attr("readonly"));
        let go = v.elements().into_iter().find(|e| e.tag == "a").unwrap();
        assert_eq!(go.text_content(), "Go to remote");
        assert_eq!(go.get_attr("href"), Some("http://127.0.0.1:8082"));
        assert_eq!(go.get_attr("target"), Some("_blank"));
        assert_eq!(go.get_attr("rel"), Some("noopener"));
        assert!(v.elements().iter().all(|e| e.tag != "img"));

        assert_eq!(
            click(&mut m, "Copy invitation code"),
            vec![Effect::Copy("AQAB-code_x".into())]
        );
        update(&mut m, Msg::Copied(false));
        assert!(view(&m).text_content().contains("Press Ctrl+C to copy"));
        click(&mut m, "Copy invitation code");
        update(&mut m, Msg::Copied(true));
        assert!(view(&m).text_content().contains("Copied"));

        assert_eq!(
            click(&mut m, "Done"),
            vec![Effect::LoadConnections, Effect::Focus(ids::INITIATE)]
        );
        assert!(view(&m).by_id("sl-dialog").is_none());
    }

    #[test]
    fn private_remote_has_no_link_and_a_failed_probe_explains() {
        let mut m = loaded();
        click(&mut m, "Initiate connection");
        update(&mut m, Msg::Wizard(W::IdempotencyKey("k".into())));
        let v = view(&m);
        let msg = labelled(&v, "I don't have a URL")
            .handle(
                Event::Change,
                &EventData {
                    checked: true,
                    ..Default::default()
                },
            )
            .unwrap();
        update(&mut m, msg);
        let v = view(&m);
        assert!(labelled(&v, "Destination Instance URL").has_attr("disabled"));
        assert!(enabled(&v, "Next"));
        click(&mut m, "Next");
        assert!(
            view(&m)
                .text_content()
                .contains("Without a URL, the other side accepts the invitation")
        );
        click(&mut m, "< Previous");
        update(&mut m, Msg::Wizard(W::NoUrl(false)));
        type_into(&mut m, "Destination Instance URL", "http://10.0.0.1");
        let fx = click(&mut m, "Next");
        let [Effect::Probe { req, .. }, _] = fx.as_slice() else {
            panic!()
        };
        let e = ApiError::Unreachable("Failed to fetch".into());
        update(
            &mut m,
            Msg::Wizard(W::ProbeAnswered {
                req: *req,
                result: Err(e),
            }),
        );
        let v = view(&m);
        let t = v.text_content();
        assert!(t.contains("synclink could not be reached."));
        assert!(t.contains("Failed to fetch"));
        assert!(t.contains("You can go on in Script mode"));
        assert!(enabled(&v, "Next"));
        assert!(labelled(&v, "Basic").has_attr("disabled"));

        // On to the invitation of a private remote.
        let mut m = loaded();
        click(&mut m, "Initiate connection");
        update(&mut m, Msg::Wizard(W::IdempotencyKey("k".into())));
        update(&mut m, Msg::Wizard(W::NoUrl(true)));
        click(&mut m, "Next");
        click(&mut m, "Next");
        assert!(
            view(&m)
                .text_content()
                .contains("Fill in the fields marked * to go on.")
        );
        type_into(&mut m, "Remote instance short name*", "company_b");
        let fx = click(&mut m, "Next");
        let [Effect::Create { req, .. }] = fx.as_slice() else {
            panic!()
        };
        let created = CreatedConnection {
            connection: connection("x", None, Status::Pending),
            invitation_code: "c".into(),
        };
        update(
            &mut m,
            Msg::Wizard(W::Created {
                req: *req,
                result: Ok(created),
            }),
        );
        let v = view(&m);
        assert!(v.elements().iter().all(|e| e.tag != "a"));
        assert!(v.text_content().contains("no destination URL"));
    }

    #[test]
    fn a_non_http_remote_url_never_becomes_a_link() {
        let mut m = loaded();
        click(&mut m, "Initiate connection");
        let w = m.wizard.as_mut().unwrap();
        w.step = Step::Invitation;
        w.created = Some(CreatedConnection {
            connection: connection("x", Some("javascript:alert(1)"), Status::Pending),
            invitation_code: "c".into(),
        });
        assert!(view(&m).elements().iter().all(|e| e.tag != "a"));
    }
}
