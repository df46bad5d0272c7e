//! The connection page, the Rules tab and the list's filter and sort, through `view` and
//! `update` as the shell drives them.

use synclink_core::api::{
    ActionResult, Connection, CreatedConnection, Rules, RulesVersion, Script, TestResult,
    VersionSummary,
};
use synclink_core::{LicenseKind, Mode, Status};

use crate::api::ApiError;
use crate::app::tests::{connection, instance, loaded};
use crate::app::{Dest, Effect, Load, Model, Msg, update};
use crate::copy::CopyState;
use crate::page::{self, Action, Answer, RMsg, Tab};
use crate::vdom::{Event, EventData, Node};
use crate::view::tests::{XSS, click, collect_texts, enabled, labelled, terms, type_into};
use crate::view::{ids, view};

const ID: &str = "abababababababababababababababab";

fn open(c: Connection) -> Model {
    let mut m = loaded();
    update(&mut m, Msg::ConnectionsLoaded(Ok(vec![c.clone()])));
    let fx = click(&mut m, &c.name);
    let [
        Effect::SetHash(h),
        Effect::LoadConnection { req, id },
        Effect::Focus(_),
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(h, "#connection/abababababababababababababababab");
    assert_eq!(id, ID);
    let req = *req;
    update(&mut m, pmsg(page::Msg::Loaded { req, result: Ok(c) }));
    m
}

fn pmsg(m: page::Msg) -> Msg {
    Msg::Page(m)
}

fn rmsg(m: RMsg) -> Msg {
    Msg::Page(page::Msg::Rules(m))
}

fn active() -> Connection {
    connection("a_to_b", Some("http://127.0.0.1:8082"), Status::Active)
}

fn act_req(fx: &[Effect], want: &Action) -> u64 {
    match fx {
        [Effect::Act { req, id, action }] if action == want && id == ID => *req,
        _ => panic!("{fx:?}"),
    }
}

fn done(c: Option<Connection>, msg: &str) -> Result<Answer, ApiError> {
    Ok(Answer::Done(ActionResult {
        connection: c,
        remote_told: false,
        remote_message: msg.into(),
    }))
}

fn gone() -> ApiError {
    ApiError::Status {
        status: 404,
        message: "Connection no longer exists".into(),
        detail: "It was deleted, perhaps in another tab or by the other instance.".into(),
    }
}

#[test]
fn the_page_opens_from_the_list_shows_details_and_goes_back() {
    let mut c = active();
    c.name = XSS.into();
    c.description = "Ticket sync".into();
    let m = open(c.clone());
    let v = view(&m);
    assert_eq!(
        terms(&v),
        [
            ("Name", XSS),
            ("Description", "Ticket sync"),
            ("Status", "Active"),
            ("Configuration Mode", "Script"),
            ("Local instance", "Company A · company_a"),
            (
                "Remote instance",
                "company_b · http://127.0.0.1:8082 · Jira"
            ),
            ("Created", "2026-11-28 07:02 UTC"),
            ("Initiated by", "This instance"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(v.elements().iter().all(|e| e.tag != "img"));
    assert!(collect_texts(&v).contains(&XSS.to_string()));
    for b in [
        "< Connections",
        "Details",
        "Rules",
        "Edit",
        "Deactivate",
        "Delete",
    ] {
        assert!(enabled(&v, b), "{b}");
    }
    assert!(v.button("Test connection").is_some());
    assert!(v.button("Activate").is_none() && v.button("Cancel invitation").is_none());
    assert!(
        v.button("Initiate connection").is_none(),
        "the page replaces the list"
    );

    let mut m = m;
    let fx = click(&mut m, "< Connections");
    assert_eq!(
        fx,
        vec![Effect::SetHash(String::new()), Effect::LoadConnections]
    );
    assert!(m.page.is_none());
    // The browser's own hash change that follows changes nothing more.
    assert!(update(&mut m, Msg::Route(String::new())).is_empty());
}

#[test]
fn the_url_hash_opens_a_connection_and_back_returns() {
    let (mut m, _) = Model::init();
    let fx = update(&mut m, Msg::Route(page::hash(ID)));
    assert!(
        matches!(fx.as_slice(), [Effect::LoadConnection { .. }, _]),
        "{fx:?}"
    );
    assert_eq!(m.page.as_ref().unwrap().conn, Load::Loading);
    assert!(view(&m).text_content().contains("Loading the connection…"));
    // The same hash again (our own SetHash): nothing.
    assert!(update(&mut m, Msg::Route(page::hash(ID))).is_empty());
    // The list's first load is still on its way: the reload waits for it.
    assert!(update(&mut m, Msg::Route("#connection/nothex".into())).is_empty());
    assert!(m.list.again);
    assert!(m.page.is_none(), "an unknown hash shows the list");
}

#[test]
fn a_deleted_connection_says_it_no_longer_exists() {
    let mut m = open(active());
    let fx = click(&mut m, "Deactivate");
    let req = act_req(&fx, &Action::Deactivate);
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: Err(gone()),
        }),
    );
    let v = view(&m);
    assert!(
        v.text_content()
            .contains("This connection no longer exists.")
    );
    assert!(v.button("Deactivate").is_none());
    assert!(enabled(&v, "< Connections"));
    click(&mut m, "Back to Connections");
    assert!(m.page.is_none());
}

#[test]
fn deactivate_activate_and_test_say_what_the_remote_said() {
    let mut m = open(active());
    let fx = click(&mut m, "Deactivate");
    let req = act_req(&fx, &Action::Deactivate);
    assert!(!enabled(&view(&m), "Edit"), "one action at a time");
    assert!(view(&m).text_content().contains("Working…"));
    let mut off = active();
    off.status = Status::Deactivated;
    let told = "Company B could not be reached (connection refused at http://127.0.0.1:8082): it was not told.";
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: done(Some(off), told),
        }),
    );
    let v = view(&m);
    let live = v
        .elements()
        .into_iter()
        .find(|e| e.get_attr("aria-live") == Some("polite") && e.get_attr("role") == Some("status"))
        .unwrap();
    assert_eq!(live.text_content(), told);
    assert_eq!(terms(&v)[2].1, "Deactivated");
    assert!(v.button("Deactivate").is_none() && v.button("Test connection").is_none());
    let fx = click(&mut m, "Activate");
    let req = act_req(&fx, &Action::Activate);
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: done(Some(active()), "Company B was told."),
        }),
    );
    let fx = click(&mut m, "Test connection");
    let req = act_req(&fx, &Action::Test);
    let said = "Company B answered in 42 ms and sees the connection as Active.";
    let t = TestResult {
        answered: true,
        round_trip_ms: Some(42),
        remote_status: Some(Status::Active),
        message: said.into(),
    };
    // A stale answer changes nothing.
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req: req + 7,
            result: Ok(Answer::Tested(t.clone())),
        }),
    );
    assert!(!view(&m).text_content().contains(said));
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: Ok(Answer::Tested(t)),
        }),
    );
    assert!(view(&m).text_content().contains(said));
    // A refusal is shown with its detail.
    let fx = click(&mut m, "Deactivate");
    let req = act_req(&fx, &Action::Deactivate);
    let e = ApiError::Status {
        status: 409,
        message: "Not active".into(),
        detail: "Only an Active connection can be deactivated.".into(),
    };
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: Err(e),
        }),
    );
    assert!(
        view(&m)
            .text_content()
            .contains("Only an Active connection can be deactivated.")
    );
}

