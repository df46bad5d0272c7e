//! The invitation code: what the initiating administrator sends to the other side.
//!
//! Layout (version 1), before base64url without padding:
//!
//! ```text
//! version: u8 = 1
//! initiator_url, initiator_short_name, connection_name, remote_short_name: u16 length + UTF-8
//! initiator_platform: u8, mode: u8
//! connection_id: 16 bytes, expires_at: u64 (Unix seconds), secret: 32 bytes
//! crc32 of everything above: u32
//! ```
//!
//! All integers are big-endian. White space (line breaks a mail client inserts) is ignored when
//! decoding. The check catches truncation and typos in the browser, before any request; the
//! secret (256 random bits) is what authenticates the accepting side to the initiating one.

use crate::base64url;
use crate::validate;
use thiserror::Error;

use crate::checksum::crc32;
use crate::model::{Mode, Platform};

pub const VERSION: u8 = 1;
pub const SECRET_LEN: usize = 32;
pub const ID_LEN: usize = 16;
/// Longest code accepted for decoding: far above any real one, low enough to refuse a paste
/// of something else quickly.
pub const MAX_CODE_LEN: usize = 8192;
/// How long an invitation can be accepted after it was made: a week leaves time for the code
/// to travel by mail to the other administrator, and bounds how long an unused secret stays good.
pub const INVITATION_TTL_SECS: u64 = 7 * 24 * 60 * 60;

#[derive(Clone, PartialEq, Eq)]
pub struct Invitation {
    pub initiator_url: String,
    pub initiator_platform: Platform,
    pub initiator_short_name: String,
    pub connection_id: [u8; ID_LEN],
    pub connection_name: String,
    pub remote_short_name: String,
    pub mode: Mode,
    /// Unix seconds.
    pub expires_at: u64,
    pub secret: [u8; SECRET_LEN],
}

// The secret must never reach a log through `{:?}`.
impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("initiator_url", &self.initiator_url)
            .field("initiator_platform", &self.initiator_platform)
            .field("initiator_short_name", &self.initiator_short_name)
            .field("connection_id", &hex(&self.connection_id))
            .field("connection_name", &self.connection_name)
            .field("remote_short_name", &self.remote_short_name)
            .field("mode", &self.mode)
            .field("expires_at", &self.expires_at)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    #[error("Paste the invitation code.")]
    Empty,
    #[error("This is not an invitation code: it contains {0:?}, which never appears in one.")]
    BadCharacter(char),
    #[error("This is not an invitation code: it is far too long.")]
    TooLong,
    #[error("The invitation code is incomplete: its end is missing. Copy it again in full.")]
    Truncated,
    #[error(
        "This invitation code was made by a newer version of synclink (format {0}); update this instance to accept it."
    )]
    UnknownVersion(u8),
    #[error("The invitation code is damaged: a character was changed or lost. Copy it again.")]
    Damaged,
    #[error("This invitation code is not usable: its {what} is not valid ({why})")]
    Unusable { what: &'static str, why: String },
    #[error("This invitation code expired at {0}. Ask the other side for a new one.")]
    Expired(String),
}

impl Invitation {
    pub fn connection_id_hex(&self) -> String {
        hex(&self.connection_id)
    }

    pub fn encode(&self) -> String {
        let mut b = Vec::with_capacity(160);
        b.push(VERSION);
        for s in [
            &self.initiator_url,
            &self.initiator_short_name,
            &self.connection_name,
            &self.remote_short_name,
        ] {
            let bytes = s.as_bytes();
            let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
            b.extend_from_slice(&len.to_be_bytes());
            b.extend_from_slice(&bytes[..usize::from(len)]);
        }
        b.push(self.initiator_platform.code());
        b.push(self.mode.code());
        b.extend_from_slice(&self.connection_id);
        b.extend_from_slice(&self.expires_at.to_be_bytes());
        b.extend_from_slice(&self.secret);
        let crc = crc32(&b);
        b.extend_from_slice(&crc.to_be_bytes());
        base64url::encode(&b)
    }

