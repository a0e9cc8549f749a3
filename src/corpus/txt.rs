//! A folder of `.txt` files: one article per file, id = file name, outlet = folder name.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{article_from, encoding, reject, FieldMap, Record};
use crate::util::Hasher;

/// The `.txt` files below `dir`, following symbolic links to folders but entering each folder
/// once (a link back up would otherwise loop forever), in sorted order.
pub(super) fn collect_txt(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut visited = HashSet::new();
    collect_below(dir, &mut visited, out)
}

fn collect_below(
    dir: &Path,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> io::Result<()> {
    if !visited.insert(std::fs::canonicalize(dir)?) {
        return Ok(());
    }
    // Sorted, so a folder reached twice (through a link) is always read under the same name.
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_below(&path, visited, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// A file name in `dir` (for telling the user what a folder without text files holds).
pub(super) fn some_other_file(dir: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.into_iter().next()
}

pub(super) fn next_file(
    files: &[PathBuf],
    next: &mut usize,
    hasher: &mut Hasher,
    bytes: &mut u64,
    progress: &AtomicU64,
    fields: &FieldMap,
) -> io::Result<Option<Record>> {
    let Some(path) = files.get(*next) else {
        return Ok(None);
    };
    *next += 1;
    let file = path.display().to_string();
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Reading a FIFO or a device would block or never end.
    if !std::fs::metadata(path)?.is_file() {
        return Ok(Some(reject(
            &file,
            1,
            &id,
            "not a regular file (a FIFO, socket or device)",
        )));
    }
    let content = std::fs::read(path)?;
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(&content);
    *bytes += content.len() as u64;
    progress.fetch_add(content.len() as u64, Ordering::Relaxed);
    let outlet = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(reason) = encoding::utf16_reason(&content) {
        return Ok(Some(reject(&file, 1, &id, reason)));
    }
    let text = match std::str::from_utf8(encoding::without_bom(&content)) {
        Ok(t) => t.to_string(),
        Err(e) => {
            return Ok(Some(reject(
                &file,
                1,
                &id,
                encoding::invalid_utf8(e.valid_up_to()),
            )))
        }
    };
    let get = |name: &str| -> Result<Option<String>, String> {
        Ok(if name == fields.id {
            Some(id.clone())
        } else if name == fields.outlet {
            Some(outlet.clone())
        } else if name == fields.text {
            Some(text.clone())
        } else {
            None
        })
    };
    Ok(Some(article_from(&get, fields, &file, 1)))
}