#[test]
fn edit_validates_as_typed_and_never_sends_a_mode() {
    let mut m = open(active());
    click(&mut m, "Edit");
    let v = view(&m);
    assert_eq!(
        labelled(&v, "Connection name*").value.as_deref(),
        Some("a_to_b")
    );
    assert!(
        v.text_content()
            .contains("Configuration Mode: Script (chosen once; it cannot be changed)")
    );
    assert!(
        v.elements()
            .iter()
            .all(|e| e.tag != "select" && e.get_attr("type") != Some("radio"))
    );
    type_into(&mut m, "Connection name*", "  ");
    let v = view(&m);
    assert!(v.text_content().contains("Enter a connection name."));
    assert!(!enabled(&v, "Save"));
    type_into(&mut m, "Connection name*", " renamed ");
    type_into(&mut m, "Description", "new words");
    let fx = click(&mut m, "Save");
    let body = synclink_core::api::EditConnection {
        name: "renamed".into(),
        description: "new words".into(),
        mode: None,
    };
    let req = act_req(&fx, &Action::Edit(body));
    let mut c = active();
    c.name = "renamed".into();
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: done(Some(c), "Only this instance's copy was renamed."),
        }),
    );
    let v = view(&m);
    assert!(
        v.text_content()
            .contains("Only this instance's copy was renamed.")
    );
    assert_eq!(terms(&v)[0].1, "renamed");
    assert!(v.button("Save").is_none());
    // Cancel leaves without a request.
    click(&mut m, "Edit");
    assert!(click(&mut m, "Cancel").is_empty());
    assert!(m.page.as_ref().unwrap().edit.is_none());
}

