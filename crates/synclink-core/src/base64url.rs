//! Strict base64url without padding: the text form of invitation codes and secrets.
//!
//! It writes and accepts exactly what the `base64` crate's `URL_SAFE_NO_PAD` engine does (the
//! tests compare the two on any input), in a few hundred bytes of WebAssembly instead of the
//! general engine's few kilobytes: the widget decodes every code as it is typed.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` as base64url text, without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        // 1 byte gives 2 characters, 2 give 3, 3 give 4.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The bytes `text` encodes; None for a character outside `A–Z a–z 0–9 - _`, a length that no
/// encoding produces (1 more than a multiple of 4), or non-zero bits after the last byte.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // The bits left over (2 or 4) must be zero: another last character would be another code.
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(decode(b""), Some(vec![]));
        assert_eq!(decode(b"AQ"), Some(vec![1]));
        assert_eq!(decode(b"AR"), None, "non-zero trailing bits");
        assert_eq!(decode(b"_-8"), Some(vec![0xff, 0xef]));
        assert_eq!(decode(b"QUJD"), Some(b"ABC".to_vec()));
        assert_eq!(decode(b"QUJDR"), None, "length 1 mod 4");
        assert_eq!(decode(b"QU=="), None, "no padding");
        assert_eq!(decode(b"QU+/"), None, "standard alphabet");
    }

    proptest! {
        #[test]
        fn agrees_with_the_base64_crate_on_any_text(s in "[A-Za-z0-9_=+/ -]{0,64}") {
            prop_assert_eq!(decode(s.as_bytes()), URL_SAFE_NO_PAD.decode(s.as_bytes()).ok());
        }

        #[test]
        fn agrees_on_near_codes(s in "[A-Za-z0-9_-]{0,64}") {
            prop_assert_eq!(decode(s.as_bytes()), URL_SAFE_NO_PAD.decode(s.as_bytes()).ok());
        }

        #[test]
        fn writes_what_the_crate_writes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(encode(&bytes), URL_SAFE_NO_PAD.encode(&bytes));
        }

        #[test]
        fn reads_what_the_crate_writes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(decode(URL_SAFE_NO_PAD.encode(&bytes).as_bytes()), Some(bytes));
        }
    }
}
