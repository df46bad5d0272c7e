//! Sync rules: the checker run before a publish (in the browser, and again by the node) and
//! the default scripts each side gets at creation.

use serde::{Deserialize, Serialize};

use crate::api::Script;
use crate::model::Platform;

/// Largest script accepted: far above any real rule set, low enough that an accidental paste of
/// a log file is refused with a message rather than stored.
pub const MAX_SCRIPT_BYTES: usize = 512 * 1024;

/// The checker stops after this many problems: a pasted file full of brackets gets a readable
/// list, not one entry per character.
pub const MAX_PROBLEMS: usize = 100;

/// A problem the checker found, at a 1-based line and column (in characters).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub script: Script,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, line {}, column {}: {}",
            self.script.label(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Checks both scripts; an empty answer means they may be published.
pub fn check_both(outgoing: &str, incoming: &str) -> Vec<Problem> {
    let mut problems = check(Script::Outgoing, outgoing);
    problems.extend(check(Script::Incoming, incoming));
    problems
}

/// Checks one script: size, control characters, unterminated strings and comments, and brackets
/// that do not pair up. Linear in the script's length.
pub fn check(script: Script, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |line: u32, column: u32, message: String| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(Problem {
                script,
                line,
                column,
                message,
            });
        }
    };
    if text.len() > MAX_SCRIPT_BYTES {
        problem(
            1,
            1,
            format!(
                "The script is {} KB; at most {} KB can be published.",
                text.len().div_ceil(1024),
                MAX_SCRIPT_BYTES / 1024
            ),
        );
        return problems;
    }
    // Open brackets: (char, line, column).
    let mut open: Vec<(char, u32, u32)> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut line, mut column) = (1u32, 1u32);
    let mut i = 0;
    // Advances over chars[i], keeping line and column.
    macro_rules! step {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' | '\t' | '\r' => step!(),
            c if c.is_control() => {
                problem(
                    line,
                    column,
                    format!(
                        "A control character (U+{:04X}) is not allowed.",
                        u32::from(c)
                    ),
                );
                // One report is enough for a binary paste.
                return problems;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    step!();
                }
            }
            '/' if next == Some('*') => {
                let (l, col) = (line, column);
                step!();
                step!();
                let mut closed = false;
                while i < chars.len() {
                    if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        step!();
                        step!();
                        closed = true;
                        break;
                    }
                    step!();
                }
                if !closed {
                    problem(l, col, "This comment is never closed with */.".to_string());
                }
            }
            '\'' | '"' => {
                let (l, col) = (line, column);
                let triple = next == Some(c) && chars.get(i + 2) == Some(&c);
                let quote_len = if triple { 3 } else { 1 };
                for _ in 0..quote_len {
                    step!();
                }
                let mut closed = false;
                while i < chars.len() {
                    let d = chars[i];
                    if d == '\\' {
                        step!();
                        if i < chars.len() {
                            step!();
                        }
                        continue;
                    }
                    if d == '\n' && !triple {
                        break;
                    }
                    if d == c
                        && (!triple
                            || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c)))
                    {
                        for _ in 0..quote_len {
                            step!();
                        }
                        closed = true;
                        break;
                    }
                    step!();
                }
                if !closed {
                    let q: String = std::iter::repeat_n(c, quote_len).collect();
                    problem(l, col, format!("This string is never closed with {q}."));
                }
            }
            '(' | '[' | '{' => {
                open.push((c, line, column));
                step!();
            }
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match open.last() {
                    Some(&(o, _, _)) if o == want => {
                        open.pop();
                    }
                    Some(&(o, l, col)) => {
                        problem(
                            line,
                            column,
                            format!("'{c}' does not match '{o}' opened at line {l}, column {col}."),
                        );
                        open.pop();
                    }
                    None => problem(line, column, format!("'{c}' has no opening '{want}'.")),
                }
                step!();
            }
            _ => step!(),
        }
    }
    for (o, l, col) in open {
        problem(l, col, format!("'{o}' is never closed."));
    }
    problems
}

/// The field names of the entity each platform syncs.
struct Entity {
    /// What the script calls it: `entity`, read as an incident, an issue, a ticket…
    noun: &'static str,
    title: &'static str,
    description: &'static str,
    comments: &'static str,
    attachments: &'static str,
    status: &'static str,
}

fn entity(platform: Platform) -> Entity {
    match platform {
        Platform::ServiceNow => Entity {
            noun: "incident",
            title: "short_description",
            description: "description",
            comments: "comments",
            attachments: "attachments",
            status: "state",
        },
        Platform::Jira => Entity {
            noun: "issue",
            title: "summary",
            description: "description",
            comments: "comments",
            attachments: "attachments",
            status: "status",
        },
        Platform::Zendesk => Entity {
            noun: "ticket",
            title: "subject",
            description: "description",
            comments: "comments",
            attachments: "attachments",
            status: "status",
        },
        Platform::AzureDevops => Entity {
            noun: "work item",
            title: "title",
            description: "description",
            comments: "comments",
            attachments: "attachments",
            status: "state",
        },
        Platform::GitHub => Entity {
            noun: "issue",
            title: "title",
            description: "body",
            comments: "comments",
            attachments: "attachments",
            status: "state",
        },
        Platform::Salesforce => Entity {
            noun: "case",
            title: "Subject",
            description: "Description",
            comments: "comments",
            attachments: "attachments",
            status: "Status",
        },
    }
}

