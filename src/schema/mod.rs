//! The output directory's format, in one place: a type per table and for run.json, with the
//! columns, the number format and the reading and writing of each. `slant score` writes
//! through it and `compare`, `report` (and any later reader) read through it, so a column is
//! named once.

pub mod compare;
pub mod manifest;
pub mod parquet_tables;
pub mod tables;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::{Estimate, RelativeStats};
use crate::util::{AtomicFile, Hasher, HashingReader, HashingWriter, IoError, ReadyFile};

pub use manifest::{
    Counts, ModelInfo, PartRecord, RegistryFile, RunFlags, RunManifest, TableRecord,
};
pub use tables::score_columns;
pub use tables::{
    ActorRow, ArticleRow, CampCell, MentionRow, OutletRow, PositionRow, RejectRow, StoryRow,
    VoiceRow, SCORE_TABLES,
};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Parquet(#[from] parquet_tables::ParquetError),
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: {message} (is this a `slant score` output directory?)")]
    Missing { path: PathBuf, message: String },
    #[error("{path}: no column {column:?}")]
    Column { path: PathBuf, column: String },
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{path}: does not match run.json ({found}, run.json says {recorded}): the folder mixes \
         files of different runs, or a run was interrupted while replacing them; score again"
    )]
    Mismatch {
        path: PathBuf,
        found: String,
        recorded: String,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The columns that depend on the run: one pair per camp, and the kept input fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub camps: Vec<String>,
    pub keep: Vec<String>,
}

/// What a column holds. The CSV writes every kind as text; the Parquet files and
/// `slant.read_run` (Python) type the columns by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    /// A whole number: a count or a byte offset.
    Count,
    /// A number with six decimals; empty where there is none.
    Number,
    /// `true` or `false`.
    Flag,
}

/// A table's column: its name and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// Columns from their names and kinds.
pub fn columns(spec: &[(&str, Kind)]) -> Vec<Column> {
    spec.iter()
        .map(|&(name, kind)| Column {
            name: name.to_string(),
            kind,
        })
        .collect()
}

/// A row of one of the output tables.
pub trait Row: Sized {
    /// The file name in a run directory.
    const FILE: &'static str;
    /// The columns, in order: the one definition of a table's shape.
    fn columns(layout: &Layout) -> Vec<Column>;
    /// The column names, as the CSV header writes them.
    fn header(layout: &Layout) -> Vec<String> {
        Self::columns(layout).into_iter().map(|c| c.name).collect()
    }
    /// The row's cells, in `header` order.
    fn cells(&self) -> Vec<String>;
}

/// A row that can be read back.
pub trait ReadRow: Row {
    /// Builds the row from its cells, taken in `header` order.
    fn parse(cells: &mut Cells, layout: &Layout) -> Result<Self, String>;
}