#[test]
fn delete_asks_for_the_exact_name_then_returns_to_the_list() {
    let mut m = open(active());
    assert_eq!(
        click(&mut m, "Delete"),
        vec![Effect::Focus(ids::DELETE_NAME)]
    );
    assert!(!enabled(&view(&m), "Delete connection"));
    for wrong in ["a_to_", "A_TO_B", "a_to_b ", " a_to_b"] {
        type_into(&mut m, "Type the connection name to confirm", wrong);
        assert!(!enabled(&view(&m), "Delete connection"), "{wrong:?}");
        assert!(update(&mut m, pmsg(page::Msg::ConfirmDelete)).is_empty());
    }
    type_into(&mut m, "Type the connection name to confirm", "a_to_b");
    let fx = click(&mut m, "Delete connection");
    let req = act_req(&fx, &Action::Delete);
    let fx = update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: done(None, "Company B was told."),
        }),
    );
    assert_eq!(
        fx,
        vec![
            Effect::SetHash(String::new()),
            Effect::LoadConnections,
            Effect::Focus(ids::INITIATE)
        ]
    );
    assert!(m.page.is_none());
    assert!(
        view(&m)
            .text_content()
            .contains("The connection was deleted. Company B was told.")
    );
}

#[test]
fn a_pending_invitation_can_be_cancelled_regenerated_and_shown() {
    let pending = connection("a_to_b", None, Status::Pending);
    let mut m = open(pending.clone());
    let v = view(&m);
    for b in [
        "Cancel invitation",
        "Regenerate invitation",
        "Show invitation code",
    ] {
        assert!(enabled(&v, b), "{b}");
    }
    assert!(v.button("Deactivate").is_none() && v.button("Test connection").is_none());
    let fx = click(&mut m, "Regenerate invitation");
    let req = act_req(&fx, &Action::Regenerate);
    let created = CreatedConnection {
        connection: pending.clone(),
        invitation_code: "NEWCODE".into(),
    };
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: Ok(Answer::Regenerated(created)),
        }),
    );
    let v = view(&m);
    assert_eq!(
        labelled(&v, "Invitation code").value.as_deref(),
        Some("NEWCODE")
    );
    assert!(v.text_content().contains("the old one no longer works"));
    assert_eq!(
        click(&mut m, "Copy invitation code"),
        vec![Effect::Copy("NEWCODE".into())]
    );
    update(&mut m, Msg::Copied(true));
    assert_eq!(m.page.as_ref().unwrap().copy, CopyState::Copied);
    // Show invitation code opens the dialog, as on the list.
    let fx = click(&mut m, "Show invitation code");
    assert!(
        matches!(fx.as_slice(), [Effect::LoadInvitation { .. }, _]),
        "{fx:?}"
    );
    update(&mut m, Msg::CloseCode);
    // Cancel invitation asks first.
    assert!(click(&mut m, "Cancel invitation").is_empty());
    assert!(click(&mut m, "Keep the invitation").is_empty());
    click(&mut m, "Cancel invitation");
    let fx = click(&mut m, "Yes, cancel the invitation");
    let req = act_req(&fx, &Action::CancelInvitation);
    update(
        &mut m,
        pmsg(page::Msg::Acted {
            req,
            result: done(None, ""),
        }),
    );
    assert!(m.page.is_none());
    assert!(
        view(&m)
            .text_content()
            .contains("The invitation was cancelled.")
    );
}