/// The default (outgoing, incoming) scripts for this side's platform against the remote's
/// (None when the remote's platform is not known yet).
pub fn default_scripts(local: Platform, remote: Option<Platform>) -> (String, String) {
    let e = entity(local);
    let remote_name = remote.map_or("the remote instance", Platform::label);
    let outgoing = format!(
        "// Outgoing sync ({local}): what this side sends to {remote_name}.\n\
         // `entity` is the local {noun}; `replica` is what travels to the other side.\n\
         replica.key         = entity.key\n\
         replica.summary     = entity.{title}\n\
         replica.description = entity.{description}\n\
         replica.comments    = entity.{comments}\n\
         replica.attachments = entity.{attachments}\n\
         replica.status      = entity.{status}\n",
        local = local.label(),
        noun = e.noun,
        title = e.title,
        description = e.description,
        comments = e.comments,
        attachments = e.attachments,
        status = e.status,
    );
    let incoming = format!(
        "// Incoming sync ({local}): how this side applies what {remote_name} sends.\n\
         // `replica` is what arrived; `entity` is the local {noun} to create or update.\n\
         entity.{title} = replica.summary\n\
         entity.{description} = replica.description\n\
         entity.{comments} = commentHelper.merge(entity.{comments}, replica.comments)\n\
         entity.{attachments} = attachmentHelper.merge(entity.{attachments}, replica.attachments)\n\
         entity.{status} = statusMap.getOrDefault(replica.status, entity.{status})\n",
        local = local.label(),
        noun = e.noun,
        title = e.title,
        description = e.description,
        comments = e.comments,
        attachments = e.attachments,
        status = e.status,
    );
    (outgoing, incoming)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn messages(text: &str) -> Vec<(u32, u32, String)> {
        check(Script::Outgoing, text)
            .into_iter()
            .map(|p| (p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn balanced_scripts_pass() {
        assert!(messages("replica.summary = entity.short_description\n").is_empty());
        assert!(messages("if (a[0] == \"}\") { x = '(' } // )\n/* { */").is_empty());
        assert!(messages("s = \"\"\"multi\nline ( \"\"\"\nt = 'it\\'s'").is_empty());
    }

    #[test]
    fn problems_have_their_place() {
        assert_eq!(
            messages("if (a {\n}"),
            vec![(1, 4, "'(' is never closed.".to_string())]
        );
        assert_eq!(
            messages("f(a]"),
            vec![(
                1,
                4,
                "']' does not match '(' opened at line 1, column 2.".to_string()
            )]
        );
        assert_eq!(
            messages("x = 1\n  y)"),
            vec![(2, 4, "')' has no opening '('.".to_string())]
        );
        assert_eq!(
            messages("a = \"open\nb = 2"),
            vec![(1, 5, "This string is never closed with \".".to_string())]
        );
        assert_eq!(
            messages("/* never"),
            vec![(1, 1, "This comment is never closed with */.".to_string())]
        );
        assert_eq!(
            messages("a\u{0}b"),
            vec![(
                1,
                2,
                "A control character (U+0000) is not allowed.".to_string()
            )]
        );
    }

    #[test]
    fn huge_scripts_are_refused_with_a_message() {
        let big = "x".repeat(MAX_SCRIPT_BYTES + 1);
        let p = check(Script::Incoming, &big);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].to_string(),
            "Incoming sync, line 1, column 1: The script is 513 KB; at most 512 KB can be published."
        );
        let lines = "replica.summary = entity.summary\n".repeat(10_000);
        assert!(check(Script::Outgoing, &lines).is_empty());
    }

    #[test]
    fn defaults_pass_the_checker_and_name_each_platforms_fields() {
        for local in Platform::ALL {
            for remote in Platform::ALL.map(Some).into_iter().chain([None]) {
                let (out, inc) = default_scripts(local, remote);
                assert!(check_both(&out, &inc).is_empty(), "{local:?} {remote:?}");
            }
        }
        let (out, _) = default_scripts(Platform::ServiceNow, Some(Platform::Jira));
        assert!(out.contains("replica.summary     = entity.short_description"));
        assert!(out.contains("to Jira"));
        let (_, inc) = default_scripts(Platform::Jira, Some(Platform::ServiceNow));
        assert!(inc.contains("entity.summary = replica.summary"));
        assert!(inc.contains("entity.status = "));
    }

    proptest! {
        #[test]
        fn any_text_is_checked_without_panic(s in "\\PC{0,400}") {
            let _ = check(Script::Outgoing, &s);
        }

        #[test]
        fn problems_are_capped(n in 0usize..2000) {
            prop_assert!(check(Script::Outgoing, &")".repeat(n)).len() <= MAX_PROBLEMS);
        }

        #[test]
        fn any_bytes_are_checked_without_panic(b in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = check(Script::Incoming, &String::from_utf8_lossy(&b));
        }
    }
}
