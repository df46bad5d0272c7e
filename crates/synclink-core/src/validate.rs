//! The validation rules, one place for the browser and the node.
//!
//! Each rule returns the cleaned value or an error whose `Display` is the message shown next to
//! the field (and in the node's 400 answer).

use thiserror::Error;

/// Longest destination URL accepted. Browsers cope with more, but an instance's address never
/// needs it, and a cap keeps a pasted novel out of the database.
pub const URL_MAX: usize = 2048;
pub const SHORT_NAME_MAX: usize = 32;
pub const CONNECTION_NAME_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 4000;

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    #[error("Enter the destination instance URL.")]
    Empty,
    #[error("The URL is too long ({0} characters); at most {URL_MAX}.")]
    TooLong(usize),
    #[error("The URL must start with http:// or https://.")]
    Scheme,
    #[error("The URL must not contain spaces.")]
    Whitespace,
    #[error("The URL must not contain a user name or password.")]
    UserInfo,
    #[error("The URL must not contain a fragment (the part after #).")]
    Fragment,
    #[error("The URL must not contain a query (the part after ?).")]
    Query,
    #[error("The URL has no host name.")]
    NoHost,
    #[error("The host name \"{0}\" is not valid.")]
    BadHost(String),
    #[error("The port must be a number from 1 to 65535.")]
    BadPort,
    #[error("The URL contains a character that is not allowed: {0:?}.")]
    BadChar(char),
}

/// Checks a destination instance URL and returns its normalised form: lower-case scheme and
/// host, no default port, no trailing slash. Only the address of an instance is accepted: http
/// or https, a host, an optional port and path; no user info, query or fragment.
pub fn destination_url(input: &str) -> Result<String, UrlError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(UrlError::Empty);
    }
    let chars = s.chars().count();
    if chars > URL_MAX {
        return Err(UrlError::TooLong(chars));
    }
    let (scheme, rest) = s.split_once("://").ok_or(UrlError::Scheme)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(UrlError::Scheme),
    };
    if rest.chars().any(char::is_whitespace) {
        return Err(UrlError::Whitespace);
    }
    if let Some(c) = rest.chars().find(|c| c.is_control()) {
        return Err(UrlError::BadChar(c));
    }
    if rest.contains('#') {
        return Err(UrlError::Fragment);
    }
    if rest.contains('?') {
        return Err(UrlError::Query);
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(UrlError::UserInfo);
    }
    let (host, port) = split_host_port(authority)?;
    let host = normalise_host(host)?;
    let port = match port {
        None => None,
        Some(p) => {
            let n: u16 = p.parse().map_err(|_| UrlError::BadPort)?;
            if n == 0 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(UrlError::BadPort);
            }
            (n != default_port).then_some(n)
        }
    };
    if let Some(c) = path.chars().find(|c| !is_path_char(*c)) {
        return Err(UrlError::BadChar(c));
    }
    let path = path.trim_end_matches('/');
    let mut out = format!("{scheme}://{host}");
    if let Some(p) = port {
        out.push(':');
        out.push_str(&p.to_string());
    }
    out.push_str(path);
    Ok(out)
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    if let Some(inner) = authority.strip_prefix('[') {
        // An IPv6 literal: [::1]:8080
        let end = inner
            .find(']')
            .ok_or_else(|| UrlError::BadHost(authority.into()))?;
        let after = &inner[end + 1..];
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlError::BadPort)?),
        };
        return Ok((&authority[..end + 2], port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Ok((h, Some(p))),
        None => Ok((authority, None)),
    }
}

fn normalise_host(host: &str) -> Result<String, UrlError> {
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let ok = !inner.is_empty()
            && inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        return if ok {
            Ok(host.to_ascii_lowercase())
        } else {
            Err(UrlError::BadHost(host.into()))
        };
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !labels_ok || host.len() > 253 {
        return Err(UrlError::BadHost(host.into()));
    }
    Ok(host.to_ascii_lowercase())
}

/// RFC 3986 path characters, percent signs included (escapes are kept as typed).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:@".contains(c)
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum ShortNameError {
    #[error("Enter a short name.")]
    Empty,
    #[error("Start with a letter.")]
    FirstNotLetter,
    #[error("Use only letters, digits, - or _ (not {0:?}).")]
    BadChar(char),
    #[error("At most {SHORT_NAME_MAX} characters (this one has {0}).")]
    TooLong(usize),
}

/// A short name: a letter first, then letters, digits, `-` or `_`, at most 32 characters.
/// Surrounding white space is ignored.
pub fn short_name(input: &str) -> Result<String, ShortNameError> {
    let s = input.trim();
    let mut chars = s.chars();
    match chars.next() {
        None => return Err(ShortNameError::Empty),
        Some(c) if !c.is_ascii_alphabetic() => return Err(ShortNameError::FirstNotLetter),
        Some(_) => {}
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(ShortNameError::BadChar(c));
    }
    let n = s.chars().count();
    if n > SHORT_NAME_MAX {
        return Err(ShortNameError::TooLong(n));
    }
    Ok(s.to_string())
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    #[error("Enter a connection name.")]
    Empty,
    #[error("At most {max} characters (this one has {len}).")]
    TooLong { max: usize, len: usize },
    #[error("Control characters are not allowed.")]
    ControlChar,
}

