//! Reading articles: JSONL, CSV, folders of `.txt` files, or standard input.
//!
//! Records stream one at a time, so memory does not grow with the corpus. A bad record never
//! stops the reader: it comes out as a `Reject` naming the file, line, id (when known) and the
//! reason, and every record is either an `Article` or a `Reject`. Only an input that cannot be
//! opened or read at all is an error.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::util::{Digest, Hasher, HashingReader, IoError};

mod csv;
mod encoding;
pub mod inputs;
mod jsonl;
mod lines;
mod shard;
mod txt;

pub use shard::{Shard, ShardError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: String,
    pub outlet: String,
    pub date: String,
    pub title: String,
    pub text: String,
    /// The story the input gives it (empty when none; `--stories` may assign one).
    pub story: String,
    /// Values of the `--keep-fields` columns, in that order (empty where absent).
    pub kept: Vec<String>,
    pub file: String,
    pub line: u64,
}

impl Article {
    /// An article of `text` alone, read from line 1 of `file`: no outlet, date or title (for
    /// evaluations over annotated texts, benchmarks and tests).
    pub fn of_text(
        id: impl Into<String>,
        text: impl Into<String>,
        file: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            outlet: String::new(),
            date: String::new(),
            title: String::new(),
            text: text.into(),
            story: String::new(),
            kept: Vec::new(),
            file: file.into(),
            line: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Article(Article),
    Reject(Reject),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
    Txt,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Txt => "txt",
        }
    }
}

/// Which input fields hold what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMap {
    pub id: String,
    pub outlet: String,
    pub date: String,
    pub title: String,
    pub text: String,
    /// The field naming an article's story (optional in every record).
    #[serde(default = "story_field")]
    pub story: String,
    pub keep: Vec<String>,
}

fn story_field() -> String {
    "story".into()
}

impl Default for FieldMap {
    fn default() -> Self {
        Self {
            id: "id".into(),
            outlet: "outlet".into(),
            date: "date".into(),
            title: "title".into(),
            text: "text".into(),
            story: story_field(),
            keep: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(
        "{path}: no .txt files in this folder (a folder is read as one article per .txt file; \
         name .jsonl or .csv files directly{found})"
    )]
    NoTextFiles { path: PathBuf, found: String },
    #[error("{path}: cannot tell the format; name it with --format jsonl|csv|txt")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: {reason}")]
    Encoding { path: PathBuf, reason: String },
    #[error("{path}: no such input file or folder")]
    Missing { path: PathBuf },
    #[error("input pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },
    #[error("{path}: the list of inputs names no input")]
    EmptyList { path: PathBuf },
}

/// One input as read, for the run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    pub path: String,
    pub format: Format,
    pub sha256: String,
    pub bytes: u64,
    /// Records read: each one is an article scored or a reject, so `records == articles +
    /// rejected`.
    pub records: u64,
    pub articles: u64,
    pub rejected: u64,
}

/// The inputs' total size in bytes, for a progress bar (standard input counts nothing).
pub fn total_bytes(inputs: &[(PathBuf, Format)]) -> u64 {
    inputs.iter().filter_map(|(p, _)| input_size(p)).sum()
}

