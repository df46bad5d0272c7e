//! The dispatch loop: messages in, `update`, render, effects out.
//!
//! Messages are queued, and one loop drains the queue, so an event that fires while the widget
//! is rendering or running an effect (a `focus()` causes `focusout`) never borrows the model
//! twice. Effects run synchronously right after rendering, in the same event dispatch: that is
//! what lets `navigator.clipboard.writeText` run inside the click that asked for it. Requests run
//! in `spawn_local` and come back as messages.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    AbortController, Document, Element, HtmlElement, HtmlTextAreaElement, Node, ShadowRoot,
};

use crate::api::Api;
use crate::app::{self, Effect, Model, Msg};
use crate::page::{self, RMsg};
use crate::vdom;
use crate::{accept, dom, view, wizard};
use synclink_core::api::Script;

struct Runtime {
    doc: Document,
    shadow: ShadowRoot,
    api: Api,
    model: RefCell<Model>,
    /// The tree last rendered, and the DOM node made from it.
    tree: RefCell<Option<vdom::Node<Msg>>>,
    root: RefCell<Option<Node>>,
    queue: RefCell<VecDeque<Msg>>,
    busy: Cell<bool>,
    /// Aborts the probe in flight.
    probe: RefCell<Option<AbortController>>,
}

/// A mounted widget. `mount` drops it; tests keep it to feed messages and read the shadow DOM.
#[derive(Clone)]
pub struct Handle(Rc<Runtime>);

impl Handle {
    /// Feeds a message as if the shell had produced it (e.g. a load that "arrived").
    pub fn dispatch(&self, msg: Msg) {
        self.0.dispatch(msg);
    }

    /// The open shadow root the widget renders into.
    pub fn shadow_root(&self) -> ShadowRoot {
        self.0.shadow.clone()
    }

    /// Reads the current model.
    pub fn with_model<R>(&self, f: impl FnOnce(&Model) -> R) -> R {
        f(&self.0.model.borrow())
    }
}

/// Attaches an open shadow root to `host`, links the stylesheet in it, renders the page and
/// starts loading.
pub fn mount(host: Element) -> Result<Handle, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("synclink: no window"))?;
    let doc = window
        .document()
        .ok_or_else(|| JsValue::from_str("synclink: no document"))?;
    let shadow =
        host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?;
    if let Some(href) = host.get_attribute("data-stylesheet") {
        let link = doc.create_element("link")?;
        link.set_attribute("rel", "stylesheet")?;
        link.set_attribute("href", &href)?;
        shadow.append_child(&link)?;
    }
    let base = host
        .get_attribute("data-api-base")
        .unwrap_or_else(|| synclink_core::API_BASE.to_string());
    let (model, effects) = Model::init();
    let rt = Rc::new(Runtime {
        doc,
        shadow,
        api: Api::new(&base),
        model: RefCell::new(model),
        tree: RefCell::new(None),
        root: RefCell::new(None),
        queue: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
        probe: RefCell::new(None),
    });
    // One listener per event type on the shadow root, in the capture phase so that events that
    // do not bubble are seen too.
    for kind in vdom::Event::ALL {
        let rt2 = rt.clone();
        let cb =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| rt2.on_event(&e));
        rt.shadow.add_event_listener_with_callback_and_bool(
            kind.name(),
            cb.as_ref().unchecked_ref(),
            true,
        )?;
        // The listeners, and with them the runtime, live as long as the page.
        cb.forget();
    }
    // The gutter follows its editor's scroll (scroll does not bubble: capture).
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(sync_gutter);
    rt.shadow.add_event_listener_with_callback_and_bool(
        "scroll",
        cb.as_ref().unchecked_ref(),
        true,
    )?;
    cb.forget();
    // The URL hash names the connection shown: Back, Forward and reload follow it.
    let rt2 = rt.clone();
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        rt2.dispatch(Msg::Route(current_hash()));
    });
    window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref())?;
    cb.forget();
    // Unpublished rules: the browser asks before the page goes.
    let rt2 = rt.clone();
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if rt2.model.try_borrow().is_ok_and(|m| m.unsaved()) {
            e.prevent_default();
            let _ = js_sys::Reflect::set(&e, &"returnValue".into(), &"unpublished".into());
        }
    });
    window.add_event_listener_with_callback("beforeunload", cb.as_ref().unchecked_ref())?;
    cb.forget();
    // Ctrl+S / Cmd+S anywhere publishes while the Rules tab is open.
    let rt2 = rt.clone();
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        if (k.ctrl_key() || k.meta_key())
            && !k.alt_key()
            && k.key().eq_ignore_ascii_case("s")
            && rt2.model.try_borrow().is_ok_and(|m| m.publishes_on_save())
        {
            e.prevent_default();
            rt2.dispatch(Msg::Page(page::Msg::Rules(RMsg::Publish)));
        }
    });
    window.add_event_listener_with_callback_and_bool(
        "keydown",
        cb.as_ref().unchecked_ref(),
        true,
    )?;
    cb.forget();
    rt.render();
    rt.pump(effects);
    let hash = current_hash();
    if !hash.is_empty() {
        rt.dispatch(Msg::Route(hash));
    }
    Ok(Handle(rt))
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Scrolls an editor's gutter (the element before it) with it.
fn sync_gutter(e: web_sys::Event) {
    let Some(area) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
    else {
        return;
    };
    if let Some(g) = area.previous_element_sibling() {
        g.set_scroll_top(area.scroll_top());
    }
}

