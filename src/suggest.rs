//! Near matches for a mistyped rule id or name: a typo should name what was meant rather
//! than only say "no such rule".

/// Levenshtein distance over characters, case-insensitive (ids are shown upper-case,
/// typed either way).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether `candidate` is close enough to `typed` to suggest it.
pub(crate) fn near(typed: &str, candidate: &str) -> Option<usize> {
    let d = edit_distance(typed, candidate);
    (d <= 2.max(typed.chars().count() / 4)).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("AWZ", "aws"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("AWS-S3-099", "AWS-S3-009"), 1);
        assert!(near("AWS-S3-099", "AWS-S3-009").is_some());
        assert!(near("AWS", "K8S-WL-011").is_none());
    }
}
