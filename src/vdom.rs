//! A small virtual DOM: elements, attributes, text and event handlers, as plain data.
//!
//! The builder methods are `#[inline(never)]`: the view calls them hundreds of times, and one
//! out-of-line copy each keeps the wasm about 8 KB smaller (1 KB gzip) than inlining them.
//!
//! Architecture invariant: nothing here touches the browser. `view` builds a tree of these,
//! native tests read it, and the wasm shell (`dom.rs`) turns it into real nodes. Text is always
//! text: there is no way to express raw HTML, so whatever an administrator or a remote instance
//! typed can only ever become a text node or a property value.

/// The DOM events the widget listens to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Click,
    Input,
    Change,
    /// Focus leaving the element (`focusout`).
    Blur,
    KeyDown,
}

impl Event {
    pub const ALL: [Event; 5] = [
        Event::Click,
        Event::Input,
        Event::Change,
        Event::Blur,
        Event::KeyDown,
    ];

    /// The DOM event type.
    pub fn name(self) -> &'static str {
        match self {
            Event::Click => "click",
            Event::Input => "input",
            Event::Change => "change",
            Event::Blur => "focusout",
            Event::KeyDown => "keydown",
        }
    }

    pub fn from_name(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// What an event turns into.
#[derive(Clone, Debug)]
pub enum Handler<M> {
    /// Always this message.
    Msg(M),
    /// The element's `value` property, made into a message.
    Value(fn(String) -> M),
    /// The element's `checked` property, made into a message.
    Checked(fn(bool) -> M),
    /// This message when the key pressed is this one (`KeyboardEvent.key`).
    Key(&'static str, M),
    /// A message made of everything the shell read, the time included: for state machines
    /// that must not read the clock themselves.
    With(fn(&EventData) -> M),
}

/// What the shell read from the event, for [`Element::handle`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventData {
    pub value: String,
    pub checked: bool,
    pub key: String,
    /// When the event happened, in Unix seconds (the shell reads the clock).
    pub now: u64,
}

#[derive(Clone, Debug)]
pub struct Element<M> {
    pub tag: &'static str,
    /// Attributes in order; a boolean attribute is present with an empty value.
    pub attrs: Vec<(&'static str, String)>,
    /// The `value` property (inputs and text areas): set as a property, never as markup.
    pub value: Option<String>,
    /// The `checked` property (check boxes and radio buttons).
    pub checked: Option<bool>,
    pub listeners: Vec<(Event, Handler<M>)>,
    pub children: Vec<Node<M>>,
}

#[derive(Clone, Debug)]
pub enum Node<M> {
    Element(Element<M>),
    Text(String),
}

/// A new element.
#[inline(never)]
pub fn el<M>(tag: &'static str) -> Element<M> {
    Element {
        tag,
        attrs: Vec::new(),
        value: None,
        checked: None,
        listeners: Vec::new(),
        children: Vec::new(),
    }
}

/// A text node.
pub fn text<M>(s: impl Into<String>) -> Node<M> {
    Node::Text(s.into())
}

impl<M> From<Element<M>> for Node<M> {
    fn from(e: Element<M>) -> Self {
        Node::Element(e)
    }
}

impl<M> Element<M> {
    #[inline(never)]
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    /// A boolean attribute (`disabled`, `readonly`, …), present only when `on`.
    #[inline(never)]
    pub fn flag(self, name: &'static str, on: bool) -> Self {
        if on { self.attr(name, "") } else { self }
    }

    #[inline(never)]
    pub fn id(self, id: &'static str) -> Self {
        self.attr("id", id)
    }

    /// Sets the `class` attribute, replacing an earlier one.
    #[inline(never)]
    pub fn class(mut self, class: &'static str) -> Self {
        self.attrs.retain(|(n, _)| *n != "class");
        self.attr("class", class)
    }

    #[inline(never)]
    pub fn value(mut self, v: impl Into<String>) -> Self {
        self.value = Some(v.into());
        self
    }

    #[inline(never)]
    pub fn checked(mut self, on: bool) -> Self {
        self.checked = Some(on);
        self
    }

    #[inline(never)]
    pub fn on(mut self, event: Event, handler: Handler<M>) -> Self {
        self.listeners.push((event, handler));
        self
    }

    #[inline(never)]
    pub fn on_click(self, msg: M) -> Self {
        self.on(Event::Click, Handler::Msg(msg))
    }

    #[inline(never)]
    pub fn on_input(self, f: fn(String) -> M) -> Self {
        self.on(Event::Input, Handler::Value(f))
    }

    #[inline(never)]
    pub fn on_blur(self, msg: M) -> Self {
        self.on(Event::Blur, Handler::Msg(msg))
    }

    #[inline(never)]
    pub fn on_key(self, key: &'static str, msg: M) -> Self {
        self.on(Event::KeyDown, Handler::Key(key, msg))
    }

    #[inline(never)]
    pub fn child(mut self, n: impl Into<Node<M>>) -> Self {
        self.children.push(n.into());
        self
    }

    /// A child only when there is one.
    #[inline(never)]
    pub fn opt(mut self, n: Option<impl Into<Node<M>>>) -> Self {
        if let Some(n) = n {
            self.children.push(n.into());
        }
        self
    }

    #[inline(never)]
    pub fn children(mut self, ns: impl IntoIterator<Item = Node<M>>) -> Self {
        self.children.extend(ns);
        self
    }

    /// A text child.
    #[inline(never)]
    pub fn text(self, s: impl Into<String>) -> Self {
        self.child(Node::Text(s.into()))
    }

    pub fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_attr(&self, name: &str) -> bool {
        self.get_attr(name).is_some()
    }
}

impl<M: Clone> Element<M> {
    /// The message this element's handler for `event` makes of `data`, if any.
    pub fn handle(&self, event: Event, data: &EventData) -> Option<M> {
        self.listeners
            .iter()
            .filter(|(e, _)| *e == event)
            .find_map(|(_, h)| match h {
                Handler::Msg(m) => Some(m.clone()),
                Handler::Value(f) => Some(f(data.value.clone())),
                Handler::Checked(f) => Some(f(data.checked)),
                Handler::Key(k, m) => (*k == data.key).then(|| m.clone()),
                Handler::With(f) => Some(f(data)),
            })
    }
}

impl<M> Node<M> {
    pub fn as_element(&self) -> Option<&Element<M>> {
        match self {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// The concatenated text of this node and its descendants, like `textContent`.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        match self {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => e.children.iter().for_each(|c| c.collect_text(out)),
        }
    }

    /// Every element in document order.
    pub fn elements(&self) -> Vec<&Element<M>> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a Element<M>>) {
        if let Node::Element(e) = self {
            out.push(e);
            e.children.iter().for_each(|c| c.walk(out));
        }
    }

    /// The element with this `id`.
    pub fn by_id(&self, id: &str) -> Option<&Element<M>> {
        self.elements()
            .into_iter()
            .find(|e| e.get_attr("id") == Some(id))
    }

    /// The `<button>` whose text is exactly `label`.
    pub fn button(&self, label: &str) -> Option<&Element<M>> {
        self.elements()
            .into_iter()
            .find(|e| e.tag == "button" && e.text_content() == label)
    }

    /// The node at this path of child indexes, starting here.
    pub fn at_path(&self, path: &[usize]) -> Vec<&Element<M>> {
        let mut out = Vec::new();
        let mut node = self;
        if let Node::Element(e) = node {
            out.push(e);
        }
        for &i in path {
            match node {
                Node::Element(e) => match e.children.get(i) {
                    Some(c) => node = c,
                    None => break,
                },
                Node::Text(_) => break,
            }
            if let Node::Element(e) = node {
                out.push(e);
            }
        }
        out
    }
}

impl<M> Element<M> {
    /// Like `textContent`.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        self.children.iter().for_each(|c| c.collect_text(&mut out));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    enum Msg {
        Clicked,
        Typed(String),
        Ticked(bool),
        Escape,
        At(u64),
    }

    #[test]
    fn handlers_make_messages_from_event_data() {
        let e: Element<Msg> = el("input")
            .on_click(Msg::Clicked)
            .on_input(Msg::Typed)
            .on(Event::Change, Handler::Checked(Msg::Ticked))
            .on_key("Escape", Msg::Escape);
        let data = EventData {
            value: "abc".into(),
            checked: true,
            key: "Enter".into(),
            now: 1_800_000_000,
        };
        assert_eq!(e.handle(Event::Click, &data), Some(Msg::Clicked));
        assert_eq!(
            e.handle(Event::Input, &data),
            Some(Msg::Typed("abc".into()))
        );
        assert_eq!(e.handle(Event::Change, &data), Some(Msg::Ticked(true)));
        assert_eq!(e.handle(Event::KeyDown, &data), None);
        let esc = EventData {
            key: "Escape".into(),
            ..data
        };
        assert_eq!(e.handle(Event::KeyDown, &esc), Some(Msg::Escape));
        assert_eq!(e.handle(Event::Blur, &esc), None);
        let timed: Element<Msg> = el("button").on(Event::Click, Handler::With(|d| Msg::At(d.now)));
        assert_eq!(
            timed.handle(Event::Click, &esc),
            Some(Msg::At(1_800_000_000))
        );
    }

    #[test]
    fn text_and_lookups() {
        let tree: Node<Msg> = el("div")
            .child(
                el("button")
                    .attr("type", "button")
                    .text("Next")
                    .on_click(Msg::Clicked),
            )
            .child(el("p").id("x").text("a ").child(el("b").text("b")))
            .into();
        assert_eq!(tree.text_content(), "Nexta b");
        assert!(tree.button("Next").is_some());
        assert!(tree.button("Nex").is_none());
        assert_eq!(tree.by_id("x").map(|e| e.tag), Some("p"));
        let path = tree.at_path(&[1, 1]);
        assert_eq!(
            path.iter().map(|e| e.tag).collect::<Vec<_>>(),
            ["div", "p", "b"]
        );
        assert_eq!(Event::from_name("focusout"), Some(Event::Blur));
    }
}