/// Six decimals: the precision of every number in the tables (it keeps output byte-stable);
/// empty for None or a non-finite value.
pub fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.6}");
            if s == "-0.000000" {
                "0.000000".into()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

/// `x` as the tables write it. Aggregates are computed from written values, so whoever reads
/// the tables back (compare, report, merge) recomputes exactly the same numbers.
pub fn as_written(x: f64) -> f64 {
    num(Some(x)).parse().unwrap_or(x)
}

/// The columns of a group's framing, shared by outlets.csv and compare's groups.csv.
pub const GROUP_COLUMNS: [(&str, Kind); 18] = [
    ("articles", Kind::Count),
    ("articles_framed", Kind::Count),
    ("mentions", Kind::Count),
    ("tone", Kind::Number),
    ("tone_low", Kind::Number),
    ("tone_high", Kind::Number),
    ("coverage", Kind::Number),
    ("coverage_low", Kind::Number),
    ("coverage_high", Kind::Number),
    ("sources", Kind::Number),
    ("sources_low", Kind::Number),
    ("sources_high", Kind::Number),
    ("framing", Kind::Number),
    ("framing_low", Kind::Number),
    ("framing_high", Kind::Number),
    ("framing_own", Kind::Number),
    ("framing_own_low", Kind::Number),
    ("framing_own_high", Kind::Number),
];

/// The cells of tone, coverage and sources with their intervals, as GROUP_COLUMNS orders them.
pub fn relative_cells(r: &RelativeStats) -> Vec<String> {
    [r.tone, r.coverage, r.sources]
        .iter()
        .flat_map(|e| [num(e.value), num(e.ci.map(|c| c.0)), num(e.ci.map(|c| c.1))])
        .collect()
}

/// Reads what `relative_cells` wrote.
pub fn parse_relative(c: &mut Cells) -> Result<RelativeStats, String> {
    let mut estimate = || -> Result<Estimate, String> {
        let value = c.number()?;
        let (low, high) = (c.number()?, c.number()?);
        Ok(Estimate {
            value,
            ci: low.zip(high),
        })
    };
    Ok(RelativeStats {
        tone: estimate()?,
        coverage: estimate()?,
        sources: estimate()?,
    })
}

/// A header: the `base` columns, then `<camp>_<suffix>` for each camp and suffix.
pub fn with_camps(
    base: &[(&str, Kind)],
    camps: &[String],
    suffixes: &[(&str, Kind)],
) -> Vec<Column> {
    let mut out = columns(base);
    for camp in camps {
        out.extend(suffixes.iter().map(|&(suffix, kind)| Column {
            name: format!("{camp}_{suffix}"),
            kind,
        }));
    }
    out
}

/// One record's cells in header order, taken one after another.
pub struct Cells<'a> {
    record: &'a csv::StringRecord,
    positions: &'a [usize],
    next: usize,
    header: &'a [String],
}

impl Cells<'_> {
    /// The next column's text.
    pub fn text(&mut self) -> Result<String, String> {
        let i = self.next;
        self.next += 1;
        let position = self
            .positions
            .get(i)
            .ok_or_else(|| "more cells read than the header has".to_string())?;
        Ok(self.record.get(*position).unwrap_or("").to_string())
    }

    fn column(&self) -> &str {
        self.header.get(self.next - 1).map_or("?", String::as_str)
    }

    /// The next column as a number; empty is None.
    pub fn number(&mut self) -> Result<Option<f64>, String> {
        let text = self.text()?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| format!("{}: {text:?} is not a number", self.column()))
    }

    /// The next column as a count or offset.
    pub fn count<T: std::str::FromStr>(&mut self) -> Result<T, String> {
        let text = self.text()?;
        text.parse()
            .map_err(|_| format!("{}: {text:?} is not a whole number", self.column()))
    }
}

/// Where a table's rows come from: its CSV, or (where the CSV is gone) its Parquet copy.
enum Source {
    Csv(csv::Reader<HashingReader<std::fs::File>>),
    Parquet(parquet_tables::ParquetRows),
}

/// Reads a table of a run directory, row by row, checking its header.
pub struct TableReader<R> {
    path: PathBuf,
    reader: Source,
    positions: Vec<usize>,
    header: Vec<String>,
    layout: Layout,
    /// What run.json says the file is; checked once it has been read to the end.
    recorded: TableRecord,
    /// Rows read so far.
    rows: u64,
    row: PhantomData<R>,
}

