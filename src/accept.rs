//! The **Accept invitation** dialog as a state machine: paste the code, see what it says,
//! confirm.
//!
//! Architecture invariant: no `web_sys` here, and no clock: every message that needs the time
//! carries `now` (Unix seconds), read by the shell when the event happened. The code is decoded
//! and checked with core's codec, the very one the node uses, so a truncated, mistyped,
//! unknown-version or expired code is refused before any request.

use synclink_core::api::Connection;
use synclink_core::invitation::{CodeError, Invitation};

use crate::api::ApiError;
use crate::app::{Effect, RequestIds};
use crate::view::ids;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The **Invitation code** field.
    Code,
    /// What the code says, with **Confirm**.
    Preview,
    /// The connection is Active.
    Accepted,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The field's text as typed or pasted, at `now`.
    Input(String, u64),
    Next(u64),
    Previous,
    Confirm(u64),
    /// The node's answer to [`Effect::AcceptInvitation`].
    Answered {
        req: u64,
        result: Result<Connection, ApiError>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Accept {
    pub step: Step,
    /// The field's text, as pasted (white space and all).
    pub text: String,
    /// What the text decodes to, or why it is refused; None until something was typed, so that
    /// an untouched field does not shout.
    pub check: Option<Result<Invitation, CodeError>>,
    /// The accept request in flight.
    pub confirming: Option<u64>,
    /// The node refused, or could not be asked.
    pub error: Option<ApiError>,
    pub accepted: Option<Connection>,
}

impl Default for Accept {
    fn default() -> Self {
        Accept::new()
    }
}

impl Accept {
    pub fn new() -> Accept {
        Accept {
            step: Step::Code,
            text: String::new(),
            check: None,
            confirming: None,
            error: None,
            accepted: None,
        }
    }

    /// The decoded, unexpired invitation.
    pub fn invitation(&self) -> Option<&Invitation> {
        self.check.as_ref()?.as_ref().ok()
    }

    /// Why the code is refused, once something was typed.
    pub fn code_error(&self) -> Option<&CodeError> {
        self.check.as_ref()?.as_ref().err()
    }

    pub fn can_next(&self) -> bool {
        self.step == Step::Code && self.invitation().is_some()
    }

    pub fn can_previous(&self) -> bool {
        self.step == Step::Preview && self.confirming.is_none()
    }

    pub fn can_confirm(&self) -> bool {
        self.step == Step::Preview && self.confirming.is_none() && self.invitation().is_some()
    }

    /// Re-checks the expiry at `now`; an expired code goes back to the field with its message.
    fn still_valid(&mut self, now: u64, fx: &mut Vec<Effect>) -> bool {
        let Some(Err(e)) = self.invitation().map(|i| i.check_expiry(now)) else {
            return true;
        };
        self.check = Some(Err(e));
        self.step = Step::Code;
        self.error = None;
        fx.push(Effect::Focus(ids::INVITATION));
        false
    }
}

pub fn update(a: &mut Accept, msg: Msg, ids: &mut RequestIds) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Input(text, now) => {
            if a.step == Step::Code {
                a.check = Some(Invitation::decode_at(&text, now));
                a.text = text;
            }
        }
        Msg::Next(now) => {
            if a.can_next() && a.still_valid(now, &mut fx) {
                a.step = Step::Preview;
                a.error = None;
                fx.push(Effect::Focus(ids::CONFIRM));
            }
        }
        Msg::Previous => {
            if a.can_previous() {
                a.step = Step::Code;
                a.error = None;
                fx.push(Effect::Focus(ids::INVITATION));
            }
        }
        Msg::Confirm(now) => {
            if a.can_confirm() && a.still_valid(now, &mut fx) {
                let req = ids.fresh();
                a.confirming = Some(req);
                a.error = None;
                // As pasted: the node decodes with the same codec, white space and all.
                fx.push(Effect::AcceptInvitation {
                    req,
                    invitation_code: a.text.clone(),
                });
            }
        }
        Msg::Answered { req, result } => {
            if a.confirming != Some(req) {
                return fx;
            }
            a.confirming = None;
            match result {
                Ok(c) => {
                    a.accepted = Some(c);
                    a.step = Step::Accepted;
                    fx.push(Effect::Focus(ids::NEXT));
                }
                // The code stays: the admin may try again once the cause is gone.
                Err(e) => {
                    a.error = Some(e);
                    fx.push(Effect::Focus(ids::CONFIRM));
                }
            }
        }
    }
    fx
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use synclink_core::{Mode, Platform, Status};

    pub(crate) const NOW: u64 = 1_795_849_355;
    pub(crate) const EXPIRES: u64 = NOW + 7 * 24 * 3600;

    pub(crate) fn invitation() -> Invitation {
        Invitation {
            initiator_url: "http://127.0.0.1:8081".into(),
            initiator_platform: Platform::ServiceNow,
            initiator_short_name: "company_a".into(),
            connection_id: [0xab; 16],
            connection_name: "company_a_to_company_b".into(),
            remote_short_name: "company_b".into(),
            mode: Mode::Script,
            expires_at: EXPIRES,
            secret: [42; 32],
        }
    }

    /// The connection the accepting node answers with.
    pub(crate) fn accepted() -> Connection {
        Connection {
            id: "ab".repeat(16),
            name: "company_a_to_company_b".into(),
            description: String::new(),
            local_short_name: "company_b".into(),
            remote_short_name: "company_a".into(),
            remote_url: Some("http://127.0.0.1:8081".into()),
            remote_platform: Some(Platform::ServiceNow),
            mode: Mode::Script,
            status: Status::Active,
            initiated_here: false,
            created_at: NOW as i64,
            updated_at: NOW as i64,
        }
    }

    struct T {
        a: Accept,
        ids: RequestIds,
    }

    impl T {
        fn new() -> T {
            T {
                a: Accept::new(),
                ids: RequestIds::default(),
            }
        }
        fn send(&mut self, m: Msg) -> Vec<Effect> {
            update(&mut self.a, m, &mut self.ids)
        }
        fn paste(&mut self, text: &str) -> Vec<Effect> {
            self.send(Msg::Input(text.into(), NOW))
        }
        fn message(&self) -> Option<String> {
            self.a.code_error().map(|e| e.to_string())
        }
        /// Pasted a valid code, Next, Confirm: returns the request id.
        fn confirm(&mut self) -> u64 {
            self.paste(&invitation().encode());
            self.send(Msg::Next(NOW));
            match self.send(Msg::Confirm(NOW)).as_slice() {
                [Effect::AcceptInvitation { req, .. }] => *req,
                other => panic!("expected one accept, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_untouched_field_is_quiet_and_next_is_disabled() {
        let mut t = T::new();
        assert_eq!(t.message(), None);
        assert!(!t.a.can_next());
        assert!(t.send(Msg::Next(NOW)).is_empty());
        t.paste("  \n ");
        assert_eq!(t.message().as_deref(), Some("Paste the invitation code."));
        assert!(!t.a.can_next());
    }

    #[test]
    fn every_refusal_says_which() {
        let code = invitation().encode();
        // Version byte 1 → 2: the second base64 character moves 16 places ("AQ…" → "Ag…").
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let second = B64.iter().position(|&c| c == code.as_bytes()[1]).unwrap();
        let v2 = format!("A{}{}", B64[second + 16] as char, &code[2..]);
        let mut damaged = code.clone().into_bytes();
        damaged[20] = if damaged[20] == b'x' { b'y' } else { b'x' };
        let damaged = String::from_utf8(damaged).unwrap();
        let cases = [
            (
                code[..code.len() - 8].to_string(),
                "The invitation code is incomplete: its end is missing. Copy it again in full.",
            ),
            (
                damaged,
                "The invitation code is damaged: a character was changed or lost. Copy it again.",
            ),
            (
                v2,
                "This invitation code was made by a newer version of synclink (format 2); update this instance to accept it.",
            ),
            (
                "Hello, here is the code".into(),
                "This is not an invitation code: it contains ',', which never appears in one.",
            ),
        ];
        let mut t = T::new();
        for (text, want) in cases {
            t.paste(&text);
            assert_eq!(t.message().as_deref(), Some(want), "{text}");
            assert!(!t.a.can_next());
            assert!(t.send(Msg::Next(NOW)).is_empty());
            assert_eq!(t.a.step, Step::Code);
        }
        // Past its expiry, by the time the shell gave.
        t.send(Msg::Input(code.clone(), EXPIRES));
        assert_eq!(
            t.message().as_deref(),
            Some(
                "This invitation code expired at 2026-12-05 07:02 UTC. Ask the other side for a new one."
            )
        );
        assert!(!t.a.can_next());
        t.send(Msg::Input(code, EXPIRES - 1));
        assert_eq!(t.message(), None);
        assert!(t.a.can_next());
    }

    #[test]
    fn white_space_and_line_breaks_do_not_matter() {
        let code = invitation().encode();
        let wrapped: String = code
            .as_bytes()
            .chunks(30)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n   ");
        let mut t = T::new();
        t.paste(&format!("\n  {wrapped}\t\n"));
        assert_eq!(t.a.invitation(), Some(&invitation()));
        let fx = t.send(Msg::Next(NOW));
        assert_eq!(fx, vec![Effect::Focus(ids::CONFIRM)]);
        let fx = t.send(Msg::Confirm(NOW));
        let [
            Effect::AcceptInvitation {
                invitation_code, ..
            },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(
            Invitation::decode(invitation_code),
            Ok(invitation()),
            "the node reads the same code"
        );
        assert_eq!(invitation().encode(), code);
    }

    #[test]
    fn next_shows_the_code_and_previous_keeps_it() {
        let mut t = T::new();
        let code = invitation().encode();
        t.paste(&code);
        assert!(t.a.can_next());
        t.send(Msg::Next(NOW));
        assert_eq!(t.a.step, Step::Preview);
        assert!(t.a.can_confirm() && t.a.can_previous());
        // The field is not on screen: a stray input changes nothing.
        t.paste("x");
        assert_eq!(t.a.text, code);
        assert_eq!(t.send(Msg::Previous), vec![Effect::Focus(ids::INVITATION)]);
        assert_eq!(t.a.step, Step::Code);
        assert_eq!(t.a.text, code);
        assert!(t.a.can_next());
    }

    #[test]
    fn a_code_that_expires_while_open_is_caught_at_next_and_at_confirm() {
        let mut t = T::new();
        t.paste(&invitation().encode());
        assert_eq!(
            t.send(Msg::Next(EXPIRES)),
            vec![Effect::Focus(ids::INVITATION)]
        );
        assert_eq!(t.a.step, Step::Code);
        assert!(matches!(t.a.code_error(), Some(CodeError::Expired(_))));

        let mut t = T::new();
        t.paste(&invitation().encode());
        t.send(Msg::Next(NOW));
        let fx = t.send(Msg::Confirm(EXPIRES + 60));
        assert_eq!(fx, vec![Effect::Focus(ids::INVITATION)], "no request");
        assert_eq!(t.a.step, Step::Code);
        assert_eq!(t.a.confirming, None);
        assert!(!t.a.can_next());
        assert!(
            t.message()
                .unwrap()
                .starts_with("This invitation code expired at "),
            "{:?}",
            t.message()
        );
    }

    #[test]
    fn a_double_confirm_sends_one_request() {
        let mut t = T::new();
        let req = t.confirm();
        assert!(!t.a.can_confirm() && !t.a.can_previous());
        assert!(t.send(Msg::Confirm(NOW)).is_empty(), "the second click");
        assert!(t.send(Msg::Previous).is_empty());
        assert_eq!(t.a.confirming, Some(req));
    }

    #[test]
    fn a_failure_keeps_the_code_for_another_try() {
        let mut t = T::new();
        let req = t.confirm();
        let err = ApiError::Status {
            status: 502,
            message: "The initiating instance could not be reached".into(),
            detail: "http://127.0.0.1:8081: connection refused".into(),
        };
        let fx = t.send(Msg::Answered {
            req,
            result: Err(err.clone()),
        });
        assert_eq!(fx, vec![Effect::Focus(ids::CONFIRM)]);
        assert_eq!(t.a.error, Some(err));
        assert_eq!(t.a.step, Step::Preview);
        assert_eq!(t.a.text, invitation().encode());
        assert!(t.a.can_confirm());
        // A stale answer to the first try does nothing.
        let fx = t.send(Msg::Confirm(NOW));
        let [Effect::AcceptInvitation { req: again, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_ne!(*again, req);
        assert_eq!(t.a.error, None, "a new try clears the last error");
        t.send(Msg::Answered {
            req,
            result: Ok(accepted()),
        });
        assert_eq!(t.a.step, Step::Preview);
        // Going back to the field clears the error too.
        t.send(Msg::Answered {
            req: *again,
            result: Err(ApiError::Timeout(20)),
        });
        t.send(Msg::Previous);
        assert_eq!(t.a.error, None);
    }

    #[test]
    fn success_shows_the_active_connection() {
        let mut t = T::new();
        let req = t.confirm();
        let fx = t.send(Msg::Answered {
            req,
            result: Ok(accepted()),
        });
        assert_eq!(fx, vec![Effect::Focus(ids::NEXT)]);
        assert_eq!(t.a.step, Step::Accepted);
        assert_eq!(t.a.accepted, Some(accepted()));
        assert!(!t.a.can_confirm() && !t.a.can_previous() && !t.a.can_next());
    }
}
