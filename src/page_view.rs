//! The view of a connection's page: **Details** with its actions, **Rules** with the editors
//! and the history. Pure, like `view`.

use synclink_core::api::{Connection, RulesVersion, Script};
use synclink_core::{Status, time};

use crate::app::{Load, Msg};
use crate::editor;
use crate::page::{self, Page, RMsg, RulesTab, Tab};
use crate::vdom::{Element, Event, Handler, Node, el, text};
use crate::view::{PRIVATE_REMOTE, alert, button, code_box, error_lines, ids, primary};

type P = page::Msg;

fn status_line(s: Option<&str>, busy: bool) -> Element<Msg> {
    el("p")
        .class("sl-live")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .opt(if busy { Some("Working…") } else { s }.map(text))
}

/// The page of the connection `p`, in the list's place.
pub fn connection_page(p: &Page, instance_name: &str) -> Vec<Node<Msg>> {
    let mut out: Vec<Node<Msg>> = vec![
        button("< Connections", Msg::Back)
            .id(ids::BACK)
            .class("sl-btn sl-back")
            .into(),
    ];
    let title = p.conn.loaded().map_or("Connection", |c| c.name.as_str());
    out.push(el("h1").id("sl-title").text(title).into());
    if p.gone {
        out.push(
            el("div")
                .class("sl-alert")
                .attr("role", "alert")
                .child(
                    el("p")
                        .class("sl-error-message")
                        .text("This connection no longer exists."),
                )
                .child(
                    el("p")
                        .class("sl-error-detail")
                        .text("It was deleted, perhaps in another tab or by the other instance."),
                )
                .child(button("Back to Connections", Msg::Back))
                .into(),
        );
        return out;
    }
    let c = match &p.conn {
        Load::Loading => {
            out.push(
                el("p")
                    .class("sl-loading")
                    .attr("role", "status")
                    .text("Loading the connection…")
                    .into(),
            );
            return out;
        }
        Load::Failed(e) => {
            out.push(
                el("div")
                    .class("sl-alert")
                    .attr("role", "alert")
                    .children(error_lines(e))
                    .child(button("Retry", Msg::Page(P::Retry)))
                    .into(),
            );
            return out;
        }
        Load::Loaded(c) => c,
    };
    let tab = |label: &'static str, t: Tab| -> Node<Msg> {
        button(label, Msg::Tab(t))
            .class("sl-tab")
            .attr("role", "tab")
            .attr("aria-selected", if p.tab == t { "true" } else { "false" })
            .into()
    };
    out.push(
        el("div")
            .class("sl-tabs")
            .attr("role", "tablist")
            .child(tab("Details", Tab::Details))
            .child(tab("Rules", Tab::Rules))
            .into(),
    );
    let panel = el("section").class("sl-panel").attr("role", "tabpanel");
    out.push(
        match (&p.tab, &p.rules) {
            (Tab::Rules, Some(r)) => rules_panel(panel, r),
            _ => details_panel(panel, p, c, instance_name),
        }
        .into(),
    );
    out
}

fn or_unknown(s: Option<&str>) -> &str {
    s.unwrap_or(PRIVATE_REMOTE)
}

fn joined(parts: &[&str]) -> String {
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push_str(" · ");
        }
        s.push_str(p);
    }
    s
}