#[test]
fn a_pending_page_is_polled_and_the_list_is_not() {
    let pending = connection("a_to_b", None, Status::Pending);
    let mut m = loaded();
    update(&mut m, Msg::ConnectionsLoaded(Ok(vec![pending.clone()])));
    assert!(m.list.timer);
    let fx = click(&mut m, "a_to_b");
    let [_, Effect::LoadConnection { req, .. }, _] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let req = *req;
    // The list's tick while the page loads asks nothing (the page's answer sets the next).
    assert!(update(&mut m, Msg::PollTick).is_empty());
    let fx = update(
        &mut m,
        pmsg(page::Msg::Loaded {
            req,
            result: Ok(pending.clone()),
        }),
    );
    assert_eq!(fx, vec![Effect::PollAfter(2000)]);
    let fx = update(&mut m, Msg::PollTick);
    let [Effect::LoadConnection { req, id }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(id, ID);
    let mut now_active = pending.clone();
    now_active.status = Status::Active;
    let fx = update(
        &mut m,
        pmsg(page::Msg::Loaded {
            req: *req,
            result: Ok(now_active),
        }),
    );
    assert!(fx.is_empty(), "Active: no more polling");
    assert_eq!(terms(&view(&m))[2].1, "Active");
    assert!(update(&mut m, Msg::PollTick).is_empty());

    // An Active page is never polled.
    let mut m = open(active());
    assert!(!m.list.timer);
    assert!(update(&mut m, Msg::PollTick).is_empty());
}

// ---- Rules ----

fn version(n: u32, outgoing: &str, incoming: &str) -> RulesVersion {
    RulesVersion {
        version: n,
        published_at: 1_795_849_355 + i64::from(n) * 60,
        restored_from: None,
        outgoing: outgoing.into(),
        incoming: incoming.into(),
    }
}

fn rules(current: RulesVersion, read_only: Option<&str>) -> Rules {
    let versions = (1..=current.version)
        .rev()
        .map(|n| VersionSummary {
            version: n,
            published_at: 1_795_849_355 + i64::from(n) * 60,
            restored_from: None,
        })
        .collect();
    Rules {
        current,
        versions,
        read_only: read_only.map(Into::into),
    }
}

fn on_rules(mode: Mode, r: Rules) -> Model {
    let mut c = active();
    c.mode = mode;
    let mut m = open(c);
    let fx = click(&mut m, "Rules");
    let [Effect::LoadRules { req, id }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(id, ID);
    let req = *req;
    assert!(view(&m).text_content().contains("Loading the rules…"));
    update(&mut m, rmsg(RMsg::Loaded { req, result: Ok(r) }));
    m
}

fn script_rules() -> Model {
    on_rules(
        Mode::Script,
        rules(version(2, "a = 1\nb = 2", "c = 3"), None),
    )
}

fn edit(m: &mut Model, label: &str, value: &str) {
    type_into(m, label, value);
}

fn publish_req(fx: &[Effect]) -> (u64, u32) {
    match fx {
        [Effect::Publish { req, id, body }] if id == ID => (*req, body.base_version),
        _ => panic!("{fx:?}"),
    }
}

#[test]
fn the_editors_show_line_numbers_and_the_version() {
    let m = script_rules();
    let v = view(&m);
    let out = labelled(&v, "Outgoing sync");
    assert_eq!(out.tag, "textarea");
    assert_eq!(out.value.as_deref(), Some("a = 1\nb = 2"));
    assert_eq!(out.get_attr("wrap"), Some("off"));
    assert_eq!(
        labelled(&v, "Incoming sync").value.as_deref(),
        Some("c = 3")
    );
    let gutters: Vec<String> = v
        .elements()
        .iter()
        .filter(|e| e.get_attr("class") == Some("sl-gutter"))
        .map(|e| e.text_content())
        .collect();
    assert_eq!(gutters, ["1\n2", "1"]);
    let t = v.text_content();
    assert!(t.contains("Version 2, published 2026-11-28 07:04 UTC"));
    assert!(!t.contains("Unpublished changes"));
    assert!(t.contains("Version 2 · 2026-11-28 07:04 UTC"));
    assert!(t.contains("Version 1 · 2026-11-28 07:03 UTC"));
    assert!(enabled(&v, "Publish"));
    assert!(m.publishes_on_save());
}

#[test]
fn tab_indents_and_shift_tab_outdents_in_the_model() {
    let mut m = script_rules();
    let fx = update(
        &mut m,
        rmsg(RMsg::Indent {
            script: Script::Outgoing,
            value: "a = 1\nb = 2".into(),
            start: 0,
            end: 0,
            outdent: false,
        }),
    );
    assert_eq!(
        fx,
        vec![Effect::SetCaret {
            id: ids::OUTGOING,
            start: 4,
            end: 4
        }]
    );
    let v = view(&m);
    assert_eq!(
        labelled(&v, "Outgoing sync").value.as_deref(),
        Some("    a = 1\nb = 2")
    );
    assert!(v.text_content().contains("Unpublished changes"));
    let fx = update(
        &mut m,
        rmsg(RMsg::Indent {
            script: Script::Outgoing,
            value: "    a = 1\nb = 2".into(),
            start: 6,
            end: 6,
            outdent: true,
        }),
    );
    assert_eq!(
        fx,
        vec![Effect::SetCaret {
            id: ids::OUTGOING,
            start: 2,
            end: 2
        }]
    );
    assert!(!m.unsaved(), "back to the published text");
}

#[test]
fn publish_checks_first_and_sends_nothing_while_there_are_problems() {
    let mut m = script_rules();
    edit(&mut m, "Outgoing sync", "a = 1\nb = (2");
    assert!(m.unsaved());
    // Ctrl+S is the same message as Publish.
    assert!(m.publishes_on_save());
    assert!(update(&mut m, rmsg(RMsg::Publish)).is_empty(), "no request");
    let v = view(&m);
    let t = v.text_content();
    assert!(t.contains("Line 2, column 5: "), "{t}");
    let bad: Vec<String> = v
        .elements()
        .iter()
        .filter(|e| e.get_attr("class") == Some("sl-gutter-bad"))
        .map(|e| e.text_content())
        .collect();
    assert_eq!(bad, ["2"]);
    assert_eq!(
        labelled(&v, "Outgoing sync").get_attr("aria-invalid"),
        Some("true")
    );
    assert!(click(&mut m, "Publish").is_empty());
    // Fixing it clears the problems as typed; then Publish sends, from the version shown.
    edit(&mut m, "Outgoing sync", "a = 1\nb = (2)");
    assert!(!view(&m).text_content().contains("Line 2"));
    let fx = update(&mut m, rmsg(RMsg::Publish));
    let (req, base) = publish_req(&fx);
    assert_eq!(base, 2);
    assert!(!enabled(&view(&m), "Publish"), "one publish at a time");
    assert!(update(&mut m, rmsg(RMsg::Publish)).is_empty());
    let fx = update(
        &mut m,
        rmsg(RMsg::Published {
            req,
            result: Ok(version(3, "a = 1\nb = (2)", "c = 3")),
        }),
    );
    assert!(matches!(fx.as_slice(), [Effect::LoadRules { .. }]));
    assert!(!m.unsaved());
    let t = view(&m).text_content();
    assert!(t.contains("Version 3, published"));
    assert!(t.contains("Version 3 is published."));
}

#[test]
fn a_newer_version_is_shown_before_publishing_over_it() {
    let mut m = script_rules();
    edit(&mut m, "Incoming sync", "c = 4");
    let (req, _) = publish_req(&click(&mut m, "Publish"));
    let e = ApiError::Status {
        status: 409,
        message: "A newer version exists".into(),
        detail:
            "Version 3 was published at 2026-11-28 08:00 UTC. Review it before you publish over it."
                .into(),
    };
    let fx = update(
        &mut m,
        rmsg(RMsg::Published {
            req,
            result: Err(e),
        }),
    );
    let [Effect::LoadRules { req, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let v = view(&m);
    assert!(
        v.text_content()
            .contains("Version 3 was published at 2026-11-28 08:00 UTC.")
    );
    assert!(
        !enabled(&v, "Publish anyway"),
        "until the newer version is known"
    );
    assert!(
        !enabled(&v, "Publish"),
        "the old base would get another 409"
    );
    assert!(update(&mut m, rmsg(RMsg::Publish)).is_empty());
    let newer = version(3, "x = 'theirs'", "c = 3");
    update(
        &mut m,
        rmsg(RMsg::Loaded {
            req: *req,
            result: Ok(rules(newer, None)),
        }),
    );
    let v = view(&m);
    assert_eq!(
        labelled(&v, "Incoming sync").value.as_deref(),
        Some("c = 4"),
        "the edits stay"
    );
    assert!(!enabled(&v, "Publish"), "while the conflict shows");
    assert!(enabled(&v, "Publish anyway"));
    assert!(
        update(&mut m, rmsg(RMsg::Publish)).is_empty(),
        "Ctrl+S neither"
    );
    assert!(click(&mut m, "View newer version").is_empty());
    let v = view(&m);
    assert!(v.elements().iter().any(|e| e.tag == "textarea"
        && e.has_attr("readonly")
        && e.value.as_deref() == Some("x = 'theirs'")));
    assert!(v.button("Publish").is_none());
    click(&mut m, "Back to editing");
    let (_, base) = publish_req(&click(&mut m, "Publish anyway"));
    assert_eq!(base, 3);
}

#[test]
fn a_conflict_whose_newer_version_cannot_be_loaded_lets_publish_try_again() {
    let mut m = script_rules();
    edit(&mut m, "Incoming sync", "c = 4");
    let (req, _) = publish_req(&click(&mut m, "Publish"));
    let conflict = ApiError::Status {
        status: 409,
        message: "A newer version exists".into(),
        detail: String::new(),
    };
    let fx = update(
        &mut m,
        rmsg(RMsg::Published {
            req,
            result: Err(conflict),
        }),
    );
    let [Effect::LoadRules { req, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(!enabled(&view(&m), "Publish"));
    update(
        &mut m,
        rmsg(RMsg::Loaded {
            req: *req,
            result: Err(ApiError::Timeout(15)),
        }),
    );
    let v = view(&m);
    assert!(v.button("Publish anyway").is_none());
    assert!(enabled(&v, "Publish"), "no dead end");
    assert_eq!(
        labelled(&v, "Incoming sync").value.as_deref(),
        Some("c = 4")
    );
    let (_, base) = publish_req(&click(&mut m, "Publish"));
    assert_eq!(base, 2);
}

#[test]
fn history_views_and_restores_versions() {
    let mut m = script_rules();
    let v = view(&m);
    assert_eq!(
        v.elements()
            .iter()
            .filter(|e| e.tag == "button" && e.text_content() == "Restore")
            .count(),
        1,
        "not the current version"
    );
    let fx = update(&mut m, rmsg(RMsg::View(1)));
    let [
        Effect::LoadVersion {
            req, version: 1, ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    update(
        &mut m,
        rmsg(RMsg::VersionLoaded {
            req: *req,
            result: Ok(version(1, "old", "older")),
        }),
    );
    let v = view(&m);
    assert!(v.text_content().contains("Version 1"));
    assert!(
        v.elements()
            .iter()
            .any(|e| e.value.as_deref() == Some("older"))
    );
    click(&mut m, "Back to editing");
    let fx = click(&mut m, "Restore");
    assert_eq!(
        fx,
        vec![Effect::Restore {
            req: match fx[0] {
                Effect::Restore { req, .. } => req,
                _ => 0,
            },
            id: ID.into(),
            version: 1,
            base: 2
        }]
    );
    let Effect::Restore { req, .. } = fx[0] else {
        panic!()
    };
    let mut restored = version(3, "old", "older");
    restored.restored_from = Some(1);
    let fx = update(
        &mut m,
        rmsg(RMsg::Restored {
            req,
            result: Ok(restored),
        }),
    );
    assert!(matches!(fx.as_slice(), [Effect::LoadRules { .. }]));
    let v = view(&m);
    assert!(
        v.text_content()
            .contains("Version 3 · 2026-11-28 07:05 UTC · restored from 1")
    );
    assert_eq!(labelled(&v, "Outgoing sync").value.as_deref(), Some("old"));
}

#[test]
fn restore_over_unpublished_edits_asks_first() {
    let mut m = script_rules();
    edit(&mut m, "Outgoing sync", "changed");
    let question = "You have unpublished changes. Restore version 1 and discard them?";

    // Stay: nothing is sent and the edits stay.
    let fx = click(&mut m, "Restore");
    assert_eq!(fx, vec![Effect::Focus(ids::STAY)]);
    let v = view(&m);
    assert!(v.text_content().contains(question));
    assert!(v.button("Restore anyway").is_some());
    let fx = click(&mut m, "Stay");
    assert!(fx.is_empty(), "{fx:?}");
    assert!(m.exit.is_none());
    let v = view(&m);
    assert!(!v.text_content().contains(question));
    assert_eq!(
        labelled(&v, "Outgoing sync").value.as_deref(),
        Some("changed")
    );
    assert!(m.unsaved());

    // Restore anyway: the restore is posted from the version the edits started from.
    click(&mut m, "Restore");
    let fx = click(&mut m, "Restore anyway");
    let [
        Effect::Restore {
            req,
            id,
            version: 1,
            base: 2,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(id, ID);
    assert!(m.exit.is_none());
    update(
        &mut m,
        rmsg(RMsg::Restored {
            req: *req,
            result: Ok(version(3, "old", "older")),
        }),
    );
    assert_eq!(
        labelled(&view(&m), "Outgoing sync").value.as_deref(),
        Some("old")
    );
    assert!(!m.unsaved());
}

#[test]
fn unpublished_changes_are_guarded_on_every_way_out() {
    type Exit = fn(&mut Model) -> Vec<Effect>;
    let exits: [(&str, Exit); 5] = [
        ("Details tab", |m| update(m, Msg::Tab(Tab::Details))),
        ("< Connections", |m| update(m, Msg::Back)),
        ("Back button", |m| update(m, Msg::Route(String::new()))),
        ("another connection", |m| {
            update(m, Msg::Route(page::hash(&"cd".repeat(16))))
        }),
        ("Open", |m| update(m, Msg::Open("cd".repeat(16)))),
    ];
    for (what, exit) in exits {
        let mut m = script_rules();
        edit(&mut m, "Outgoing sync", "changed");
        assert!(m.unsaved(), "the shell asks before unload");
        let fx = exit(&mut m);
        if what == "Open" {
            // The list is not on screen: nothing to open.
            assert!(fx.is_empty());
            continue;
        }
        assert_eq!(fx, vec![Effect::Focus(ids::STAY)], "{what}");
        let v = view(&m);
        assert!(
            v.text_content()
                .contains("You have unpublished changes. Leave without publishing?")
        );
        assert!(!m.publishes_on_save());
        let fx = click(&mut m, "Stay");
        if what == "Back button" || what == "another connection" {
            // The browser changed the URL: it is put back.
            assert_eq!(fx, vec![Effect::ReplaceHash(page::hash(ID))]);
        } else {
            assert!(fx.is_empty(), "{what}: {fx:?}");
        }
        assert_eq!(
            labelled(&view(&m), "Outgoing sync").value.as_deref(),
            Some("changed"),
            "{what}: Stay keeps the edits"
        );
        exit(&mut m);
        let fx = click(&mut m, "Leave");
        match what {
            "Details tab" => {
                assert!(fx.is_empty());
                assert_eq!(m.page.as_ref().unwrap().tab, Tab::Details);
                assert!(!m.unsaved());
            }
            "< Connections" => {
                assert_eq!(
                    fx,
                    vec![Effect::SetHash(String::new()), Effect::LoadConnections]
                );
                assert!(m.page.is_none());
            }
            "Back button" => {
                assert_eq!(fx, vec![Effect::LoadConnections]);
                assert!(m.page.is_none());
            }
            _ => {
                assert!(
                    matches!(fx.as_slice(), [Effect::LoadConnection { .. }, _]),
                    "{fx:?}"
                );
                assert_eq!(m.page.as_ref().unwrap().id, "cd".repeat(16));
            }
        }
        assert!(m.exit.is_none());
    }
    // Without changes, nothing is asked.
    let mut m = script_rules();
    assert!(update(&mut m, Msg::Tab(Tab::Details)).is_empty());
    assert!(m.exit.is_none());
    let _ = Dest::List;
}

#[test]
fn basic_mode_rules_are_read_only_with_the_reason() {
    let why = "Basic mode uses predefined mappings; its rules cannot be edited.";
    let mut m = on_rules(Mode::Basic, rules(version(1, "o", "i"), Some(why)));
    let v = view(&m);
    assert!(v.text_content().contains(why));
    assert!(v.button("Publish").is_none());
    assert!(v.button("Restore").is_none());
    assert!(labelled(&v, "Outgoing sync").has_attr("readonly"));
    assert!(
        labelled(&v, "Incoming sync")
            .handle(Event::Input, &EventData::default())
            .is_none()
    );
    assert!(!m.publishes_on_save());
    assert!(update(&mut m, rmsg(RMsg::Publish)).is_empty());
    assert!(update(&mut m, rmsg(RMsg::Input(Script::Outgoing, "x".into()))).is_empty());
    assert!(
        update(
            &mut m,
            rmsg(RMsg::Indent {
                script: Script::Outgoing,
                value: "o".into(),
                start: 0,
                end: 0,
                outdent: false
            })
        )
        .is_empty()
    );
    assert!(!m.unsaved());
}

#[test]
fn rules_of_a_deleted_connection_say_so() {
    let mut m = script_rules();
    edit(&mut m, "Outgoing sync", "a = 2");
    let (req, _) = publish_req(&click(&mut m, "Publish"));
    update(
        &mut m,
        rmsg(RMsg::Published {
            req,
            result: Err(gone()),
        }),
    );
    assert!(
        view(&m)
            .text_content()
            .contains("This connection no longer exists.")
    );
    assert!(!m.unsaved(), "nothing left to publish to");
}

#[test]
fn large_scripts_stay_linear() {
    let big: String = (0..10_000)
        .map(|i| format!("replica.f{i} = entity.f{i}\n"))
        .collect();
    let mut m = script_rules();
    let started = std::time::Instant::now();
    edit(&mut m, "Outgoing sync", &big);
    let v = view(&m);
    let gutter = v
        .elements()
        .into_iter()
        .find(|e| e.get_attr("class") == Some("sl-gutter"))
        .unwrap();
    assert!(gutter.text_content().ends_with("10000\n10001"));
    assert!(update(&mut m, rmsg(RMsg::Publish)).len() == 1);
    assert!(started.elapsed().as_secs() < 5);
}

// ---- the list ----

fn many(n: usize) -> Vec<Connection> {
    (0..n)
        .map(|i| {
            let mut c = connection(
                &format!("conn_{i:04}"),
                None,
                [Status::Active, Status::Pending, Status::Deactivated][i % 3],
            );
            c.id = format!("{i:032x}");
            c.remote_short_name = format!("remote_{}", i % 10);
            c.remote_url = (i % 2 == 0).then(|| format!("https://Host{i}.example"));
            c.created_at = 1_795_849_355 + i as i64;
            c
        })
        .collect()
}

fn rows(v: &Node<Msg>) -> Vec<String> {
    v.elements()
        .iter()
        .filter(|e| e.tag == "tr")
        .skip(1)
        .map(|r| r.children[0].text_content())
        .collect()
}

#[test]
fn a_thousand_rows_filter_and_sort_in_the_model() {
    let mut m = loaded();
    update(&mut m, Msg::ConnectionsLoaded(Ok(many(1000))));
    let v = view(&m);
    assert!(
        v.text_content()
            .contains("Showing 1000 of 1000 connections")
    );
    let r = rows(&v);
    assert_eq!(
        (r[0].as_str(), r[999].as_str()),
        ("conn_0999", "conn_0000"),
        "Created, newest first"
    );
    let created = v
        .elements()
        .into_iter()
        .find(|e| e.get_attr("aria-sort").is_some())
        .unwrap();
    assert_eq!(created.text_content(), "Created");
    assert_eq!(created.get_attr("aria-sort"), Some("descending"));

    let started = std::time::Instant::now();
    type_into(&mut m, "Filter", "HOST12");
    let v = view(&m);
    assert!(started.elapsed().as_millis() < 2000);
    // host12, host120..128 (even only), host1200+ none: case-insensitive on the URL.
    assert!(
        v.text_content().contains("Showing 6 of 1000 connections"),
        "{}",
        v.text_content()
    );
    type_into(&mut m, "Filter", "remote_3");
    assert_eq!(m.visible().len(), 100, "the remote short name");
    type_into(&mut m, "Filter", "conn_000");
    assert_eq!(m.visible().len(), 10);
    let v = view(&m);
    let status = labelled(&v, "Status");
    assert_eq!(status.tag, "select");
    let msg = status
        .handle(
            Event::Change,
            &EventData {
                value: "Pending".into(),
                ..Default::default()
            },
        )
        .unwrap();
    update(&mut m, msg);
    assert_eq!(rows(&view(&m)), ["conn_0007", "conn_0004", "conn_0001"]);
    update(&mut m, Msg::StatusFilter("All".into()));
    type_into(&mut m, "Filter", "");
    // Name: ascending, then descending.
    click(&mut m, "Name");
    let v = view(&m);
    assert_eq!(rows(&v)[0], "conn_0000");
    let th = v
        .elements()
        .into_iter()
        .find(|e| e.get_attr("aria-sort").is_some())
        .unwrap();
    assert_eq!(
        (th.text_content().as_str(), th.get_attr("aria-sort")),
        ("Name", Some("ascending"))
    );
    click(&mut m, "Name");
    assert_eq!(rows(&view(&m))[0], "conn_0999");
    click(&mut m, "Status");
    assert_eq!(m.visible()[0].status, Status::Active);
    click(&mut m, "Destination");
    assert_eq!(m.visible()[0].remote_url, None);
}

#[test]
fn an_expired_licence_shows_a_banner_and_blocks_initiate_and_accept() {
    let (mut m, _) = Model::init();
    let mut i = instance(&["Your licence has expired."]);
    i.license.kind = LicenseKind::Expired;
    update(&mut m, Msg::InstanceLoaded(Ok(i)));
    update(&mut m, Msg::ConnectionsLoaded(Ok(vec![active()])));
    let v = view(&m);
    assert!(v.text_content().contains("Your licence has expired. Existing connections are shown, but no Script or Visual connection can be initiated or accepted."));
    assert!(!enabled(&v, "Initiate connection"));
    assert!(!enabled(&v, "Accept invitation"));
    assert_eq!(
        v.button("Accept invitation")
            .unwrap()
            .get_attr("aria-describedby"),
        Some(ids::LICENCE)
    );
    assert_eq!(rows(&v), ["a_to_b"]);
    assert!(update(&mut m, Msg::OpenAccept).is_empty());
    assert!(update(&mut m, Msg::OpenWizard).is_empty());
    // Even if the node's reasons left it out.
    m.instance.loaded_mut().unwrap().initiate_blocked.clear();
    assert!(!enabled(&view(&m), "Initiate connection"));
    assert!(update(&mut m, Msg::OpenWizard).is_empty());
    // A trial licence: no banner.
    let m = loaded();
    assert!(!view(&m).text_content().contains("Your licence has expired"));
    assert!(m.page.is_none() && m.notice.is_none());
    let _ = Load::<()>::Loading;
}