    /// Decodes a pasted code and checks its integrity, but not its expiry.
    pub fn decode(text: &str) -> Result<Invitation, CodeError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(CodeError::Empty);
        }
        if compact.len() > MAX_CODE_LEN {
            return Err(CodeError::TooLong);
        }
        if let Some(c) = compact
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(CodeError::BadCharacter(c));
        }
        // A length of 1 mod 4 can never come out of base64: a character was lost.
        let bytes = base64url::decode(compact.as_bytes()).ok_or(CodeError::Truncated)?;
        let Some((&version, _)) = bytes.split_first() else {
            return Err(CodeError::Truncated);
        };
        if version != VERSION {
            return Err(CodeError::UnknownVersion(version));
        }
        if bytes.len() < 5 {
            return Err(CodeError::Truncated);
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        let crc = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
        let mut reader = Reader {
            rest: &body[1..],
            ran_out: false,
        };
        let parsed = parse_body(&mut reader);
        if crc32(body) != crc || parsed.is_none() {
            // Tell a cut-off code (its fields run past the end) from a mistyped one.
            return Err(if reader.ran_out {
                CodeError::Truncated
            } else {
                CodeError::Damaged
            });
        }
        parsed.ok_or(CodeError::Damaged)?.checked()
    }

    /// Passes what the code carries through the same rules as typed input: it comes from
    /// another instance and is shown and stored here. Returns the normalised fields.
    fn checked(mut self) -> Result<Invitation, CodeError> {
        fn unusable(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> CodeError {
            move |e| CodeError::Unusable {
                what,
                why: e.to_string(),
            }
        }
        self.initiator_url = validate::destination_url(&self.initiator_url)
            .map_err(|e| unusable("instance URL")(&e))?;
        self.initiator_short_name = validate::short_name(&self.initiator_short_name)
            .map_err(|e| unusable("initiating instance short name")(&e))?;
        self.remote_short_name = validate::short_name(&self.remote_short_name)
            .map_err(|e| unusable("remote instance short name")(&e))?;
        self.connection_name = validate::connection_name(&self.connection_name)
            .map_err(|e| unusable("connection name")(&e))?;
        Ok(self)
    }

    /// Decodes a pasted code and refuses it once it has expired at `now` (Unix seconds).
    pub fn decode_at(text: &str, now: u64) -> Result<Invitation, CodeError> {
        let inv = Invitation::decode(text)?;
        inv.check_expiry(now)?;
        Ok(inv)
    }

    pub fn check_expiry(&self, now: u64) -> Result<(), CodeError> {
        if now >= self.expires_at {
            let at = i64::try_from(self.expires_at).unwrap_or(i64::MAX);
            return Err(CodeError::Expired(crate::time::display(at)));
        }
        Ok(())
    }
}

fn parse_body(r: &mut Reader<'_>) -> Option<Invitation> {
    let initiator_url = r.string()?;
    let initiator_short_name = r.string()?;
    let connection_name = r.string()?;
    let remote_short_name = r.string()?;
    let initiator_platform = Platform::from_code(r.byte()?)?;
    let mode = Mode::from_code(r.byte()?)?;
    let connection_id = r.array::<ID_LEN>()?;
    let expires_at = u64::from_be_bytes(r.array::<8>()?);
    let secret = r.array::<SECRET_LEN>()?;
    if !r.rest.is_empty() {
        return None;
    }
    Some(Invitation {
        initiator_url,
        initiator_platform,
        initiator_short_name,
        connection_id,
        connection_name,
        remote_short_name,
        mode,
        expires_at,
        secret,
    })
}

struct Reader<'a> {
    rest: &'a [u8],
    ran_out: bool,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.rest.len() < n {
            self.ran_out = true;
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn string(&mut self) -> Option<String> {
        let len = u16::from_be_bytes(self.array::<2>()?);
        String::from_utf8(self.take(usize::from(len))?.to_vec()).ok()
    }
}

/// Lower-case hexadecimal, as connection ids are written.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Parses a connection id written by [`hex`].
pub fn parse_id(text: &str) -> Option<[u8; ID_LEN]> {
    if text.len() != ID_LEN * 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; ID_LEN];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

/// The invitation secret as the handshake carries it: base64url without padding.
pub fn secret_text(secret: &[u8; SECRET_LEN]) -> String {
    base64url::encode(secret)
}

