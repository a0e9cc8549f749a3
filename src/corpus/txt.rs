//! A folder of `.txt` files: one article per file, id = its path below the folder without the
//! extension, outlet = the name of the folder holding it.

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

/// The `.txt` files of one input, read one article per file.
pub(super) struct TextFiles {
    /// The folder given as input; ids are paths below it. `None` for a single file given
    /// by name, whose id is its name.
    root: Option<PathBuf>,
    files: Vec<PathBuf>,
    next: usize,
    hasher: Hasher,
    bytes: u64,
}

impl TextFiles {
    pub fn new(root: Option<PathBuf>, files: Vec<PathBuf>) -> Self {
        Self {
            root,
            files,
            next: 0,
            hasher: Hasher::default(),
            bytes: 0,
        }
    }

    /// The digest of every path and its bytes, and the bytes read.
    pub fn finish(self) -> (String, u64) {
        (self.hasher.hex(), self.bytes)
    }

    /// An article's id: its path below the input folder, without the extension, with `/`
    /// between folders (`Alpha/2023-01-05`), so the same file name in two outlet folders
    /// gives two ids.
    fn id_of(&self, path: &Path) -> String {
        let below = self
            .root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok())
            .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()));
        let mut parts: Vec<String> = below
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if let Some(last) = parts.last_mut() {
            if let Some(stem) = Path::new(last.as_str()).file_stem() {
                *last = stem.to_string_lossy().into_owned();
            }
        }
        parts.join("/")
    }

    pub fn next_file(
        &mut self,
        progress: &AtomicU64,
        fields: &FieldMap,
    ) -> io::Result<Option<Record>> {
        let Some(path) = self.files.get(self.next).cloned() else {
            return Ok(None);
        };
        self.next += 1;
        let file = path.display().to_string();
        let id = self.id_of(&path);
        self.hasher.update(path.to_string_lossy().as_bytes());
        // A link that leads nowhere (or to itself) is one lost article, not a lost run.
        let metadata = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink());
                let reason = if link {
                    format!("a link that leads to no file (dangling or looping): {e}")
                } else {
                    format!("cannot be read: {e}")
                };
                return Ok(Some(reject(&file, 1, &id, reason)));
            }
        };
        // Reading a FIFO or a device would block or never end.
        if !metadata.is_file() {
            return Ok(Some(reject(
                &file,
                1,
                &id,
                "not a regular file (a FIFO, socket or device)",
            )));
        }
        let content = match std::fs::read(&path) {
            Ok(c) => c,
            Err(e) => return Ok(Some(reject(&file, 1, &id, format!("cannot be read: {e}")))),
        };
        self.hasher.update(&content);
        self.bytes += content.len() as u64;
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
}