/// Tab and Shift+Tab in a script editor indent instead of leaving it: the key, the text and
/// the selection go to `update` (the editing itself is pure, in `editor`).
fn editor_key(e: &web_sys::Event) -> Option<Msg> {
    let k = e.dyn_ref::<web_sys::KeyboardEvent>()?;
    if k.key() != "Tab" || k.ctrl_key() || k.alt_key() || k.meta_key() {
        return None;
    }
    let area = e.target()?.dyn_into::<HtmlTextAreaElement>().ok()?;
    let script = match area.id().as_str() {
        view::ids::OUTGOING => Script::Outgoing,
        view::ids::INCOMING => Script::Incoming,
        _ => return None,
    };
    if area.read_only() {
        return None;
    }
    e.prevent_default();
    Some(Msg::Page(page::Msg::Rules(RMsg::Indent {
        script,
        value: area.value(),
        start: area.selection_start().ok().flatten().unwrap_or(0),
        end: area.selection_end().ok().flatten().unwrap_or(0),
        outdent: k.shift_key(),
    })))
}

impl Runtime {
    fn on_event(self: &Rc<Self>, e: &web_sys::Event) {
        if e.type_() == "keydown"
            && let Some(m) = editor_key(e)
        {
            self.dispatch(m);
            return;
        }
        // While a render patches the DOM the tree is taken out; events then are ignored.
        let msg = match (self.tree.try_borrow(), self.root.try_borrow()) {
            (Ok(tree), Ok(root)) => match (tree.as_ref(), root.as_ref()) {
                (Some(t), Some(r)) => dom::event_msg(r, t, e),
                _ => None,
            },
            _ => None,
        };
        if let Some(m) = msg {
            self.dispatch(m);
        }
    }

    fn dispatch(self: &Rc<Self>, msg: Msg) {
        self.queue.borrow_mut().push_back(msg);
        self.pump(Vec::new());
    }

    /// Drains the queue: update, render once, run effects; again while effects queue messages.
    fn pump(self: &Rc<Self>, mut effects: Vec<Effect>) {
        if self.busy.replace(true) {
            // The running loop picks the queued message up.
            return;
        }
        loop {
            let mut dirty = false;
            loop {
                let next = self.queue.borrow_mut().pop_front();
                let Some(msg) = next else { break };
                let fx = app::update(&mut self.model.borrow_mut(), msg);
                effects.extend(fx);
                dirty = true;
            }
            if dirty {
                self.render();
            }
            if effects.is_empty() {
                break;
            }
            for fx in std::mem::take(&mut effects) {
                self.run(fx);
            }
        }
        self.busy.set(false);
    }

    fn render(&self) {
        let new = view::view(&self.model.borrow());
        let old = self.tree.borrow_mut().take();
        let root = self.root.borrow_mut().take();
        let patched = match (&old, &root) {
            (Some(o), Some(r)) => dom::patch(&self.doc, r, o, &new).ok(),
            _ => None,
        };
        let node = match patched {
            Some(n) => n,
            None => {
                // First render, or a patch that failed: start from scratch.
                if let Some(r) = &root {
                    let _ = self.shadow.remove_child(r);
                }
                match dom::create(&self.doc, &new).and_then(|n| self.shadow.append_child(&n)) {
                    Ok(n) => n,
                    Err(_) => return,
                }
            }
        };
        *self.root.borrow_mut() = Some(node);
        *self.tree.borrow_mut() = Some(new);
    }

    fn reply(&self, msg: Msg) {
        self.queue.borrow_mut().push_back(msg);
    }

    fn element(&self, id: &str) -> Option<HtmlElement> {
        self.shadow
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    }