/// A connection name: required, at most 255 characters, one line.
pub fn connection_name(input: &str) -> Result<String, TextError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().any(char::is_control) {
        return Err(TextError::ControlChar);
    }
    let len = s.chars().count();
    if len > CONNECTION_NAME_MAX {
        return Err(TextError::TooLong {
            max: CONNECTION_NAME_MAX,
            len,
        });
    }
    Ok(s.to_string())
}

/// A description: optional, at most 4,000 characters; line breaks and tabs are kept.
pub fn description(input: &str) -> Result<String, TextError> {
    let s = input.trim();
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(TextError::ControlChar);
    }
    let len = s.chars().count();
    if len > DESCRIPTION_MAX {
        return Err(TextError::TooLong {
            max: DESCRIPTION_MAX,
            len,
        });
    }
    Ok(s.to_string())
}

/// A short name suggested from an instance's display name: "Company B" gives "company_b".
/// Returns an empty string when nothing usable is left.
pub fn suggest_short_name(instance_name: &str) -> String {
    let mut out = String::new();
    for c in instance_name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '.') && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let mut s: String = trimmed.chars().take(SHORT_NAME_MAX).collect();
    while s.ends_with('_') {
        s.pop();
    }
    s
}

/// The connection name suggested until the administrator types one: `<local>_to_<remote>`.
pub fn suggest_connection_name(local: &str, remote: &str) -> String {
    format!("{}_to_{}", local.trim(), remote.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        let cases = [
            ("http://127.0.0.1:8082", "http://127.0.0.1:8082"),
            ("  HTTPS://Example.COM/ ", "https://example.com"),
            ("https://example.com:443/jira/", "https://example.com/jira"),
            ("http://example.com:80", "http://example.com"),
            ("http://example.com:8080/a/b", "http://example.com:8080/a/b"),
            ("http://[::1]:8082", "http://[::1]:8082"),
            ("http://localhost.", "http://localhost"),
            (
                "https://acme.service-now.com",
                "https://acme.service-now.com",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(destination_url(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        let long = format!("http://example.com/{}", "a".repeat(5000));
        let cases: [(&str, UrlError); 16] = [
            ("", UrlError::Empty),
            ("   ", UrlError::Empty),
            ("javascript:alert(1)", UrlError::Scheme),
            ("ftp://x", UrlError::Scheme),
            ("not a url", UrlError::Scheme),
            ("example.com", UrlError::Scheme),
            ("http://user:pw@host", UrlError::UserInfo),
            ("http://host/#x", UrlError::Fragment),
            ("http://host/?a=b", UrlError::Query),
            ("http://", UrlError::NoHost),
            ("http:///path", UrlError::NoHost),
            ("http://exa mple.com", UrlError::Whitespace),
            ("http://host:0", UrlError::BadPort),
            ("http://host:99999", UrlError::BadPort),
            ("http://host:+80", UrlError::BadPort),
            (
                "http://ex_ample.com",
                UrlError::BadHost("ex_ample.com".into()),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(destination_url(input), Err(want), "{input:?}");
        }
        assert_eq!(destination_url(&long), Err(UrlError::TooLong(5019)));
        assert!(matches!(
            destination_url("http://h/<script>"),
            Err(UrlError::BadChar('<'))
        ));
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name(" company_b "), Ok("company_b".into()));
        assert_eq!(short_name("A-1_b"), Ok("A-1_b".into()));
        assert_eq!(short_name(""), Err(ShortNameError::Empty));
        assert_eq!(short_name("1abc"), Err(ShortNameError::FirstNotLetter));
        assert_eq!(short_name("_abc"), Err(ShortNameError::FirstNotLetter));
        assert_eq!(short_name("ab c"), Err(ShortNameError::BadChar(' ')));
        assert_eq!(short_name("abé"), Err(ShortNameError::BadChar('é')));
        assert_eq!(short_name(&"a".repeat(32)).map(|s| s.len()), Ok(32));
        assert_eq!(
            short_name(&"a".repeat(33)),
            Err(ShortNameError::TooLong(33))
        );
        assert_eq!(
            short_name("<img src=x onerror=alert(1)>"),
            Err(ShortNameError::FirstNotLetter)
        );
    }

    #[test]
    fn names_and_descriptions() {
        assert_eq!(connection_name("  a  "), Ok("a".into()));
        assert_eq!(connection_name(" "), Err(TextError::Empty));
        assert_eq!(
            connection_name(&"é".repeat(255)).map(|s| s.chars().count()),
            Ok(255)
        );
        assert_eq!(
            connection_name(&"é".repeat(256)),
            Err(TextError::TooLong { max: 255, len: 256 })
        );
        assert_eq!(connection_name("a\u{0}b"), Err(TextError::ControlChar));
        let html = "<img src=x onerror=alert(1)>";
        assert_eq!(connection_name(html), Ok(html.into()));
        assert_eq!(description(""), Ok(String::new()));
        assert_eq!(description("line\nline"), Ok("line\nline".into()));
        assert!(description(&"x".repeat(4000)).is_ok());
        assert_eq!(
            description(&"x".repeat(4001)),
            Err(TextError::TooLong {
                max: 4000,
                len: 4001
            })
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest_short_name("Company B"), "company_b");
        assert_eq!(suggest_short_name("  ACME  Corp. (EU) "), "acme_corp_eu");
        assert_eq!(suggest_short_name("123 Go"), "go");
        assert_eq!(suggest_short_name("日本"), "");
        assert!(short_name(&suggest_short_name(&"Long name ".repeat(10))).is_ok());
        assert_eq!(suggest_connection_name("a", "b"), "a_to_b");
    }
}