fn details_panel(
    panel: Element<Msg>,
    p: &Page,
    c: &Connection,
    instance_name: &str,
) -> Element<Msg> {
    let busy = p.busy.is_some();
    let mut panel = panel
        .child(status_line(p.status.as_deref(), busy))
        .opt(p.error.as_ref().map(alert));
    panel = match &p.edit {
        Some(f) => panel.child(edit_form(f, c, busy)),
        None => panel.child(details(c, instance_name)),
    };
    let pending_here = c.status == Status::Pending && c.initiated_here;
    let bar = |b: Element<Msg>| -> Node<Msg> { b.flag("disabled", busy).into() };
    let mut actions = el("div").class("sl-actions");
    if p.edit.is_none() {
        actions = actions.child(bar(button("Edit", Msg::Page(P::Edit))));
    }
    match c.status {
        Status::Active => {
            actions = actions
                .child(bar(button("Test connection", Msg::Page(P::Test))))
                .child(bar(button("Deactivate", Msg::Page(P::Deactivate))));
        }
        Status::Deactivated => {
            actions = actions.child(bar(button("Activate", Msg::Page(P::Activate))));
        }
        Status::Pending => {}
    }
    if pending_here {
        actions = actions
            .child(bar(button(
                "Show invitation code",
                Msg::ShowCode(c.id.clone()),
            )
            .attr("id", crate::app::show_code_id(&c.id))))
            .child(bar(button(
                "Regenerate invitation",
                Msg::Page(P::Regenerate),
            )))
            .child(bar(button(
                "Cancel invitation",
                Msg::Page(P::AskCancelInvitation),
            )));
    }
    actions = actions.child(bar(
        button("Delete", Msg::Page(P::AskDelete)).class("sl-btn sl-danger")
    ));
    panel = panel.child(actions);
    if pending_here && p.confirm_cancel {
        panel = panel.child(
            el("div")
                .class("sl-confirm")
                .child(el("p").text(
                    "Cancel this invitation? Its code stops working and the pending connection is removed.",
                ))
                .child(bar(
                    primary(
                        "Yes, cancel the invitation",
                        Msg::Page(P::ConfirmCancelInvitation),
                    )
                    .class("sl-btn sl-danger"),
                ))
                .child(button("Keep the invitation", Msg::Page(P::KeepInvitation))),
        );
    }
    if let Some(typed) = &p.deleting {
        panel = panel.child(
            el("div")
                .class("sl-confirm")
                .child(el("p").text(
                    "Deleting removes this connection, its rules and its secret; the other instance is told. This cannot be undone.",
                ))
                .child(field(
                    ids::DELETE_NAME,
                    "Type the connection name to confirm",
                    false,
                    el("input")
                        .attr("type", "text")
                        .attr("autocomplete", "off")
                        .value(typed.as_str())
                        .on_input(|s| Msg::Page(P::DeleteName(s))),
                    None,
                ))
                .child(
                    button("Delete connection", Msg::Page(P::ConfirmDelete))
                        .class("sl-btn sl-danger")
                        .flag("disabled", busy || !p.delete_matches()),
                )
                .child(button("Cancel", Msg::Page(P::CancelDelete))),
        );
    }
    if let Some(code) = &p.regenerated {
        panel = panel.child(code_box(
            el("div").class("sl-code-panel"),
            &c.remote_short_name,
            code,
            p.copy,
        ));
    }
    panel
}

fn details(c: &Connection, instance_name: &str) -> Element<Msg> {
    let badge = match c.status {
        Status::Pending => "sl-badge sl-badge-pending",
        Status::Active => "sl-badge sl-badge-active",
        Status::Deactivated => "sl-badge sl-badge-deactivated",
    };
    let local = joined(&[instance_name, &c.local_short_name]);
    let remote = joined(&[
        &c.remote_short_name,
        or_unknown(c.remote_url.as_deref()),
        c.remote_platform.map_or("Unknown platform", |p| p.label()),
    ]);
    let created = time::display(c.created_at);
    let rows: [(&str, Node<Msg>); 8] = [
        ("Name", text(c.name.as_str())),
        ("Description", text(c.description.as_str())),
        (
            "Status",
            el("span").class(badge).text(c.status.label()).into(),
        ),
        ("Configuration Mode", text(c.mode.label())),
        ("Local instance", text(local)),
        ("Remote instance", text(remote)),
        ("Created", text(created)),
        (
            "Initiated by",
            text(if c.initiated_here {
                "This instance"
            } else {
                "The remote instance"
            }),
        ),
    ];
    let mut dl = el("dl").class("sl-summary");
    for (k, v) in rows {
        dl = dl.child(el("dt").text(k)).child(el("dd").child(v));
    }
    dl
}

/// A labelled control with an optional message under it.
fn field(
    id: &'static str,
    label: &'static str,
    required: bool,
    control: Element<Msg>,
    error: Option<String>,
) -> Element<Msg> {
    let mut l = el("label").attr("for", id).text(label);
    if required {
        l = l.child(el("span").class("sl-req").text("*"));
    }
    let err_id = if id == ids::EDIT_NAME {
        "sl-edit-name-error"
    } else {
        "sl-field-error"
    };
    let mut control = control
        .id(id)
        .class("sl-input")
        .attr("spellcheck", "false")
        .attr(
            "aria-invalid",
            if error.is_some() { "true" } else { "false" },
        );
    if error.is_some() {
        control = control.attr("aria-describedby", err_id);
    }
    el("div")
        .class("sl-field")
        .child(el("div").class("sl-label-row").child(l))
        .child(control)
        .opt(error.map(|e| el("p").id(err_id).class("sl-field-error").text(e)))
}

