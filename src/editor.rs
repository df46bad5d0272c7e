//! The script editor's text operations: Tab and Shift+Tab, caret offsets, the line-number
//! gutter. Pure; the shell only reads the key and the caret and writes the caret back.
//!
//! Carets are in UTF-16 code units, as `selectionStart` counts them; text is edited in bytes.

/// One indentation step.
pub const INDENT: &str = "    ";

/// The byte offset of the UTF-16 offset `u` (clamped to the text).
pub fn byte_offset(text: &str, u: u32) -> usize {
    let u = u as usize;
    if text.is_ascii() {
        return u.min(text.len());
    }
    let mut n = 0;
    for (i, c) in text.char_indices() {
        if n >= u {
            return i;
        }
        n += c.len_utf16();
    }
    text.len()
}

/// The UTF-16 offset of byte offset `b`.
pub fn utf16_offset(text: &str, b: usize) -> u32 {
    let head = &text[..b];
    let n = if head.is_ascii() {
        b
    } else {
        head.encode_utf16().count()
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Tab (`outdent` false) or Shift+Tab on `text` with the selection `start..end` (UTF-16).
/// Tab in one line replaces the selection with four spaces; Tab over several lines indents
/// each of them; Shift+Tab removes up to four leading spaces (or one tab) from each line the
/// selection touches. Returns the new text and selection.
pub fn indent(text: &str, start: u32, end: u32, outdent: bool) -> (String, u32, u32) {
    let (a, b) = (start.min(end), start.max(end));
    let (s, e) = (byte_offset(text, a), byte_offset(text, b));
    let multi = text[s..e].contains('\n');
    if !outdent && !multi {
        let mut out = String::with_capacity(text.len() + INDENT.len());
        out.push_str(&text[..s]);
        out.push_str(INDENT);
        out.push_str(&text[e..]);
        let caret = utf16_offset(&out, s + INDENT.len());
        return (out, caret, caret);
    }
    // A selection that ends right after a line break leaves the next line alone.
    let last = if multi && text.as_bytes()[e - 1] == b'\n' {
        e - 1
    } else {
        e
    };
    let first = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let mut out = String::with_capacity(text.len() + INDENT.len());
    let (mut ns, mut ne) = (s, e);
    let mut copied = 0;
    let mut ls = first;
    loop {
        out.push_str(&text[copied..ls]);
        copied = ls;
        if outdent {
            let line = &text.as_bytes()[ls..];
            let k = if line.first() == Some(&b'\t') {
                1
            } else {
                line.iter().take(4).take_while(|&&c| c == b' ').count()
            };
            copied += k;
            if ls <= s {
                ns -= k.min(s - ls);
            }
            ne -= k.min(e - ls);
        } else {
            out.push_str(INDENT);
            if ls <= s {
                ns += INDENT.len();
            }
            ne += INDENT.len();
        }
        match text[ls..].find('\n') {
            Some(i) if ls + i < last => ls += i + 1,
            _ => break,
        }
    }
    out.push_str(&text[copied..]);
    let (ns, ne) = (utf16_offset(&out, ns), utf16_offset(&out, ne));
    (out, ns, ne)
}

/// How many lines the editor shows (a text without a line break has one).
pub fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// The gutter's runs: line numbers `1..=lines`, one per line, with the lines in `marked`
/// (sorted, deduplicated) as separate runs so that they can be styled. Each run is
/// `(text, marked)`; the text ends with a line break except the last.
pub fn gutter(lines: usize, marked: &[u32]) -> Vec<(String, bool)> {
    let mut runs = Vec::with_capacity(marked.len() * 2 + 1);
    let mut cur = String::with_capacity(lines * 6);
    let mut marks = marked.iter().map(|&m| m as usize).peekable();
    for n in 1..=lines {
        let is_marked = marks.peek() == Some(&n);
        if is_marked {
            marks.next();
            if !cur.is_empty() {
                runs.push((std::mem::take(&mut cur), false));
            }
        }
        cur.push_str(&n.to_string());
        if n < lines {
            cur.push('\n');
        }
        if is_marked {
            runs.push((std::mem::take(&mut cur), true));
        }
    }
    if !cur.is_empty() {
        runs.push((cur, false));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_inserts_four_spaces_at_the_caret() {
        assert_eq!(indent("ab", 1, 1, false), ("a    b".into(), 5, 5));
        // A selection in one line is replaced.
        assert_eq!(indent("abcd", 1, 3, false), ("a    d".into(), 5, 5));
        // Carets count UTF-16 units.
        assert_eq!(indent("é😀x", 3, 3, false), ("é😀    x".into(), 7, 7));
    }

    #[test]
    fn tab_over_lines_indents_each_and_shift_tab_outdents() {
        let t = "a\nb\nc";
        let (out, s, e) = indent(t, 0, 3, false);
        assert_eq!(out, "    a\n    b\nc");
        assert_eq!((s, e), (4, 11));
        let (back, s, e) = indent(&out, s, e, true);
        assert_eq!(back, t);
        assert_eq!((s, e), (0, 3));
        // A selection ending at a line's start leaves that line alone.
        assert_eq!(indent("a\nb", 0, 2, false).0, "    a\nb");
        // Shift+Tab on one line, caret inside the indentation.
        assert_eq!(indent("      x", 2, 2, true), ("  x".into(), 0, 0));
        assert_eq!(indent("y\n\tx", 3, 3, true), ("y\nx".into(), 2, 2));
        assert_eq!(indent("x", 1, 1, true), ("x".into(), 1, 1));
    }

    #[test]
    fn the_gutter_numbers_lines_and_marks_some() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a\nb\n"), 3);
        assert_eq!(gutter(3, &[]), vec![("1\n2\n3".to_string(), false)]);
        assert_eq!(
            gutter(4, &[2, 4]),
            vec![
                ("1\n".to_string(), false),
                ("2\n".to_string(), true),
                ("3\n".to_string(), false),
                ("4".to_string(), true),
            ]
        );
        let big = gutter(10_000, &[5000]);
        assert_eq!(big.len(), 3);
        assert!(big[2].0.ends_with("10000"));
    }
}
