//! Registration globs as custody.toml writes them: `*` within a path segment, `**` across
//! segments, paths relative to custody.toml.

/// Does `pattern` match `path`? A pattern naming a directory also matches what is inside it.
pub fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_start_matches("./").split('/').filter(|s| !s.is_empty()).collect();
    let s: Vec<&str> = path.trim_start_matches("./").split('/').filter(|s| !s.is_empty()).collect();
    go(&p, &s) || (!p.is_empty() && p.len() < s.len() && go(&p, &s[..p.len()]) && !p.iter().any(|x| x.contains('*')))
}

fn go(p: &[&str], s: &[&str]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(&"**"), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
        (Some(pp), Some(ss)) => segment(pp.as_bytes(), ss.as_bytes()) && go(&p[1..], &s[1..]),
        _ => false,
    }
}

fn segment(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| segment(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && segment(&p[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && segment(&p[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("fraud-scoring/data/**", "fraud-scoring/data/t.jsonl"));
        assert!(matches("./data/*.jsonl", "data/t.jsonl"));
        assert!(!matches("data/*.jsonl", "data/x/t.jsonl"));
        assert!(matches("**", "a/b"));
        assert!(matches("models/base", "models/base/model.safetensors"));
        assert!(!matches("models/**", "data/t.jsonl"));
        assert!(!matches("models/ba", "models/base"));
    }
}
