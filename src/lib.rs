//! The synclink Connections widget: the Connections page, the **Initiate connection** wizard and
//! the **Accept invitation** dialog, rendered into an open shadow root of the host page's
//! `#synclink-root`.
//!
//! Architecture invariant: the state machines (`app`, `wizard`, `accept`, `copy`), the view and
//! the virtual DOM are plain Rust with no `web_sys` and no clock, tested natively. Only `dom`,
//! `runtime` and the calls in `api` touch the browser.

pub mod accept;
pub mod api;
pub mod app;
pub mod copy;
pub mod editor;
pub mod page;
#[cfg(test)]
mod page_tests;
pub mod page_view;
pub mod vdom;
pub mod view;
pub mod wizard;

#[cfg(target_arch = "wasm32")]
pub mod dom;
#[cfg(target_arch = "wasm32")]
pub mod runtime;

/// Renders the widget into `root` (`<div id="synclink-root" data-api-base=… data-stylesheet=…>`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(root: web_sys::Element) -> Result<(), wasm_bindgen::JsValue> {
    console_error_panic_hook::set_once();
    runtime::mount(root).map(|_| ())
}