    fn run(self: &Rc<Self>, fx: Effect) {
        match fx {
            Effect::LoadInstance => {
                let rt = self.clone();
                spawn_local(async move {
                    let r = rt.api.instance().await;
                    rt.dispatch(Msg::InstanceLoaded(r));
                });
            }
            Effect::LoadConnections => {
                let rt = self.clone();
                spawn_local(async move {
                    let r = rt.api.connections().await;
                    rt.dispatch(Msg::ConnectionsLoaded(r));
                });
            }
            Effect::PollAfter(ms) => {
                let rt = self.clone();
                let tick = Closure::once_into_js(move || rt.dispatch(Msg::PollTick));
                if let Some(w) = web_sys::window() {
                    // Without a timer (never in a browser) the list simply stops refreshing.
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        tick.unchecked_ref(),
                        i32::try_from(ms).unwrap_or(i32::MAX),
                    );
                }
            }
            Effect::NewIdempotencyKey => {
                self.reply(Msg::Wizard(wizard::Msg::IdempotencyKey(random_key())))
            }
            Effect::Probe { req, url } => {
                let Ok(ctrl) = AbortController::new() else {
                    let err =
                        crate::api::ApiError::Unreachable("AbortController is missing.".into());
                    self.reply(Msg::Wizard(wizard::Msg::ProbeAnswered {
                        req,
                        result: Err(err),
                    }));
                    return;
                };
                let signal = ctrl.signal();
                if let Some(old) = self.probe.replace(Some(ctrl)) {
                    old.abort();
                }
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.probe(&url, &signal).await;
                    rt.dispatch(Msg::Wizard(wizard::Msg::ProbeAnswered { req, result }));
                });
            }
            Effect::AbortProbe => {
                if let Some(c) = self.probe.take() {
                    c.abort();
                }
            }
            Effect::Create {
                req,
                idempotency_key,
                body,
            } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.create(&body, &idempotency_key).await;
                    rt.dispatch(Msg::Wizard(wizard::Msg::Created { req, result }));
                });
            }
            Effect::AcceptInvitation {
                req,
                invitation_code,
            } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.accept(&invitation_code).await;
                    rt.dispatch(Msg::Accept(accept::Msg::Answered { req, result }));
                });
            }
            Effect::LoadInvitation { req, connection_id } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.invitation(&connection_id).await;
                    rt.dispatch(Msg::CodeLoaded { req, result });
                });
            }
            Effect::Copy(text) => self.copy(&text),
            Effect::Select(id) => {
                if let Some(el) = self.element(id) {
                    let _ = el.focus();
                    if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
                        area.select();
                    } else if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                        input.select();
                    }
                }
            }
            Effect::Focus(id) => {
                if let Some(el) = self.element(id) {
                    let _ = el.focus();
                }
            }
            Effect::FocusId(id) => {
                if let Some(el) = self.element(&id) {
                    let _ = el.focus();
                }
            }
            Effect::SetHash(h) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().set_hash(&h);
                }
            }
            Effect::ReplaceHash(h) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().replace(&h);
                }
            }
            Effect::SetCaret { id, start, end } => {
                if let Some(a) = self
                    .element(id)
                    .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
                {
                    let _ = a.set_selection_range(start, end);
                }
            }
            Effect::LoadConnection { req, id } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.connection(&id).await;
                    rt.dispatch(Msg::Page(page::Msg::Loaded { req, result }));
                });
            }
            Effect::Act { req, id, action } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.act(&id, &action).await;
                    rt.dispatch(Msg::Page(page::Msg::Acted { req, result }));
                });
            }
            Effect::LoadRules { req, id } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.rules(&id).await;
                    rt.dispatch(Msg::Page(page::Msg::Rules(RMsg::Loaded { req, result })));
                });
            }
            Effect::LoadVersion { req, id, version } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.version(&id, version).await;
                    rt.dispatch(Msg::Page(page::Msg::Rules(RMsg::VersionLoaded {
                        req,
                        result,
                    })));
                });
            }
            Effect::Publish { req, id, body } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.publish(&id, &body).await;
                    rt.dispatch(Msg::Page(page::Msg::Rules(RMsg::Published { req, result })));
                });
            }
            Effect::Restore {
                req,
                id,
                version,
                base,
            } => {
                let rt = self.clone();
                spawn_local(async move {
                    let result = rt.api.restore(&id, version, base).await;
                    rt.dispatch(Msg::Page(page::Msg::Rules(RMsg::Restored { req, result })));
                });
            }
        }
    }

    /// `navigator.clipboard.writeText`, called right here, inside the click's dispatch: browsers
    /// only allow it during a user gesture.
    fn copy(self: &Rc<Self>, text: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let nav = window.navigator();
        let available = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard"))
            .is_ok_and(|c| c.is_object());
        if !available {
            // Not a secure context, or an old browser.
            self.reply(Msg::Copied(false));
            return;
        }
        let promise = nav.clipboard().write_text(text);
        let rt = self.clone();
        spawn_local(async move {
            let ok = JsFuture::from(promise).await.is_ok();
            rt.dispatch(Msg::Copied(ok));
        });
    }
}

/// 128 random bits from `crypto.getRandomValues`, as hex.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (never in a supported browser): still unique per wizard in practice.
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (js_sys::Math::random() * 256.0) as u8 ^ (i as u8);
        }
    }
    // The Idempotency-Key header value: core's hex, as connection ids are written.
    synclink_core::invitation::hex(&bytes)
}
