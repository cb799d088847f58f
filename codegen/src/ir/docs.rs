//! Doc text: Kiwoom's Korean prose made safe for rustdoc, and the standard doc blocks.

/// Escape what rustdoc would read as links or HTML (`[A]`, `<보통주>`), and drop control
/// characters. Line structure is kept.
pub fn rustdoc_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' | ']' | '<' | '*' | '`' | '_' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\t' => out.push(' '),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Split prose into doc lines, each escaped and trimmed.
///
/// A line after a list item that is not one itself starts a new paragraph (Markdown would
/// glue it to the item).
pub fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text
        .lines()
        .map(|l| rustdoc_safe(l.trim()))
        .filter(|l| !l.is_empty())
    {
        let after_item = out.last().is_some_and(|prev| is_list_item(prev));
        if after_item && !is_list_item(&line) {
            out.push(String::new());
        }
        out.push(line);
    }
    out
}

fn is_list_item(line: &str) -> bool {
    let numbered = |sep: &str| {
        line.split_once(sep)
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    line.starts_with("- ")
        || line.starts_with("+ ")
        || line.starts_with("\\* ")
        || numbered(". ")
        || numbered(") ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_tags_are_escaped() {
        assert_eq!(rustdoc_safe("종류 <보통주> [A]"), "종류 \\<보통주> \\[A\\]");
        assert_eq!(
            lines(" a \n\n b_c "),
            vec!["a".to_owned(), "b\\_c".to_owned()]
        );
        assert_eq!(
            lines("- item\nprose"),
            vec!["- item".to_owned(), String::new(), "prose".to_owned()]
        );
    }
}