/// Parses a secret written by [`secret_text`]; None when it is not exactly that.
pub fn parse_secret(text: &str) -> Option<[u8; SECRET_LEN]> {
    // 32 bytes are 43 characters; the length check keeps a huge string from being decoded.
    if text.len() != (SECRET_LEN * 4).div_ceil(3) {
        return None;
    }
    base64url::decode(text.as_bytes())?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Invitation {
        Invitation {
            initiator_url: "http://127.0.0.1:8081".into(),
            initiator_platform: Platform::ServiceNow,
            initiator_short_name: "company_a".into(),
            connection_id: [7; ID_LEN],
            connection_name: "company_a_to_company_b".into(),
            remote_short_name: "company_b".into(),
            mode: Mode::Script,
            expires_at: 1_800_000_000,
            secret: [42; SECRET_LEN],
        }
    }

    #[test]
    fn round_trip_ignores_white_space() {
        let inv = sample();
        let code = inv.encode();
        assert_eq!(Invitation::decode(&code), Ok(inv.clone()));
        let wrapped: String = code
            .as_bytes()
            .chunks(40)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n  ");
        assert_eq!(Invitation::decode(&format!("  {wrapped}\n")), Ok(inv));
    }

    #[test]
    fn each_failure_says_which() {
        let code = sample().encode();
        assert_eq!(Invitation::decode(" \n"), Err(CodeError::Empty));
        assert_eq!(
            Invitation::decode("abc+def"),
            Err(CodeError::BadCharacter('+'))
        );
        assert_eq!(
            Invitation::decode(&code[..code.len() - 8]),
            Err(CodeError::Truncated)
        );
        assert_eq!(
            Invitation::decode(&code[..code.len() - 3]),
            Err(CodeError::Truncated)
        );
        assert_eq!(Invitation::decode("A"), Err(CodeError::Truncated));
        assert_eq!(
            Invitation::decode(&"A".repeat(9000)),
            Err(CodeError::TooLong)
        );
        // Version 2: the first byte is 0x02, so the code starts with "A" then "g".."v".
        let mut v2 = base64url::decode(code.as_bytes()).unwrap();
        v2[0] = 2;
        let v2 = base64url::encode(&v2);
        assert_eq!(Invitation::decode(&v2), Err(CodeError::UnknownVersion(2)));
        let mut flipped = code.into_bytes();
        flipped[20] = if flipped[20] == b'x' { b'y' } else { b'x' };
        assert_eq!(
            Invitation::decode(std::str::from_utf8(&flipped).unwrap()),
            Err(CodeError::Damaged)
        );
    }

    #[test]
    fn what_a_code_carries_passes_the_rules_for_typed_input() {
        let mut inv = sample();
        inv.initiator_url = "javascript:alert(1)".into();
        assert!(matches!(
            Invitation::decode(&inv.encode()),
            Err(CodeError::Unusable {
                what: "instance URL",
                ..
            })
        ));
        let mut inv = sample();
        inv.remote_short_name = "<img src=x>".into();
        let err = Invitation::decode(&inv.encode()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This invitation code is not usable: its remote instance short name is not valid (Start with a letter.)"
        );
        let mut inv = sample();
        inv.initiator_url = "HTTP://Example.com/".into();
        assert_eq!(
            Invitation::decode(&inv.encode()).unwrap().initiator_url,
            "http://example.com"
        );
    }

    #[test]
    fn expiry_is_checked_against_the_given_time() {
        let code = sample().encode();
        assert!(Invitation::decode_at(&code, 1_799_999_999).is_ok());
        assert_eq!(
            Invitation::decode_at(&code, 1_800_000_000),
            Err(CodeError::Expired("2027-01-15 08:00 UTC".into()))
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let text = format!("{:?}", sample());
        assert!(text.contains("<redacted>"));
        assert!(!text.contains("42, 42"));
    }

    #[test]
    fn secrets_round_trip() {
        let secret = [0xfe; SECRET_LEN];
        let text = secret_text(&secret);
        assert_eq!(text.len(), 43);
        assert_eq!(parse_secret(&text), Some(secret));
        assert_eq!(parse_secret(&text[..42]), None);
        assert_eq!(parse_secret(&format!("{text}A")), None);
        assert_eq!(parse_secret(&"+".repeat(43)), None);
        assert_eq!(parse_secret(""), None);
    }

    #[test]
    fn ids_round_trip() {
        let id = [0xab; ID_LEN];
        assert_eq!(parse_id(&hex(&id)), Some(id));
        assert_eq!(parse_id("xyz"), None);
        assert_eq!(parse_id(&"g".repeat(32)), None);
    }

    #[test]
    fn hex_is_two_lowercase_digits_a_byte() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(hex(&[]), "");
    }

    fn invitation() -> impl Strategy<Value = Invitation> {
        (
            "[a-z]{1,20}",
            "[A-Za-z][A-Za-z0-9_-]{0,31}",
            // Connection names as a code carries them: already trimmed, any printable text.
            "[A-Za-z<][A-Za-z0-9 <>=()é_-]{0,58}[A-Za-z>]",
            "[A-Za-z][A-Za-z0-9_-]{0,31}",
            0usize..6,
            0usize..3,
            any::<[u8; ID_LEN]>(),
            any::<u64>(),
            any::<[u8; SECRET_LEN]>(),
        )
            .prop_map(
                |(host, local, name, remote, p, m, id, exp, secret)| Invitation {
                    initiator_url: format!("https://{host}.example.com"),
                    initiator_platform: Platform::ALL[p],
                    initiator_short_name: local,
                    connection_id: id,
                    connection_name: name,
                    remote_short_name: remote,
                    mode: Mode::ALL[m],
                    expires_at: exp,
                    secret,
                },
            )
    }

    proptest! {
        #[test]
        fn any_invitation_round_trips(inv in invitation()) {
            prop_assert_eq!(Invitation::decode(&inv.encode()), Ok(inv));
        }

        #[test]
        fn any_truncation_is_refused(inv in invitation(), cut in 1usize..400) {
            let code = inv.encode();
            let keep = code.len().saturating_sub(cut);
            prop_assert!(Invitation::decode(&code[..keep]).is_err());
        }

        #[test]
        fn any_changed_character_is_refused(inv in invitation(), at in any::<prop::sample::Index>(), c in "[A-Za-z0-9_-]") {
            let code = inv.encode();
            let i = at.index(code.len());
            let c = c.chars().next().unwrap();
            prop_assume!(code.as_bytes()[i] != c as u8);
            let mut changed = code.clone().into_bytes();
            changed[i] = c as u8;
            let changed = String::from_utf8(changed).unwrap();
            // Strict base64 refuses non-zero padding bits, so even the last character counts.
            prop_assert!(Invitation::decode(&changed).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
            let _ = Invitation::decode(&s);
        }
    }
}
