// Loads the synclink widget into the admin page. A file of its own because the page's
// Content-Security-Policy allows no inline script.
import init, { mount } from "/pkg/synclink.js";

const root = document.getElementById("synclink-root");
// ServiceNow pages expose the session's anti-CSRF token as window.g_ck; the node puts it in a
// meta tag, since inline script is not allowed.
window.g_ck = document.querySelector('meta[name="g_ck"]')?.content ?? "";
await init({ module_or_path: "/pkg/synclink_bg.wasm" });
mount(root);