fn edit_form(f: &page::EditForm, c: &Connection, busy: bool) -> Element<Msg> {
    let name_error = f.name_error();
    let desc_error = f.description_error();
    let invalid = name_error.is_some() || desc_error.is_some();
    let mut mode = String::from("Configuration Mode: ");
    mode.push_str(c.mode.label());
    mode.push_str(" (chosen once; it cannot be changed)");
    el("div")
        .class("sl-body sl-edit")
        .child(field(
            ids::EDIT_NAME,
            "Connection name",
            true,
            el("input")
                .attr("type", "text")
                .attr("autocomplete", "off")
                .attr("aria-required", "true")
                .value(f.name.as_str())
                .on_input(|s| Msg::Page(P::EditName(s))),
            name_error,
        ))
        .child(field(
            ids::EDIT_DESCRIPTION,
            "Description",
            false,
            el("textarea")
                .attr("rows", "3")
                .value(f.description.as_str())
                .on_input(|s| Msg::Page(P::EditDescription(s))),
            desc_error,
        ))
        .child(el("p").class("sl-note").text(mode))
        .child(
            el("div")
                .class("sl-actions")
                .child(primary("Save", Msg::Page(P::Save)).flag("disabled", busy || invalid))
                .child(button("Cancel", Msg::Page(P::CancelEdit))),
        )
}

// ---- Rules ----

fn rmsg(m: RMsg) -> Msg {
    Msg::Page(P::Rules(m))
}

fn rules_panel(panel: Element<Msg>, r: &RulesTab) -> Element<Msg> {
    let rules = match &r.rules {
        Load::Loading => {
            return panel.child(
                el("p")
                    .class("sl-loading")
                    .attr("role", "status")
                    .text("Loading the rules…"),
            );
        }
        Load::Failed(e) => return panel.child(alert(e)),
        Load::Loaded(rules) => rules,
    };
    let busy = r.busy.is_some();
    let mut state = String::from("Version ");
    state.push_str(&rules.current.version.to_string());
    state.push_str(", published ");
    state.push_str(&time::display(rules.current.published_at));
    let mut panel = panel
        .child(
            el("p").class("sl-version").text(state).opt(
                r.dirty()
                    .then(|| el("span").class("sl-unsaved").text("Unpublished changes")),
            ),
        )
        .child(status_line(r.status.as_deref(), busy))
        .opt(r.error.as_ref().map(alert))
        .opt(
            r.read_only()
                .map(|why| el("p").class("sl-note sl-read-only").text(why)),
        );
    if let Some(e) = &r.conflict {
        let newer = r.newer().is_some();
        panel = panel.child(
            el("div")
                .class("sl-alert")
                .attr("role", "alert")
                .children(error_lines(e))
                .child(
                    el("div")
                        .class("sl-actions")
                        .child(
                            button("View newer version", rmsg(RMsg::ViewNewer))
                                .flag("disabled", !newer),
                        )
                        .child(
                            button("Publish anyway", rmsg(RMsg::PublishAnyway))
                                .flag("disabled", !newer || busy),
                        ),
                ),
        );
    }
    match &r.viewing {
        Some(v) => {
            let mut head = String::from("Version ");
            head.push_str(&v.version.to_string());
            panel = panel.child(el("h3").text(head));
            panel = match &v.data {
                Load::Loading => panel.child(el("p").class("sl-loading").text("Loading…")),
                Load::Failed(e) => panel.child(alert(e)),
                Load::Loaded(v) => panel.child(read_only_pair(v)),
            };
            panel = panel.child(button("Back to editing", rmsg(RMsg::BackToEditing)));
        }
        None => {
            let ro = r.read_only().is_some();
            for s in [Script::Outgoing, Script::Incoming] {
                panel = panel.child(script_editor(r, s, ro));
            }
            if !ro {
                panel = panel.child(
                    el("div").class("sl-actions").child(
                        primary("Publish", rmsg(RMsg::Publish))
                            .flag("disabled", busy || r.conflict.is_some()),
                    ),
                );
            }
        }
    }
    let ro = r.read_only().is_some();
    let history = rules.versions.iter().map(|v| {
        let mut line = String::from("Version ");
        line.push_str(&v.version.to_string());
        line.push_str(" · ");
        line.push_str(&time::display(v.published_at));
        if let Some(f) = v.restored_from {
            line.push_str(" · restored from ");
            line.push_str(&f.to_string());
        }
        let current = v.version == rules.current.version;
        el("li")
            .child(el("span").text(line))
            .child(button("View", rmsg(RMsg::View(v.version))).class("sl-btn sl-small"))
            .opt((!ro && !current).then(|| {
                button("Restore", rmsg(RMsg::Restore(v.version)))
                    .class("sl-btn sl-small")
                    .flag("disabled", busy)
            }))
            .into()
    });
    panel
        .child(el("h3").id("sl-history").text("History"))
        .child(
            el("ul")
                .class("sl-history")
                .attr("aria-labelledby", "sl-history")
                .children(history),
        )
}