impl<R: ReadRow> TableReader<R> {
    /// Opens the table of the run whose run.json is `manifest`: its CSV, or where run.json
    /// lists no CSV (a Parquet-only run) or the CSV is gone, its Parquet copy.
    pub fn open(dir: &Path, manifest: &RunManifest) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let copy = parquet_tables::file_name(R::FILE);
        let csv = manifest.table(R::FILE).is_some() && path.exists();
        if let (false, Some(recorded)) = (csv, manifest.table(&copy)) {
            let path = dir.join(copy);
            let rows = parquet_tables::ParquetRows::open(&path)?;
            let found = rows.names.clone();
            return Self::with_source(
                path,
                &manifest.layout(),
                recorded.clone(),
                Source::Parquet(rows),
                &found,
            );
        }
        let recorded = manifest
            .table(R::FILE)
            .cloned()
            .ok_or_else(|| SchemaError::Missing {
                path: path.clone(),
                message: "run.json does not list it (an incomplete run, or one written by an \
                          older slant: score again)"
                    .into(),
            })?;
        Self::open_file(path, &manifest.layout(), recorded)
    }

    /// Opens the table in `dir` of an unfinished run, as far as `checkpoint` vouches for it.
    pub fn open_prefix(
        dir: &Path,
        layout: &Layout,
        checkpoint: &[TablePrefix],
    ) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let recorded = TablePrefix::of::<R>(checkpoint, &path)?.record();
        Self::open_file(path, layout, recorded)
    }

    /// Opens the table at `path`, with the columns of `layout`, to be checked against
    /// `recorded` once read to the end.
    fn open_file(
        path: PathBuf,
        layout: &Layout,
        recorded: TableRecord,
    ) -> Result<Self, SchemaError> {
        let file = std::fs::File::open(&path).map_err(|e| SchemaError::Missing {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut reader = csv::Reader::from_reader(HashingReader::new(file, None));
        let found: Vec<String> = reader
            .headers()
            .map_err(|source| SchemaError::Csv {
                path: path.clone(),
                source,
            })?
            .iter()
            .map(String::from)
            .collect();
        Self::with_source(path, layout, recorded, Source::Csv(reader), &found)
    }

    /// A reader of `source`, whose columns are `found`, for the columns of `layout`.
    fn with_source(
        path: PathBuf,
        layout: &Layout,
        recorded: TableRecord,
        reader: Source,
        found: &[String],
    ) -> Result<Self, SchemaError> {
        let found: HashMap<&str, usize> = found
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();
        let layout = layout.clone();
        let header = R::header(&layout);
        let positions = header
            .iter()
            .map(|column| {
                found
                    .get(column.as_str())
                    .copied()
                    .ok_or_else(|| SchemaError::Column {
                        path: path.clone(),
                        column: column.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            path,
            reader,
            positions,
            header,
            layout,
            recorded,
            rows: 0,
            row: PhantomData,
        })
    }

    /// The next row and the line it is on.
    fn next_row(
        &mut self,
        record: &mut csv::StringRecord,
    ) -> Option<Result<(u64, R), SchemaError>> {
        let read = match &mut self.reader {
            Source::Csv(reader) => reader
                .read_record(record)
                .map_err(|source| SchemaError::Csv {
                    path: self.path.clone(),
                    source,
                }),
            Source::Parquet(rows) => match rows.next_cells() {
                None => Ok(false),
                Some(Err(e)) => Err(e),
                Some(Ok(cells)) => {
                    *record = csv::StringRecord::from(cells);
                    Ok(true)
                }
            },
        };
        match read {
            Ok(false) => None,
            Ok(true) => {
                self.rows += 1;
                // A CSV row's line; a Parquet row's number counted like a line under a header.
                let line = record.position().map_or(self.rows + 1, |p| p.line());
                let mut cells = Cells {
                    record,
                    positions: &self.positions,
                    next: 0,
                    header: &self.header,
                };
                Some(
                    R::parse(&mut cells, &self.layout)
                        .map(|row| (line, row))
                        .map_err(|message| SchemaError::Row {
                            path: self.path.clone(),
                            line,
                            message,
                        }),
                )
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// Calls `f` with each row; an error from `f` names the file and line. Ends with an
    /// error if the file is not the one run.json recorded.
    pub fn for_each(
        mut self,
        mut f: impl FnMut(R) -> Result<(), String>,
    ) -> Result<(), SchemaError> {
        let mut record = csv::StringRecord::new();
        while let Some(row) = self.next_row(&mut record) {
            let (line, row) = row?;
            f(row).map_err(|message| SchemaError::Row {
                path: self.path.clone(),
                line,
                message,
            })?;
        }
        self.check()
    }

    /// Checks that no row is left unread and that the file is the one run.json recorded.
    pub fn finish(mut self) -> Result<(), SchemaError> {
        let mut record = csv::StringRecord::new();
        if let Some(row) = self.next_row(&mut record) {
            let (line, _) = row?;
            return Err(SchemaError::Row {
                path: self.path,
                line,
                message: "a row no other table accounts for".into(),
            });
        }
        self.check()
    }

    /// After the last row: the row count and checksum must be those recorded.
    fn check(self) -> Result<(), SchemaError> {
        let sha256 = match self.reader {
            Source::Csv(reader) => reader.into_inner().finish().0,
            Source::Parquet(rows) => rows.sha256,
        };
        if sha256 != self.recorded.sha256 || self.rows != self.recorded.rows {
            return Err(SchemaError::Mismatch {
                path: self.path,
                found: format!("{} rows, sha256 {sha256}", self.rows),
                recorded: format!(
                    "{} rows, sha256 {}",
                    self.recorded.rows, self.recorded.sha256
                ),
            });
        }
        Ok(())
    }

    /// All rows.
    pub fn read_all(self) -> Result<Vec<R>, SchemaError> {
        let mut rows = Vec::new();
        self.for_each(|row| {
            rows.push(row);
            Ok(())
        })?;
        Ok(rows)
    }
}

/// Rows one at a time, for a reader that takes rows from several tables in step; `finish`
/// then checks the file.
impl<R: ReadRow> Iterator for TableReader<R> {
    type Item = Result<R, SchemaError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = csv::StringRecord::new();
        self.next_row(&mut record)
            .map(|row| row.map(|(_, row)| row))
    }
}

/// Writes a table, hashing and counting as it goes. Over an `AtomicFile` (the default) it
/// appears under its name only on `commit`; over a plain `File` it is a table a resumable run
/// appends to, synced at each checkpoint (`sync`) and reopened after a crash (`reopen`).
pub struct TableWriter<R, W: Write = AtomicFile> {
    writer: csv::Writer<HashingWriter<W>>,
    path: PathBuf,
    rows: u64,
    row: PhantomData<R>,
}

impl<R: Row, W: Write> TableWriter<R, W> {
    fn over(inner: HashingWriter<W>, path: &Path, rows: u64) -> Self {
        Self {
            writer: csv::Writer::from_writer(inner),
            path: path.to_path_buf(),
            rows,
            row: PhantomData,
        }
    }

    fn with_header(inner: W, path: &Path, layout: &Layout) -> Result<Self, SchemaError> {
        let mut table = Self::over(HashingWriter::new(inner), path, 0);
        table
            .writer
            .write_record(R::header(layout))
            .map_err(|source| SchemaError::Csv {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(table)
    }

    pub fn write(&mut self, row: &R) -> Result<(), SchemaError> {
        self.rows += 1;
        self.writer
            .write_record(row.cells())
            .map_err(|source| SchemaError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    /// The writer underneath with everything flushed into it, and the table's record.
    fn into_parts(self) -> Result<(W, TableRecord), SchemaError> {
        let hashing = self
            .writer
            .into_inner()
            .map_err(|e| IoError::at(&self.path)(std::io::Error::other(e.error().to_string())))?;
        let (inner, sha256) = hashing.finish();
        let record = TableRecord {
            file: R::FILE.to_string(),
            rows: self.rows,
            sha256,
        };
        Ok((inner, record))
    }
}

impl<R: Row> TableWriter<R> {
    pub fn create(dir: &Path, layout: &Layout) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        Self::with_header(AtomicFile::create(&path)?, &path, layout)
    }

    /// The complete table, synced under its temporary name, and its record for run.json.
    pub fn finish(self) -> Result<(ReadyFile, TableRecord), SchemaError> {
        let (file, record) = self.into_parts()?;
        Ok((file.ready()?, record))
    }

    /// Puts the table in place at once.
    pub fn commit(self) -> Result<TableRecord, SchemaError> {
        let (file, record) = self.finish()?;
        file.put_in_place()?;
        Ok(record)
    }
}

/// How much of an appended table a checkpoint vouches for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePrefix {
    pub file: String,
    pub bytes: u64,
    pub rows: u64,
    pub sha256: String,
}

impl TablePrefix {
    /// The prefix of `R`'s table (at `path`) among a checkpoint's.
    pub fn of<'a, R: Row>(
        checkpoint: &'a [TablePrefix],
        path: &Path,
    ) -> Result<&'a TablePrefix, SchemaError> {
        checkpoint
            .iter()
            .find(|t| t.file == R::FILE)
            .ok_or_else(|| SchemaError::Missing {
                path: path.to_path_buf(),
                message: "the checkpoint does not list it".into(),
            })
    }

    /// As a table record, to read the prefix back with `TableReader::open_file`.
    pub fn record(&self) -> TableRecord {
        TableRecord {
            file: self.file.clone(),
            rows: self.rows,
            sha256: self.sha256.clone(),
        }
    }
}

impl<R: Row> TableWriter<R, File> {
    /// A new table at `dir/FILE`, its header written.
    pub fn create_appendable(dir: &Path, layout: &Layout) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let file = File::create(&path).map_err(IoError::at(&path))?;
        Self::with_header(file, &path, layout)
    }

    /// Reopens `dir/FILE` after a crash: cut back to the prefix `checkpoint` lists for it
    /// (rows written after it are written again), whose digest must still match.
    pub fn reopen(dir: &Path, checkpoint: &[TablePrefix]) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let prefix = TablePrefix::of::<R>(checkpoint, &path)?;
        let io = IoError::at(&path);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let mut hasher = Hasher::default();
        let found = hasher
            .update_from((&file).take(prefix.bytes))
            .map_err(IoError::at(&path))?;
        let sha256 = hasher.clone().hex();
        if found != prefix.bytes || sha256 != prefix.sha256 {
            return Err(SchemaError::Mismatch {
                path,
                found: format!("{found} bytes, sha256 {sha256}"),
                recorded: format!("{} bytes, sha256 {}", prefix.bytes, prefix.sha256),
            });
        }
        file.set_len(prefix.bytes)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
            .map_err(IoError::at(&path))?;
        Ok(Self::over(
            HashingWriter::continuing(file, hasher, prefix.bytes),
            &path,
            prefix.rows,
        ))
    }

    /// Flushes and syncs what is written; the prefix a checkpoint can vouch for.
    pub fn sync(&mut self) -> Result<TablePrefix, SchemaError> {
        let io = IoError::at(&self.path);
        self.writer.flush().map_err(io)?;
        let hashing = self.writer.get_ref();
        hashing
            .get_ref()
            .sync_data()
            .map_err(IoError::at(&self.path))?;
        let (bytes, sha256) = hashing.so_far();
        Ok(TablePrefix {
            file: R::FILE.to_string(),
            bytes,
            rows: self.rows,
            sha256,
        })
    }

    /// The finished table, synced, and its record for run.json.
    pub fn close(self) -> Result<TableRecord, SchemaError> {
        let path = self.path.clone();
        let (file, record) = self.into_parts()?;
        file.sync_all().map_err(IoError::at(&path))?;
        Ok(record)
    }
}

/// Writes all `rows` as one table.
pub fn write_table<R: Row>(dir: &Path, layout: &Layout, rows: &[R]) -> Result<(), SchemaError> {
    let mut table = TableWriter::create(dir, layout)?;
    for row in rows {
        table.write(row)?;
    }
    table.commit().map(drop)
}

#[cfg(test)]
mod disk_full {
    use super::*;

    /// A disk that fills up after `room` bytes.
    struct SmallDisk {
        room: usize,
    }

    impl Write for SmallDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            self.room -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_an_error_naming_the_table() {
        let path = Path::new("run/rejects.csv");
        let mut table = TableWriter::<RejectRow, SmallDisk>::with_header(
            SmallDisk { room: 4096 },
            path,
            &Layout::default(),
        )
        .unwrap();
        let row = RejectRow {
            file: "in.jsonl".into(),
            line: 1,
            id: "a".into(),
            reason: "x".repeat(100),
        };
        let failed = (0..1000)
            .map(|_| table.write(&row))
            .find_map(Result::err)
            .or_else(|| table.into_parts().err())
            .expect("a full disk must fail the write");
        let message = failed.to_string();
        assert!(
            message.contains("run/rejects.csv") && message.contains("No space left"),
            "{message}"
        );
    }
}
