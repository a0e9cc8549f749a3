//! Naming many inputs at once: glob patterns (`data/2024-*.jsonl.zst`) and lists of input
//! files (one path per line), turned into the input paths in a fixed order.

use std::path::{Path, PathBuf};

use super::CorpusError;
use crate::util::IoError;

/// The input paths `given` names (an existing path as is, else a glob pattern's matches in
/// sorted order), followed by those each file of `lists` names: one path or pattern per line,
/// blank lines and lines starting with `#` skipped, relative paths taken from the list's
/// folder. A pattern that matches nothing is an error, as is a list naming no input.
pub fn expand(given: &[PathBuf], lists: &[PathBuf]) -> Result<Vec<PathBuf>, CorpusError> {
    let mut out = Vec::new();
    for path in given {
        out.extend(matches(path)?);
    }
    for list in lists {
        let text = std::fs::read_to_string(list).map_err(IoError::at(list))?;
        let base = list.parent().unwrap_or(Path::new(""));
        let before = out.len();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.extend(matches(&base.join(line))?);
        }
        if out.len() == before {
            return Err(CorpusError::EmptyList { path: list.clone() });
        }
    }
    Ok(out)
}

fn matches(path: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let text = path.to_string_lossy();
    let is_pattern = text.contains(['*', '?', '[']);
    if path == Path::new("-") || path.exists() || !is_pattern {
        return Ok(vec![path.to_path_buf()]);
    }
    let bad = |reason: String| CorpusError::Pattern {
        pattern: text.to_string(),
        reason,
    };
    let mut found = glob::glob(&text)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if found.is_empty() {
        return Err(bad("matches no file".into()));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_lists_expand_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["b.jsonl", "a.jsonl", "c.csv"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        let pattern = dir.path().join("*.jsonl");
        let expanded = expand(std::slice::from_ref(&pattern), &[]).expect("expand");
        assert_eq!(
            expanded,
            vec![dir.path().join("a.jsonl"), dir.path().join("b.jsonl")]
        );
        let list = dir.path().join("inputs.txt");
        std::fs::write(&list, "# the corpus\nc.csv\n\n*.jsonl\n").expect("write");
        let listed = expand(&[], std::slice::from_ref(&list)).expect("expand");
        assert_eq!(listed[0], dir.path().join("c.csv"));
        assert_eq!(listed.len(), 3);
        let nothing = dir.path().join("*.zst");
        let err = expand(&[nothing], &[]).expect_err("no match");
        assert!(err.to_string().contains("matches no file"), "{err}");
        std::fs::write(&list, "# nothing\n").expect("write");
        let err = expand(&[], &[list]).expect_err("empty list");
        assert!(err.to_string().contains("names no input"), "{err}");
    }
}