/// A version's two scripts, read-only, in the editors' place.
fn read_only_pair(v: &RulesVersion) -> Element<Msg> {
    let area = |s: Script, t: &str| -> Node<Msg> {
        el("div")
            .class("sl-field")
            .child(el("p").class("sl-editor-label").text(s.label()))
            .child(
                el("textarea")
                    .class("sl-editor sl-viewer")
                    .attr("aria-label", s.label())
                    .attr("wrap", "off")
                    .flag("readonly", true)
                    .attr("rows", "12")
                    .value(t),
            )
            .into()
    };
    el("div")
        .class("sl-view")
        .child(area(Script::Outgoing, &v.outgoing))
        .child(area(Script::Incoming, &v.incoming))
}

fn script_editor(r: &RulesTab, s: Script, read_only: bool) -> Element<Msg> {
    let id = ids::editor(s);
    let value = r.text(s);
    let problems: Vec<_> = r.problems.iter().filter(|p| p.script == s).collect();
    let mut marked: Vec<u32> = problems.iter().map(|p| p.line).collect();
    marked.sort_unstable();
    marked.dedup();
    let gutter = editor::gutter(editor::line_count(value), &marked)
        .into_iter()
        .map(|(t, bad)| -> Node<Msg> {
            if bad {
                el("span").class("sl-gutter-bad").text(t).into()
            } else {
                text(t)
            }
        });
    let list_id = match s {
        Script::Outgoing => "sl-problems-outgoing",
        Script::Incoming => "sl-problems-incoming",
    };
    let mut area = el("textarea")
        .id(id)
        .class("sl-editor")
        .attr("wrap", "off")
        .attr("spellcheck", "false")
        .attr("autocomplete", "off")
        .attr("autocapitalize", "off")
        .attr("rows", "16")
        .flag("readonly", read_only)
        .value(value);
    if !read_only {
        area = area.on(
            Event::Input,
            Handler::Value(match s {
                Script::Outgoing => |v| rmsg(RMsg::Input(Script::Outgoing, v)),
                Script::Incoming => |v| rmsg(RMsg::Input(Script::Incoming, v)),
            }),
        );
    }
    if !problems.is_empty() {
        area = area
            .attr("aria-invalid", "true")
            .attr("aria-describedby", list_id);
    }
    el("div")
        .class("sl-field")
        .child(el("label").attr("for", id).text(s.label()))
        .child(
            el("div")
                .class("sl-editor-wrap")
                .child(
                    el("pre")
                        .class("sl-gutter")
                        .attr("aria-hidden", "true")
                        .children(gutter),
                )
                .child(area),
        )
        .opt((!problems.is_empty()).then(|| {
            el("ul")
                .id(list_id)
                .class("sl-problems")
                .children(problems.iter().map(|p| {
                    let mut line = String::from("Line ");
                    line.push_str(&p.line.to_string());
                    line.push_str(", column ");
                    line.push_str(&p.column.to_string());
                    line.push_str(": ");
                    line.push_str(&p.message);
                    el("li").text(line).into()
                }))
        }))
}
