//! Helpers for the end-to-end tests: start nodes and a browser.
