//! Short texts for labels, notes and error messages.

/// `s` cut to at most `max` characters, the last one an ellipsis when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// "1 gap", "3 gaps": a count with its noun, singular or plural.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// A set of nodes as the page writes it: `{0,1,2}`.
pub fn node_set(ids: impl IntoIterator<Item = usize>) -> String {
    let inner: Vec<String> = ids.into_iter().map(|i| i.to_string()).collect();
    format!("{{{}}}", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_counts_characters_not_bytes() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("日本語テキスト", 4), "日本語…");
        assert_eq!(count(1u64, "gap", "gaps"), "1 gap");
        assert_eq!(count(0u64, "gap", "gaps"), "0 gaps");
        assert_eq!(node_set([2, 3, 4]), "{2,3,4}");
    }
}
