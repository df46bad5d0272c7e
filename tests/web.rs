//! The widget in headless Chromium: mounted into a fresh element, clicked with
//! `HtmlElement::click()`, typed into with `input` events, and read back from its shadow DOM.
//!
//! There is no node here: every API call fails (the API base points at a closed loopback port).
//! Tests that need data wait for those failures first, then feed "loaded" messages through the
//! runtime's test hook (`Handle::dispatch`).

#![cfg(target_arch = "wasm32")]

use synclink::app::{Load, Msg};
use synclink::runtime::{self, Handle};
use synclink::{accept, wizard};
use synclink_core::api::{
    Connection, CreatedConnection, InstanceStatus, InvitationCode, License, ModeOption,
    ProbeResult, PublicCheck, RemoteInstance,
};
use synclink_core::invitation::Invitation;
use synclink_core::{LicenseKind, Mode, Platform, Status};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlButtonElement, HtmlInputElement, HtmlTextAreaElement,
    KeyboardEvent, KeyboardEventInit, ShadowRoot,
};

wasm_bindgen_test_configure!(run_in_browser);

const XSS: &str = "<img src=x onerror=alert(1)>";
/// Nothing listens on the discard port: every call fails fast as unreachable.
const DEAD_API: &str = "http://127.0.0.1:9/api/x_synclink/v1";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn fresh_host() -> Element {
    host_with_api(DEAD_API)
}

fn host_with_api(api: &str) -> Element {
    // A connection page left open by an earlier test is not this widget's start.
    set_hash("");
    let host = document().create_element("div").unwrap();
    host.set_attribute("id", "synclink-root").unwrap();
    host.set_attribute("data-api-base", api).unwrap();
    host.set_attribute("data-stylesheet", "/assets/widget.css")
        .unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Waits up to 5 s for `cond`.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..100 {
        if cond() {
            return;
        }
        sleep(50).await;
    }
    panic!("timed out waiting for {what}");
}

fn text(sr: &ShadowRoot) -> String {
    sr.text_content().unwrap_or_default()
}

