//! The virtual DOM made real: create, patch with a minimal diff, and find the message an event
//! means.
//!
//! Patching works child by child, by position: an element whose tag stays is kept and only its
//! changed attributes are written, so the field being typed in keeps its focus and caret. The
//! `value` and `checked` properties are compared with the live element, not with the previous
//! tree, and written only when they differ. Text goes in with `createTextNode` and
//! `nodeValue`, never as markup.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent, Node};

use crate::vdom::{self, EventData};

type VNode<M> = vdom::Node<M>;
type VElement<M> = vdom::Element<M>;

/// A new DOM node for `v`.
pub fn create<M>(doc: &Document, v: &VNode<M>) -> Result<Node, JsValue> {
    match v {
        VNode::Text(t) => Ok(doc.create_text_node(t).into()),
        VNode::Element(e) => {
            let el = doc.create_element(e.tag)?;
            for (name, value) in &e.attrs {
                el.set_attribute(name, value)?;
            }
            for c in &e.children {
                el.append_child(&create(doc, c)?)?;
            }
            set_properties(&el, e);
            Ok(el.into())
        }
    }
}

fn set_properties<M>(el: &Element, e: &VElement<M>) {
    let input = el.dyn_ref::<HtmlInputElement>();
    if let Some(v) = &e.value {
        match (input, el.dyn_ref::<HtmlTextAreaElement>()) {
            (Some(i), _) if i.value() != *v => i.set_value(v),
            (None, Some(a)) if a.value() != *v => a.set_value(v),
            _ => {}
        }
    }
    match (e.checked, input) {
        (Some(on), Some(i)) if i.checked() != on => i.set_checked(on),
        _ => {}
    }
}

/// Brings `dom` (rendered from `old`) in line with `new`; returns the node now in its place.
pub fn patch<M>(
    doc: &Document,
    dom: &Node,
    old: &VNode<M>,
    new: &VNode<M>,
) -> Result<Node, JsValue> {
    match (old, new) {
        (VNode::Text(a), VNode::Text(b)) => {
            if a != b {
                dom.set_node_value(Some(b));
            }
            Ok(dom.clone())
        }
        (VNode::Element(a), VNode::Element(b)) if a.tag == b.tag => {
            let el: &Element = dom.unchecked_ref();
            for (name, _) in &a.attrs {
                if !b.has_attr(name) {
                    el.remove_attribute(name)?;
                }
            }
            for (name, value) in &b.attrs {
                if a.get_attr(name) != Some(value.as_str()) {
                    el.set_attribute(name, value)?;
                }
            }
            patch_children(doc, dom, &a.children, &b.children)?;
            set_properties(el, b);
            Ok(dom.clone())
        }
        _ => {
            let fresh = create(doc, new)?;
            if let Some(parent) = dom.parent_node() {
                parent.replace_child(&fresh, dom)?;
            }
            Ok(fresh)
        }
    }
}

fn patch_children<M>(
    doc: &Document,
    parent: &Node,
    old: &[VNode<M>],
    new: &[VNode<M>],
) -> Result<(), JsValue> {
    let kids = parent.child_nodes();
    for (i, n) in new.iter().enumerate() {
        match (old.get(i), kids.item(i as u32)) {
            (Some(o), Some(d)) => {
                patch(doc, &d, o, n)?;
            }
            _ => {
                parent.append_child(&create(doc, n)?)?;
            }
        }
    }
    for _ in new.len()..old.len() {
        if let Some(last) = parent.last_child() {
            parent.remove_child(&last)?;
        }
    }
    Ok(())
}

/// This node's position among its parent's children.
fn index_in_parent(n: &Node) -> usize {
    let mut i = 0;
    let mut cur = n.previous_sibling();
    while let Some(p) = cur {
        i += 1;
        cur = p.previous_sibling();
    }
    i
}

fn read_event_data(node: &JsValue, key: &str) -> EventData {
    let get = |name: &str| {
        js_sys::Reflect::get(node, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    };
    EventData {
        value: get("value").as_string().unwrap_or_default(),
        checked: get("checked").is_truthy(),
        key: key.into(),
        now: (js_sys::Date::now() / 1000.0) as u64,
    }
}

/// The message `event` means: the handler of the event's target, or of the nearest ancestor
/// that has one, as events bubble. `root` is the DOM node rendered from `tree`.
pub fn event_msg<M: Clone>(root: &Node, tree: &VNode<M>, event: &web_sys::Event) -> Option<M> {
    let kind = vdom::Event::from_name(&event.type_())?;
    // From the target up to (not including) the widget's root.
    let path = event.composed_path();
    let mut chain: Vec<Node> = Vec::new();
    let mut reached_root = false;
    for item in path.iter() {
        let Ok(node) = item.dyn_into::<Node>() else {
            break;
        };
        if node.is_same_node(Some(root)) {
            reached_root = true;
            break;
        }
        chain.push(node);
    }
    if !reached_root {
        return None;
    }
    chain.reverse();
    let indexes: Vec<usize> = chain.iter().map(index_in_parent).collect();
    let elements = tree.at_path(&indexes);
    let key = event
        .dyn_ref::<KeyboardEvent>()
        .map(|k| k.key())
        .unwrap_or_default();
    // elements[0] is the root; elements[i] matches chain[i - 1].
    let dom_nodes: Vec<JsValue> = std::iter::once(root.clone().into())
        .chain(chain.into_iter().map(Into::into))
        .collect();
    elements
        .iter()
        .zip(dom_nodes.iter())
        .rev()
        .find_map(|(v, d)| {
            if v.listeners.iter().any(|(e, _)| *e == kind) {
                v.handle(kind, &read_event_data(d, &key))
            } else {
                None
            }
        })
}
