//! **Copy invitation code**: one component for the wizard's last step and the **Invitation
//! code** dialog of a `Pending` connection. The view is `view::code_box`; the shell copies in
//! [`Effect::Copy`] and answers with `app::Msg::Copied`.
//!
//! Architecture invariant: no `web_sys` here.

use crate::app::Effect;
use crate::view::ids;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CopyState {
    #[default]
    Idle,
    Copied,
    /// The clipboard refused: the code is selected, press Ctrl+C.
    Manual,
}

impl CopyState {
    /// Copy invitation code was pressed: ask the clipboard, within the click.
    pub fn copy(&mut self, code: &str) -> Vec<Effect> {
        *self = CopyState::Idle;
        vec![Effect::Copy(code.to_string())]
    }

    /// The clipboard's answer. When it refused, the code is selected for Ctrl+C.
    pub fn copied(&mut self, ok: bool) -> Vec<Effect> {
        if ok {
            *self = CopyState::Copied;
            vec![]
        } else {
            *self = CopyState::Manual;
            vec![Effect::Select(ids::CODE)]
        }
    }

    /// What the status next to the button says.
    pub fn status(self) -> Option<&'static str> {
        match self {
            CopyState::Idle => None,
            CopyState::Copied => Some("Copied"),
            CopyState::Manual => Some("Press Ctrl+C to copy"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_then_fallback() {
        let mut c = CopyState::default();
        assert_eq!(c.status(), None);
        assert_eq!(c.copy("CODE"), vec![Effect::Copy("CODE".into())]);
        assert!(c.copied(true).is_empty());
        assert_eq!(c.status(), Some("Copied"));
        c.copy("CODE");
        assert_eq!(c, CopyState::Idle, "a new try clears the last answer");
        assert_eq!(c.copied(false), vec![Effect::Select(ids::CODE)]);
        assert_eq!(c.status(), Some("Press Ctrl+C to copy"));
    }
}