fn all(sr: &ShadowRoot, selector: &str) -> Vec<Element> {
    let list = sr.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

fn find_button(sr: &ShadowRoot, label: &str) -> Option<HtmlButtonElement> {
    all(sr, "button")
        .into_iter()
        .find(|b| b.text_content().as_deref() == Some(label))
        .map(|b| b.dyn_into().unwrap())
}

fn button(sr: &ShadowRoot, label: &str) -> HtmlButtonElement {
    let b =
        find_button(sr, label).unwrap_or_else(|| panic!("no button {label:?} in {:?}", text(sr)));
    assert_eq!(b.type_(), "button");
    b
}

/// The control that the `<label for>` with exactly this text names.
fn control(sr: &ShadowRoot, label: &str) -> Element {
    let l = all(sr, "label")
        .into_iter()
        .find(|l| l.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no label {label:?}"));
    sr.get_element_by_id(&l.get_attribute("for").unwrap())
        .unwrap()
}

fn input(sr: &ShadowRoot, label: &str) -> HtmlInputElement {
    control(sr, label).dyn_into().unwrap()
}

fn fire(target: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let e = Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

/// Types as a person does: the value changes, then `input` fires.
fn type_into(sr: &ShadowRoot, label: &str, value: &str) {
    let el = control(sr, label);
    match el.dyn_ref::<HtmlInputElement>() {
        Some(i) => i.set_value(value),
        None => el
            .dyn_ref::<HtmlTextAreaElement>()
            .unwrap()
            .set_value(value),
    }
    fire(&el, "input");
}

fn press(target: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_composed(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

fn active_id(sr: &ShadowRoot) -> String {
    sr.active_element().map(|e| e.id()).unwrap_or_default()
}

fn instance() -> InstanceStatus {
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
        initiate_blocked: vec![],
    }
}

fn connection(name: &str, remote_url: Option<&str>) -> Connection {
    Connection {
        id: "ab".repeat(16),
        name: name.into(),
        description: String::new(),
        local_short_name: "company_a".into(),
        remote_short_name: "company_b".into(),
        remote_url: remote_url.map(Into::into),
        remote_platform: Some(Platform::Jira),
        mode: Mode::Script,
        status: Status::Pending,
        initiated_here: true,
        created_at: 1_795_849_355,
        updated_at: 1_795_849_355,
    }
}

/// A mounted widget whose own loads have failed, then fed the given data.
async fn loaded(connections: Vec<Connection>) -> (Handle, ShadowRoot) {
    loaded_with_api(DEAD_API, connections).await
}

async fn loaded_with_api(api: &str, connections: Vec<Connection>) -> (Handle, ShadowRoot) {
    let h = runtime::mount(host_with_api(api)).unwrap();
    let sr = h.shadow_root();
    until("the real loads to fail", || {
        find_button(&sr, "Retry").is_some()
    })
    .await;
    h.dispatch(Msg::InstanceLoaded(Ok(instance())));
    h.dispatch(Msg::ConnectionsLoaded(Ok(connections)));
    assert!(find_button(&sr, "Retry").is_none());
    (h, sr)
}

#[wasm_bindgen_test]
async fn mounts_in_an_open_shadow_root_and_shows_an_unreachable_api_with_retry() {
    let host = fresh_host();
    synclink::mount(host.clone()).unwrap();
    let sr = host.shadow_root().expect("an open shadow root");
    let link = sr.query_selector("link").unwrap().unwrap();
    assert_eq!(link.get_attribute("rel").as_deref(), Some("stylesheet"));
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/assets/widget.css")
    );
    assert!(text(&sr).contains("Loading connections…"));
    assert_eq!(
        all(&sr, "h1")[0].text_content().as_deref(),
        Some("Connections")
    );

    until("the error state", || find_button(&sr, "Retry").is_some()).await;
    let t = text(&sr);
    assert!(t.contains("The connections could not be loaded."), "{t}");
    assert!(
        t.contains(
            "synclink could not be reached. Check that this instance is running, then try again."
        ),
        "{t}"
    );
    assert!(button(&sr, "Initiate connection").disabled());
    assert!(!all(&sr, "[role=alert]").is_empty());

    button(&sr, "Retry").click();
    assert!(text(&sr).contains("Loading connections…"));
    assert!(find_button(&sr, "Retry").is_none());
    until("the error state again", || {
        find_button(&sr, "Retry").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_page_shows_preconditions_and_connections_as_text() {
    let (_h, sr) = loaded(vec![
        connection(XSS, None),
        connection("b", Some("http://127.0.0.1:8082")),
    ])
    .await;
    let t = text(&sr);
    assert!(t.contains("Public URL: http://127.0.0.1:8081 ✓"), "{t}");
    assert!(t.contains("Licence: Trial, 29 days left"), "{t}");
    let heads: Vec<String> = all(&sr, "th")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        heads,
        [
            "Name",
            "Local short name",
            "Remote short name",
            "Destination",
            "Mode",
            "Status",
            "Created",
            "Actions"
        ]
    );
    let cells: Vec<String> = all(&sr, "tbody tr:first-child td")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        cells,
        [
            XSS,
            "company_a",
            "company_b",
            "Unknown (private)",
            "Script",
            "Pending",
            "2026-11-28 07:02 UTC",
            "Show invitation code"
        ]
    );
    assert!(all(&sr, "img").is_empty(), "the name stays text");
    assert!(!button(&sr, "Initiate connection").disabled());
    assert!(!button(&sr, "Accept invitation").disabled());
    assert!(!t.contains("Coming soon"));
}

#[wasm_bindgen_test]
async fn typing_validates_without_losing_focus_and_esc_closes() {
    let (h, sr) = loaded(vec![]).await;
    assert!(text(&sr).contains("No connections yet."));
    button(&sr, "Initiate connection").click();
    let dialog = sr
        .query_selector("[role=dialog]")
        .unwrap()
        .expect("the dialog");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert!(text(&sr).contains(
        "The Destination Instance URL is the link to the instance you want to set up a connection with."
    ));
    assert_eq!(active_id(&sr), "sl-url", "focus is on the first field");
    let url = input(&sr, "Destination Instance URL");
    assert!(
        sr.get_element_by_id("sl-url-error").is_none(),
        "untouched: no message"
    );
    assert!(button(&sr, "Next").disabled());

    type_into(&sr, "Destination Instance URL", "ftp://x");
    let err = sr.get_element_by_id("sl-url-error").expect("a message");
    assert_eq!(
        err.text_content().as_deref(),
        Some("The URL must start with http:// or https://.")
    );
    assert_eq!(url.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(
        url.get_attribute("aria-describedby")
            .unwrap()
            .contains("sl-url-error")
    );
    assert!(button(&sr, "Next").disabled());

    type_into(&sr, "Destination Instance URL", "http://127.0.0.1:8082");
    // Typing in the middle: the caret stays where the person typed.
    url.set_value("http://127.0.0.1:80828");
    url.set_selection_range(9, 9).unwrap();
    fire(&url, "input");
    assert_eq!(
        url.selection_start().unwrap(),
        Some(9),
        "the caret is not moved by a re-render"
    );
    assert!(
        sr.get_element_by_id("sl-url-error").is_some(),
        "port 80828 is refused"
    );
    url.set_value("http://127.0.0.1:8082");
    fire(&url, "input");
    assert!(sr.get_element_by_id("sl-url-error").is_none());
    assert!(!button(&sr, "Next").disabled());
    let same = input(&sr, "Destination Instance URL");
    assert!(
        same.is_same_node(Some(&url)),
        "the field is patched, not replaced"
    );
    assert_eq!(active_id(&sr), "sl-url", "and keeps its focus");
    assert_eq!(same.value(), "http://127.0.0.1:8082");

    // A value cleared without an `input` event (as WebDriver's clear does) is not put back.
    url.set_value("");
    fire(&url, "change");
    fire(&url, "focusout");
    assert_eq!(url.value(), "");
    assert!(h.with_model(|m| m.wizard.as_ref().unwrap().url.value.is_empty()));
    assert_eq!(
        sr.get_element_by_id("sl-url-error")
            .and_then(|e| e.text_content())
            .as_deref(),
        Some("Enter the destination instance URL.")
    );
    type_into(&sr, "Destination Instance URL", "http://127.0.0.1:8082");

    // I don't have a URL: the field is cleared and disabled.
    input(&sr, "I don't have a URL").click();
    assert!(url.disabled());
    assert_eq!(url.value(), "");
    assert!(!button(&sr, "Next").disabled());
    button(&sr, "Next").click();
    let t = text(&sr);
    assert!(t.contains("Configuration Mode"));
    assert!(t.contains(
        "synclink suggests available Configuration Modes based on the destination instance."
    ));
    assert!(input(&sr, "Script").checked());
    assert!(input(&sr, "Basic").disabled());
    assert!(t.contains(
        "Basic mode needs a destination URL; without one, only Script mode is possible."
    ));
    assert_eq!(active_id(&sr), "sl-mode-script");

    button(&sr, "Next").click();
    assert_eq!(active_id(&sr), "sl-local");
    assert_eq!(
        input(&sr, "Local instance short name*").value(),
        "company_a"
    );
    assert!(
        button(&sr, "Next").disabled(),
        "the remote short name is still empty"
    );
    type_into(&sr, "Remote instance short name*", XSS);
    let e = sr.get_element_by_id("sl-remote-error").unwrap();
    assert_eq!(e.text_content().as_deref(), Some("Start with a letter."));
    assert_eq!(
        input(&sr, "Connection name*").value(),
        format!("company_a_to_{XSS}")
    );
    assert!(all(&sr, "img").is_empty());
    assert!(
        control(&sr, "Description")
            .dyn_ref::<HtmlTextAreaElement>()
            .is_some()
    );

    press(&control(&sr, "Connection name*"), "Escape");
    assert!(
        sr.query_selector("[role=dialog]").unwrap().is_none(),
        "Esc closes the wizard"
    );
    assert!(h.with_model(|m| m.wizard.is_none()));
    assert_eq!(active_id(&sr), "sl-initiate");
}

#[wasm_bindgen_test]
async fn a_cancelled_probe_returns_to_editing_and_a_failed_one_offers_script() {
    let (h, sr) = loaded(vec![]).await;
    button(&sr, "Initiate connection").click();
    type_into(&sr, "Destination Instance URL", "http://127.0.0.1:8082");
    button(&sr, "Next").click();
    assert!(text(&sr).contains("Checking http://127.0.0.1:8082…"));
    assert!(button(&sr, "Next").disabled());
    button(&sr, "Cancel").click();
    assert!(!text(&sr).contains("Checking"));
    assert!(
        h.with_model(|m| m.wizard.is_some()),
        "Cancel of the check keeps the wizard"
    );
    assert!(!button(&sr, "Next").disabled());
    // The aborted request's answer, whenever it comes, changes nothing.
    sleep(300).await;
    assert!(find_button(&sr, "< Previous").is_none());
    assert_eq!(
        input(&sr, "Destination Instance URL").value(),
        "http://127.0.0.1:8082"
    );

    // Now let the probe fail for real: the node cannot be reached.
    button(&sr, "Next").click();
    until("the mode step", || find_button(&sr, "< Previous").is_some()).await;
    let t = text(&sr);
    assert!(t.contains("synclink could not be reached."), "{t}");
    assert!(t.contains("You can go on in Script mode"), "{t}");
    assert!(input(&sr, "Script").checked());
    assert!(!button(&sr, "Next").disabled());
}

fn probe_answer() -> ProbeResult {
    let opt = |mode, available, reason: Option<&str>| ModeOption {
        mode,
        available,
        reason: reason.map(Into::into),
    };
    ProbeResult {
        url: "http://127.0.0.1:8082".into(),
        reachable: true,
        remote: Some(RemoteInstance {
            instance_name: "Company B".into(),
            platform: Platform::Jira,
            version: "0.1.0".into(),
        }),
        message: "Company B answered: a Jira instance running synclink 0.1.0.".into(),
        modes: vec![
            opt(Mode::Basic, true, None),
            opt(
                Mode::Visual,
                false,
                Some("ServiceNow does not support Visual mode."),
            ),
            opt(Mode::Script, true, None),
        ],
    }
}

#[wasm_bindgen_test]
async fn the_invitation_step_falls_back_to_select_and_ctrl_c() {
    let (h, sr) = loaded(vec![]).await;
    button(&sr, "Initiate connection").click();
    type_into(&sr, "Destination Instance URL", "http://127.0.0.1:8082");
    button(&sr, "Next").click();
    // Answer the probe before the real (failing) one can.
    let req = h.with_model(|m| m.wizard.as_ref().unwrap().probing.as_ref().unwrap().0);
    h.dispatch(Msg::Wizard(wizard::Msg::ProbeAnswered {
        req,
        result: Ok(probe_answer()),
    }));
    assert!(text(&sr).contains("Company B answered: a Jira instance running synclink 0.1.0."));
    assert!(text(&sr).contains("ServiceNow does not support Visual mode."));
    assert!(input(&sr, "Visual").disabled());
    input(&sr, "Basic").click();
    assert_eq!(
        h.with_model(|m| m.wizard.as_ref().unwrap().mode),
        Some(Mode::Basic)
    );
    input(&sr, "Script").click();

    button(&sr, "Next").click();
    assert_eq!(
        input(&sr, "Remote instance short name*").value(),
        "company_b"
    );
    assert_eq!(
        input(&sr, "Connection name*").value(),
        "company_a_to_company_b"
    );
    let next = button(&sr, "Next");
    next.click();
    next.click();
    let (req, key) = h.with_model(|m| {
        let w = m.wizard.as_ref().unwrap();
        (w.creating.unwrap(), w.idempotency_key.clone().unwrap())
    });
    assert_eq!(key.len(), 32, "128 random bits in hex");
    assert!(
        next.disabled(),
        "Next is disabled while the connection is created"
    );
    let code = "AQAXaHR0cDovLzEyNy4wLjAuMTo4MDgxAAljb21wYW55X2E".repeat(3);
    let created = CreatedConnection {
        connection: connection("company_a_to_company_b", Some("http://127.0.0.1:8082")),
        invitation_code: code.clone(),
    };
    h.dispatch(Msg::Wizard(wizard::Msg::Created {
        req,
        result: Ok(created),
    }));

    let t = text(&sr);
    assert!(t.contains("On the “company_b” side, you (or their application administrator) need to Accept the invitation."), "{t}");
    assert!(t.contains("Use the following invitation code:"));
    let area: HtmlTextAreaElement = control(&sr, "Invitation code").dyn_into().unwrap();
    assert_eq!(area.value(), code);
    assert!(area.read_only());
    let go = sr.query_selector("a").unwrap().unwrap();
    assert_eq!(go.text_content().as_deref(), Some("Go to remote"));
    assert_eq!(
        go.get_attribute("href").as_deref(),
        Some("http://127.0.0.1:8082")
    );
    assert_eq!(go.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(go.get_attribute("rel").as_deref(), Some("noopener"));

    // A click from script is no user gesture: Chromium refuses the clipboard.
    button(&sr, "Copy invitation code").click();
    until("the fallback", || {
        text(&sr).contains("Press Ctrl+C to copy")
    })
    .await;
    assert!(!text(&sr).contains("Copied"));
    assert_eq!(active_id(&sr), "sl-code");
    assert_eq!(area.selection_start().unwrap(), Some(0));
    assert_eq!(area.selection_end().unwrap(), Some(code.len() as u32));

    button(&sr, "Done").click();
    assert!(sr.query_selector("[role=dialog]").unwrap().is_none());
    assert!(
        text(&sr).contains("Loading connections…"),
        "Done reloads the list"
    );
    h.dispatch(Msg::ConnectionsLoaded(Ok(vec![connection(
        "company_a_to_company_b",
        Some("http://127.0.0.1:8082"),
    )])));
    let status: Vec<String> = all(&sr, "tbody td:nth-child(6)")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(status, ["Pending"]);
}

#[wasm_bindgen_test]
async fn a_failed_create_keeps_every_field() {
    let (h, sr) = loaded(vec![]).await;
    button(&sr, "Initiate connection").click();
    input(&sr, "I don't have a URL").click();
    button(&sr, "Next").click();
    button(&sr, "Next").click();
    type_into(&sr, "Remote instance short name*", "company_b");
    type_into(&sr, "Description", "Incidents both ways");
    let key = h.with_model(|m| m.wizard.as_ref().unwrap().idempotency_key.clone());
    button(&sr, "Next").click();
    // The real request fails: the node is unreachable.
    until("the create error", || {
        text(&sr).contains("synclink could not be reached.")
    })
    .await;
    assert_eq!(
        input(&sr, "Remote instance short name*").value(),
        "company_b"
    );
    let area: HtmlTextAreaElement = control(&sr, "Description").dyn_into().unwrap();
    assert_eq!(area.value(), "Incidents both ways");
    assert!(!button(&sr, "Next").disabled());
    assert!(!button(&sr, "< Previous").disabled());
    assert_eq!(
        h.with_model(|m| m.wizard.as_ref().unwrap().idempotency_key.clone()),
        key
    );
}

/// Now, in Unix seconds, as the widget reads it.
fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// A code made by core, as the initiating node makes it.
fn code(connection_name: &str, expires_at: u64) -> String {
    Invitation {
        initiator_url: "http://127.0.0.1:8081".into(),
        initiator_platform: Platform::ServiceNow,
        initiator_short_name: "company_a".into(),
        connection_id: [0xab; 16],
        connection_name: connection_name.into(),
        remote_short_name: "company_b".into(),
        mode: Mode::Script,
        expires_at,
        secret: [7; 32],
    }
    .encode()
}

fn code_error(sr: &ShadowRoot) -> String {
    sr.get_element_by_id("sl-invitation-error")
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn pasted_codes_are_checked_as_typed() {
    let (h, sr) = loaded(vec![]).await;
    button(&sr, "Accept invitation").click();
    let dialog = sr
        .query_selector("[role=dialog]")
        .unwrap()
        .expect("the dialog");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(
        all(&sr, "h2")[0].text_content().as_deref(),
        Some("Accept invitation")
    );
    assert_eq!(active_id(&sr), "sl-invitation", "focus is on the field");
    let field: HtmlTextAreaElement = control(&sr, "Invitation code").dyn_into().unwrap();
    assert_eq!(code_error(&sr), "", "untouched: no message");
    assert!(button(&sr, "Next").disabled());

    let good = code("company_a_to_company_b", now() + 3600);
    type_into(&sr, "Invitation code", &good[..good.len() - 12]);
    assert_eq!(
        code_error(&sr),
        "The invitation code is incomplete: its end is missing. Copy it again in full."
    );
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(button(&sr, "Next").disabled());

    type_into(
        &sr,
        "Invitation code",
        &code("company_a_to_company_b", now() - 60),
    );
    let t = code_error(&sr);
    assert!(t.starts_with("This invitation code expired at "), "{t}");
    assert!(t.ends_with("Ask the other side for a new one."), "{t}");
    assert!(button(&sr, "Next").disabled());

    // As a mail client wraps it: line breaks and indentation do not matter.
    let wrapped = format!("  {}\n  {}\r\n", &good[..40], &good[40..]);
    type_into(&sr, "Invitation code", &wrapped);
    assert_eq!(code_error(&sr), "");
    assert_eq!(
        field.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert!(!button(&sr, "Next").disabled());
    assert!(
        h.with_model(|m| m.accept.as_ref().unwrap().invitation().is_some()),
        "no request was needed to check it"
    );
    button(&sr, "Next").click();
    let terms: Vec<String> = all(&sr, "dt")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    let values: Vec<String> = all(&sr, "dd")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        terms,
        [
            "Initiating instance",
            "Connection name",
            "Local instance short name",
            "Remote instance short name",
            "Configuration Mode",
            "Expires"
        ]
    );
    assert_eq!(values[0], "http://127.0.0.1:8081 (ServiceNow)");
    assert_eq!(
        values[1..5],
        ["company_a_to_company_b", "company_b", "company_a", "Script"]
    );
    assert!(values[5].ends_with(" UTC"), "{values:?}");
    assert_eq!(active_id(&sr), "sl-confirm");

    // Back: the code is still there.
    button(&sr, "< Previous").click();
    assert_eq!(
        control(&sr, "Invitation code")
            .dyn_into::<HtmlTextAreaElement>()
            .unwrap()
            .value(),
        wrapped.replace("\r\n", "\n"),
        "as pasted (a text area keeps line breaks as \\n)"
    );

    press(&control(&sr, "Invitation code"), "Escape");
    assert!(sr.query_selector("[role=dialog]").unwrap().is_none());
    assert_eq!(active_id(&sr), "sl-accept");
}

#[wasm_bindgen_test]
async fn a_remote_connection_name_in_a_code_stays_text() {
    let (_h, sr) = loaded(vec![]).await;
    button(&sr, "Accept invitation").click();
    type_into(&sr, "Invitation code", &code(XSS, now() + 3600));
    button(&sr, "Next").click();
    let names: Vec<String> = all(&sr, "dd")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(names[1], XSS);
    assert!(all(&sr, "img").is_empty(), "the name is text, not markup");
}

#[wasm_bindgen_test]
async fn confirm_sends_once_keeps_the_code_on_failure_and_shows_the_active_connection() {
    const API: &str = "http://127.0.0.1:9/accepting/api/x_synclink/v1";
    const ACCEPT: &str = "/accepting/api/x_synclink/v1/invitations/accept";
    fetches(ACCEPT);
    let (h, sr) = loaded_with_api(API, vec![]).await;
    button(&sr, "Accept invitation").click();
    let good = code("company_a_to_company_b", now() + 3600);
    type_into(&sr, "Invitation code", &good);
    button(&sr, "Next").click();
    let confirm = button(&sr, "Confirm");
    confirm.click();
    confirm.click();
    assert!(
        confirm.disabled(),
        "Confirm is disabled while the node is asked"
    );
    assert!(button(&sr, "< Previous").disabled());
    assert!(text(&sr).contains("Accepting the invitation…"));
    // The real request fails: this instance's node cannot be reached.
    until("the error", || {
        text(&sr).contains("synclink could not be reached.")
    })
    .await;
    assert_eq!(fetches(ACCEPT), 1, "a double click sent one request");
    assert!(!all(&sr, "[role=alert]").is_empty());
    assert!(
        !button(&sr, "Confirm").disabled(),
        "the same code can be tried again"
    );
    assert_eq!(
        h.with_model(|m| m.accept.as_ref().unwrap().text.clone()),
        good
    );

    button(&sr, "Confirm").click();
    let req = h.with_model(|m| m.accept.as_ref().unwrap().confirming.unwrap());
    let accepted = Connection {
        local_short_name: "company_b".into(),
        remote_short_name: "company_a".into(),
        remote_url: Some("http://127.0.0.1:8081".into()),
        remote_platform: Some(Platform::ServiceNow),
        status: Status::Active,
        initiated_here: false,
        ..connection("company_a_to_company_b", None)
    };
    h.dispatch(Msg::Accept(accept::Msg::Answered {
        req,
        result: Ok(accepted.clone()),
    }));
    let t = text(&sr);
    assert!(t.contains("The connection is Active."), "{t}");
    let values: Vec<String> = all(&sr, "dd")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        values,
        ["company_a_to_company_b", "company_b", "company_a", "Active"]
    );
    assert_eq!(active_id(&sr), "sl-next");
    until("the retry's request", || fetches(ACCEPT) == 2).await;
    button(&sr, "Done").click();
    assert!(sr.query_selector("[role=dialog]").unwrap().is_none());
    assert!(
        text(&sr).contains("Loading connections…"),
        "Done reloads the list"
    );
    assert_eq!(active_id(&sr), "sl-accept");
    h.dispatch(Msg::ConnectionsLoaded(Ok(vec![accepted])));
    let row: Vec<String> = all(&sr, "tbody tr:first-child td")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(row[3], "http://127.0.0.1:8081");
    assert_eq!(row[5], "Active");
    assert_eq!(row[7], "", "nothing to show for an accepted connection");
}

/// How many times `fetch` was called for a URL containing `part` (counted by a wrapper around
/// `window.fetch`, installed once).
fn fetches(part: &str) -> u32 {
    let count = js_sys::Function::new_with_args(
        "part",
        "if (!window.__slFetches) { \
             window.__slFetches = []; \
             const f = window.fetch.bind(window); \
             window.fetch = (r, i) => { \
                 window.__slFetches.push(typeof r === 'string' ? r : r.url); \
                 return f(r, i); \
             }; \
         } \
         return window.__slFetches.filter(u => u.includes(part)).length;",
    );
    count
        .call1(&wasm_bindgen::JsValue::NULL, &part.into())
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

#[wasm_bindgen_test]
async fn a_pending_list_is_asked_again_every_two_seconds_without_losing_the_table() {
    // An API base of its own, so that only this widget's requests are counted.
    const API: &str = "http://127.0.0.1:9/polling/api/x_synclink/v1";
    const LIST: &str = "/polling/api/x_synclink/v1/connections";
    fetches(LIST);
    let (h, sr) = loaded_with_api(API, vec![]).await;
    assert_eq!(fetches(LIST), 1, "the first load only");
    sleep(2500).await;
    assert_eq!(fetches(LIST), 1, "nothing pending: nothing asked");

    h.dispatch(Msg::ConnectionsLoaded(Ok(vec![connection("a_to_b", None)])));
    let started = js_sys::Date::now();
    until("the first poll", || fetches(LIST) == 2).await;
    let waited = js_sys::Date::now() - started;
    assert!(
        (1800.0..2900.0).contains(&waited),
        "after about 2 s: {waited}"
    );
    assert!(!text(&sr).contains("Loading"), "no loading flash");
    // The dead API refuses it: the table stays, and the next tick asks again.
    until("the failed poll", || h.with_model(|m| !m.list.in_flight)).await;
    assert_eq!(
        all(&sr, "tbody tr").len(),
        1,
        "a failed poll keeps the table"
    );
    until("the second poll", || fetches(LIST) == 3).await;
    assert_eq!(all(&sr, "tbody tr").len(), 1);

    // Accepted on the other side: Active, and the polling stops.
    until("the failed poll", || h.with_model(|m| !m.list.in_flight)).await;
    let mut active = connection("a_to_b", None);
    active.status = Status::Active;
    h.dispatch(Msg::ConnectionsLoaded(Ok(vec![active])));
    let status: Vec<String> = all(&sr, "tbody td:nth-child(6)")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(status, ["Active"]);
    sleep(4500).await;
    assert_eq!(fetches(LIST), 3, "nothing pending: no more requests");
    assert!(h.with_model(|m| !m.list.timer));
}

#[wasm_bindgen_test]
async fn a_pending_connection_shows_and_copies_its_code_again() {
    let (h, sr) = loaded(vec![connection("a_to_b", Some("http://127.0.0.1:8082"))]).await;
    button(&sr, "Show invitation code").click();
    assert_eq!(
        all(&sr, "h2")[0].text_content().as_deref(),
        Some("Invitation code")
    );
    assert!(text(&sr).contains("Loading the invitation code…"));
    // The real request fails: the error is said, and Close is there.
    until("the error", || {
        text(&sr).contains("synclink could not be reached.")
    })
    .await;
    assert!(matches!(
        h.with_model(|m| m.show_code.as_ref().unwrap().code.clone()),
        Load::Failed(_)
    ));
    button(&sr, "Close").click();
    assert!(sr.query_selector("[role=dialog]").unwrap().is_none());
    assert_eq!(active_id(&sr), "sl-show-abababababababababababababababab");

    button(&sr, "Show invitation code").click();
    let req = h.with_model(|m| m.show_code.as_ref().unwrap().req);
    let code = "AQAXaHR0cDovLzEyNy4wLjAuMTo4MDgxAAljb21wYW55X2E".repeat(3);
    h.dispatch(Msg::CodeLoaded {
        req,
        result: Ok(InvitationCode {
            invitation_code: code.clone(),
        }),
    });
    let t = text(&sr);
    assert!(t.contains("On the “company_b” side, you (or their application administrator) need to Accept the invitation."), "{t}");
    assert!(t.contains("Use the following invitation code:"));
    let area: HtmlTextAreaElement = control(&sr, "Invitation code").dyn_into().unwrap();
    assert_eq!(area.value(), code);
    assert!(area.read_only());
    button(&sr, "Copy invitation code").click();
    until("the fallback", || {
        text(&sr).contains("Press Ctrl+C to copy")
    })
    .await;
    assert_eq!(active_id(&sr), "sl-code");
    assert_eq!(area.selection_end().unwrap(), Some(code.len() as u32));
    // The real request's failure comes late and changes nothing.
    sleep(300).await;
    assert_eq!(area.value(), code);
    press(&area.clone().into(), "Escape");
    assert!(sr.query_selector("[role=dialog]").unwrap().is_none());
}

fn set_hash(h: &str) {
    web_sys::window().unwrap().location().set_hash(h).unwrap();
}

/// Opens the page of the first listed connection (its name's button) and waits for its own
/// load to fail (the list's copy stays shown).
async fn open_page(h: &Handle, sr: &ShadowRoot, name: &str) {
    button(sr, name).click();
    assert_eq!(
        web_sys::window().unwrap().location().hash().unwrap(),
        "#connection/abababababababababababababababab"
    );
    until("the page's own load", || {
        h.with_model(|m| m.page.as_ref().is_some_and(|p| p.loading.is_none()))
    })
    .await;
    assert!(find_button(sr, "< Connections").is_some());
}

fn active_connection(name: &str) -> Connection {
    let mut c = connection(name, Some("http://127.0.0.1:8082"));
    c.status = Status::Active;
    c
}

#[wasm_bindgen_test]
async fn the_rules_editor_numbers_lines_indents_on_tab_and_checks_before_publishing() {
    use synclink::page::{self, RMsg};
    use synclink_core::api::{Rules, RulesVersion, VersionSummary};
    const API: &str = "http://127.0.0.1:9/rules/api/x_synclink/v1";
    const RULES: &str =
        "/rules/api/x_synclink/v1/connections/abababababababababababababababab/rules";
    set_hash("");
    fetches(RULES);
    let (h, sr) = loaded_with_api(API, vec![active_connection("a_to_b")]).await;
    open_page(&h, &sr, "a_to_b").await;
    button(&sr, "Rules").click();
    until("the rules request", || fetches(RULES) == 1).await;
    let req = h.with_model(|m| m.page.as_ref().unwrap().rules.as_ref().unwrap().req);
    let current = RulesVersion {
        version: 1,
        published_at: 1_795_849_355,
        restored_from: None,
        outgoing: "replica.summary = entity.short_description\nreplica.x = 1\n".into(),
        incoming: "entity.short_description = replica.summary".into(),
    };
    h.dispatch(Msg::Page(page::Msg::Rules(RMsg::Loaded {
        req,
        result: Ok(Rules {
            current: current.clone(),
            versions: vec![VersionSummary {
                version: 1,
                published_at: current.published_at,
                restored_from: None,
            }],
            read_only: None,
        }),
    })));
    assert!(text(&sr).contains("Version 1, published 2026-11-28 07:02 UTC"));
    let gutters: Vec<String> = all(&sr, ".sl-gutter")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(gutters, ["1\n2\n3", "1"]);
    let area: HtmlTextAreaElement = control(&sr, "Outgoing sync").dyn_into().unwrap();
    assert_eq!(area.value(), current.outgoing);

    // Tab inserts four spaces at the caret and keeps the focus in the editor.
    area.focus().unwrap();
    area.set_selection_range(0, 0).unwrap();
    press(&area.clone().into(), "Tab");
    assert_eq!(
        area.value(),
        "    replica.summary = entity.short_description\nreplica.x = 1\n"
    );
    assert_eq!(area.selection_start().unwrap(), Some(4));
    assert_eq!(active_id(&sr), "sl-rules-outgoing");
    assert!(text(&sr).contains("Unpublished changes"));

    // A problem at line 2, column 5: shown under the editor, the line marked, nothing sent.
    type_into(&sr, "Outgoing sync", "a = 1\nb = (2\nc = 3");
    let before = fetches(RULES);
    button(&sr, "Publish").click();
    let t = text(&sr);
    assert!(t.contains("Line 2, column 5: "), "{t}");
    let bad: Vec<String> = all(&sr, ".sl-gutter-bad")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(bad, ["2\n"]);
    // Ctrl+S too: refused without a request.
    let init = KeyboardEventInit::new();
    init.set_key("s");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    area.dispatch_event(&e).unwrap();
    assert!(e.default_prevented(), "the browser's Save is not opened");
    sleep(200).await;
    assert_eq!(
        fetches(RULES),
        before,
        "no request while there are problems"
    );

    // Fixed: Ctrl+S publishes (one request).
    type_into(&sr, "Outgoing sync", "a = 1\nb = (2)\nc = 3");
    assert!(!text(&sr).contains("Line 2, column 5"));
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    area.dispatch_event(&e).unwrap();
    until("the publish request", || fetches(RULES) == before + 1).await;
    assert!(h.with_model(|m| m.unsaved()));
    set_hash("");
}

#[wasm_bindgen_test]
async fn delete_waits_for_the_exact_name_and_a_remote_name_stays_text() {
    set_hash("");
    let (h, sr) = loaded(vec![active_connection(XSS)]).await;
    open_page(&h, &sr, XSS).await;
    assert!(sr.query_selector("img").unwrap().is_none());
    assert_eq!(all(&sr, "h1")[0].text_content().as_deref(), Some(XSS));
    assert!(
        all(&sr, "dd")
            .iter()
            .any(|d| d.text_content().as_deref() == Some(XSS))
    );
    button(&sr, "Delete").click();
    let confirm = button(&sr, "Delete connection");
    assert!(confirm.disabled());
    type_into(&sr, "Type the connection name to confirm", "<img src=x");
    assert!(button(&sr, "Delete connection").disabled());
    type_into(&sr, "Type the connection name to confirm", XSS);
    assert!(!button(&sr, "Delete connection").disabled());
    assert!(sr.query_selector("img").unwrap().is_none());
    button(&sr, "Cancel").click();
    assert!(find_button(&sr, "Delete connection").is_none());
    // Back to the list.
    button(&sr, "< Connections").click();
    assert!(find_button(&sr, "Initiate connection").is_some());
    set_hash("");
}