fn input_size(path: &Path) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    if path.is_dir() {
        // The same files the reader will read.
        let mut files = Vec::new();
        txt::collect_txt(path, &mut files).ok()?;
        return Some(
            files
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum(),
        );
    }
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// The format of `path`: a directory is a `.txt` folder, else by extension; `-` needs `default`.
pub fn detect_format(path: &Path, default: Option<Format>) -> Result<Format, CorpusError> {
    if let Some(f) = default {
        return Ok(f);
    }
    if path.is_dir() {
        return Ok(Format::Txt);
    }
    let extension = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    };
    // `corpus.jsonl.gz` and `corpus.jsonl.zst` are JSONL (unpacked as they are read).
    let named = match extension(path).as_deref() {
        Some("gz" | "zst") => path.file_stem().and_then(|stem| extension(Path::new(stem))),
        other => other.map(str::to_string),
    };
    match named.as_deref() {
        Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
        Some("csv") => Ok(Format::Csv),
        Some("txt") => Ok(Format::Txt),
        _ if path == Path::new("-") => Ok(Format::Jsonl),
        _ => Err(CorpusError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

enum Source {
    /// The lines and the line number; the digest of the file's bytes as stored.
    Lines(lines::Lines<BufReader<Box<dyn Read>>>, u64, Digest),
    Csv(Box<csv::CsvRows>, Digest),
    Files(txt::TextFiles),
}

struct Open {
    summary: InputSummary,
    source: Source,
}

/// The .txt files of a folder; an error when there is none.
fn txt_files(path: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let mut files = Vec::new();
    txt::collect_txt(path, &mut files).map_err(IoError::at(path))?;
    if files.is_empty() {
        return Err(CorpusError::NoTextFiles {
            path: path.to_path_buf(),
            found: txt::some_other_file(path)
                .map_or_else(String::new, |name| format!("; it holds {name}")),
        });
    }
    Ok(files)
}

/// Checks every input before any work, so a run does not stop at its tenth file for a
/// problem visible at the start: each exists, a folder holds .txt files, a file is in an
/// encoding slant reads (UTF-8, possibly gzipped).
pub fn preflight(inputs: &[(PathBuf, Format)]) -> Result<(), CorpusError> {
    for (path, format) in inputs {
        if path == Path::new("-") {
            continue;
        }
        if !path.exists() {
            return Err(CorpusError::Missing { path: path.clone() });
        }
        match (path.is_dir(), format) {
            (true, Format::Txt) => drop(txt_files(path)?),
            (true, _) => {
                return Err(CorpusError::Encoding {
                    path: path.clone(),
                    reason: format!(
                        "a folder, read only as .txt files (not --format {})",
                        format.name()
                    ),
                })
            }
            (false, Format::Txt) => {}
            (false, _) => {
                let file = File::open(path).map_err(IoError::at(path))?;
                encoding::decoded(path, Box::new(file))?;
            }
        }
    }
    Ok(())
}

/// Streams records from several inputs in order.
pub struct Reader {
    pending: std::vec::IntoIter<(PathBuf, Format)>,
    current: Option<Open>,
    fields: FieldMap,
    /// Every id so far, with the input (index into `done` order) and line it came from.
    /// Keyed by the first 16 bytes of the id's SHA-256 (no realistic chance of a collision):
    /// 16 bytes per id however long the ids are, so tens of millions fit in memory.
    seen: HashMap<[u8; 16], (u32, u64)>,
    files: Vec<String>,
    done: Vec<InputSummary>,
    progress: Arc<AtomicU64>,
}

impl Reader {
    pub fn new(inputs: Vec<(PathBuf, Format)>, fields: FieldMap) -> Self {
        Self {
            pending: inputs.into_iter(),
            current: None,
            fields,
            seen: HashMap::new(),
            files: Vec::new(),
            done: Vec::new(),
            progress: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Total bytes read so far, across inputs (for a progress bar).
    pub fn progress(&self) -> Arc<AtomicU64> {
        self.progress.clone()
    }

    /// Summaries of the inputs read to the end.
    pub fn finish(self) -> Vec<InputSummary> {
        self.done
    }

    fn open(&self, path: &Path, format: Format) -> Result<Open, CorpusError> {
        let io_err = IoError::at(path);
        let hashing = |inner: Box<dyn Read>| HashingReader::new(inner, Some(self.progress.clone()));
        let summary = InputSummary {
            path: path.display().to_string(),
            format,
            sha256: String::new(),
            bytes: 0,
            records: 0,
            articles: 0,
            rejected: 0,
        };
        let source = match format {
            Format::Txt => {
                let (root, mut files) = if path.is_dir() {
                    (Some(path.to_path_buf()), txt_files(path)?)
                } else {
                    (None, vec![path.to_path_buf()])
                };
                files.sort();
                Source::Files(txt::TextFiles::new(root, files))
            }
            _ => {
                let raw: Box<dyn Read> = if path == Path::new("-") {
                    Box::new(io::stdin())
                } else {
                    Box::new(File::open(path).map_err(io_err)?)
                };
                // The checksum is of the bytes as stored; parsing sees them decoded.
                let stored = hashing(raw);
                let digest = stored.digest();
                let inner = encoding::decoded(path, Box::new(stored))?;
                if format == Format::Csv {
                    let rows = csv::CsvRows::new(BufReader::with_capacity(1 << 16, inner));
                    Source::Csv(Box::new(rows), digest)
                } else {
                    Source::Lines(
                        lines::Lines::new(BufReader::with_capacity(1 << 16, inner)),
                        0,
                        digest,
                    )
                }
            }
        };
        Ok(Open { summary, source })
    }

    /// Checks id uniqueness across all inputs and wraps the outcome.
    fn admit(&mut self, article: Article) -> Record {
        let key = id_key(&article.id);
        if let Some(&(file, line)) = self.seen.get(&key) {
            let first = self.files.get(file as usize).map_or("?", String::as_str);
            return Record::Reject(Reject {
                reason: format!("duplicate id (first at {first}:{line})"),
                file: article.file,
                line: article.line,
                id: article.id,
            });
        }
        // Ids are kept compactly (file index, line): millions fit in little memory.
        if self.files.last() != Some(&article.file) {
            self.files.push(article.file.clone());
        }
        let file = (self.files.len() - 1) as u32;
        self.seen.insert(key, (file, article.line));
        Record::Article(article)
    }
}

/// An article id's key: the first 16 bytes of the SHA-256 of its UTF-8 bytes. Duplicate ids
/// are caught by it and shards are chosen from it.
pub fn id_key(id: &str) -> [u8; 16] {
    let mut hasher = Hasher::default();
    hasher.update(id.as_bytes());
    hasher.key16()
}

impl Iterator for Reader {
    type Item = Result<Record, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.current.is_none() {
                let (path, format) = self.pending.next()?;
                match self.open(&path, format) {
                    Ok(open) => self.current = Some(open),
                    Err(e) => return Some(Err(e)),
                }
            }
            let open = self.current.as_mut()?;
            let file = open.summary.path.clone();
            let outcome = match &mut open.source {
                Source::Lines(reader, line, _) => {
                    jsonl::next_line(reader, line, &file, &self.fields)
                }
                Source::Csv(rows, _) => csv::next_csv(rows, &file, &self.fields),
                Source::Files(files) => files.next_file(&self.progress, &self.fields),
            };
            match outcome {
                Ok(Some(record)) => {
                    let record = match record {
                        Record::Article(a) => self.admit(a),
                        reject => reject,
                    };
                    if let Some(open) = self.current.as_mut() {
                        open.summary.records += 1;
                        match record {
                            Record::Article(_) => open.summary.articles += 1,
                            Record::Reject(_) => open.summary.rejected += 1,
                        }
                    }
                    return Some(Ok(record));
                }
                Ok(None) => {
                    let Some(mut open) = self.current.take() else {
                        continue;
                    };
                    let (sha, bytes) = match open.source {
                        Source::Lines(_, _, digest) | Source::Csv(_, digest) => digest.finish(),
                        Source::Files(files) => files.finish(),
                    };
                    open.summary.sha256 = sha;
                    open.summary.bytes = bytes;
                    self.done.push(open.summary);
                }
                Err(source) => {
                    self.current = None;
                    return Some(Err(IoError {
                        path: PathBuf::from(file),
                        source,
                    }
                    .into()));
                }
            }
        }
    }
}

fn reject(file: &str, line: u64, id: &str, reason: impl Into<String>) -> Record {
    Record::Reject(Reject {
        file: file.to_string(),
        line,
        id: id.to_string(),
        reason: reason.into(),
    })
}

/// Builds an article from named string fields, or says why not.
fn article_from(
    get: &dyn Fn(&str) -> Result<Option<String>, String>,
    fields: &FieldMap,
    file: &str,
    line: u64,
) -> Record {
    let id = match get(&fields.id) {
        Ok(Some(id)) if !id.trim().is_empty() => id.trim().to_string(),
        Ok(_) => return reject(file, line, "", format!("missing {:?}", fields.id)),
        Err(e) => return reject(file, line, "", e),
    };
    let mut values = Vec::new();
    for (name, required) in [
        (&fields.outlet, true),
        (&fields.date, false),
        (&fields.title, false),
        (&fields.text, true),
    ] {
        match get(name) {
            Ok(Some(v)) => values.push(v),
            Ok(None) if !required => values.push(String::new()),
            Ok(None) => return reject(file, line, &id, format!("missing {name:?}")),
            Err(e) => return reject(file, line, &id, e),
        }
    }
    let text = values.pop().unwrap_or_default();
    let title = values.pop().unwrap_or_default();
    let date = values.pop().unwrap_or_default();
    let outlet = values.pop().unwrap_or_default().trim().to_string();
    if outlet.is_empty() {
        return reject(file, line, &id, format!("empty {:?}", fields.outlet));
    }
    if text.trim().is_empty() {
        return reject(file, line, &id, "empty text");
    }
    // NUL is no character of news text: binary data, or a broken export.
    if let Some(at) = text.find('\0') {
        return reject(
            file,
            line,
            &id,
            format!("text holds a NUL byte (at byte {at}): binary data?"),
        );
    }
    let story = match get(&fields.story) {
        Ok(v) => v.unwrap_or_default().trim().to_string(),
        Err(e) => return reject(file, line, &id, e),
    };
    let mut kept = Vec::new();
    for name in &fields.keep {
        match get(name) {
            Ok(v) => kept.push(v.unwrap_or_default()),
            Err(e) => return reject(file, line, &id, e),
        }
    }
    Record::Article(Article {
        id,
        outlet,
        date: date.trim().to_string(),
        title,
        text,
        story,
        kept,
        file: file.to_string(),
        line,
    })
}
