//! The output directory's format, in one place: a type per table and for run.json, with the
//! columns, the number format and the reading and writing of each. `slant score` writes
//! through it and `compare`, `report` (and any later reader) read through it, so a column is
//! named once.

pub mod compare;
pub mod manifest;
pub mod tables;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use crate::util::{AtomicFile, HashingReader, HashingWriter, IoError, ReadyFile};

pub use manifest::{Counts, ModelInfo, RegistryFile, RunFlags, RunManifest, TableRecord};
pub use tables::{ActorRow, ArticleRow, CampCell, MentionRow, OutletRow, RejectRow};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Io(#[from] IoError),
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

/// A row of one of the output tables.
pub trait Row: Sized {
    /// The file name in a run directory.
    const FILE: &'static str;
    fn header(layout: &Layout) -> Vec<String>;
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
pub const GROUP_COLUMNS: [&str; 6] = [
    "articles",
    "articles_framed",
    "mentions",
    "framing",
    "framing_low",
    "framing_high",
];

/// A header: the `base` columns, then `<camp>_<suffix>` for each camp and suffix.
pub fn header_with_camps(base: &[&str], camps: &[String], suffixes: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    for camp in camps {
        header.extend(suffixes.iter().map(|suffix| format!("{camp}_{suffix}")));
    }
    header
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

/// Reads a table of a run directory, row by row, checking its header.
pub struct TableReader<R> {
    path: PathBuf,
    reader: csv::Reader<HashingReader<std::fs::File>>,
    positions: Vec<usize>,
    header: Vec<String>,
    layout: Layout,
    /// What run.json says the file is; checked once it has been read to the end.
    recorded: TableRecord,
    row: PhantomData<R>,
}

impl<R: ReadRow> TableReader<R> {
    /// Opens the table of the run whose run.json is `manifest`.
    pub fn open(dir: &Path, manifest: &RunManifest) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let recorded = manifest
            .table(R::FILE)
            .cloned()
            .ok_or_else(|| SchemaError::Missing {
                path: path.clone(),
                message: "run.json does not list it (an incomplete run, or one written by an \
                          older slant: score again)"
                    .into(),
            })?;
        let file = std::fs::File::open(&path).map_err(|e| SchemaError::Missing {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut reader = csv::Reader::from_reader(HashingReader::new(file, None));
        let found: HashMap<String, usize> = reader
            .headers()
            .map_err(|source| SchemaError::Csv {
                path: path.clone(),
                source,
            })?
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_string(), i))
            .collect();
        let layout = manifest.layout();
        let header = R::header(&layout);
        let positions = header
            .iter()
            .map(|column| {
                found
                    .get(column)
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
            row: PhantomData,
        })
    }

    /// The next row and the line it is on.
    fn next_row(
        &mut self,
        record: &mut csv::StringRecord,
    ) -> Option<Result<(u64, R), SchemaError>> {
        match self.reader.read_record(record) {
            Ok(false) => None,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
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
            Err(source) => Some(Err(SchemaError::Csv {
                path: self.path.clone(),
                source,
            })),
        }
    }

    /// Calls `f` with each row; an error from `f` names the file and line. Ends with an
    /// error if the file is not the one run.json recorded.
    pub fn for_each(
        mut self,
        mut f: impl FnMut(R) -> Result<(), String>,
    ) -> Result<(), SchemaError> {
        let mut record = csv::StringRecord::new();
        let mut rows = 0u64;
        while let Some(row) = self.next_row(&mut record) {
            let (line, row) = row?;
            rows += 1;
            f(row).map_err(|message| SchemaError::Row {
                path: self.path.clone(),
                line,
                message,
            })?;
        }
        let (sha256, _) = self.reader.into_inner().finish();
        if sha256 != self.recorded.sha256 || rows != self.recorded.rows {
            return Err(SchemaError::Mismatch {
                path: self.path,
                found: format!("{rows} rows, sha256 {sha256}"),
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

/// Writes a table atomically: it appears under its name only on `commit`.
pub struct TableWriter<R> {
    writer: csv::Writer<HashingWriter<AtomicFile>>,
    path: PathBuf,
    rows: u64,
    row: PhantomData<R>,
}

impl<R: Row> TableWriter<R> {
    pub fn create(dir: &Path, layout: &Layout) -> Result<Self, SchemaError> {
        let path = dir.join(R::FILE);
        let mut writer = csv::Writer::from_writer(HashingWriter::new(AtomicFile::create(&path)?));
        let csv_error = |source| SchemaError::Csv {
            path: path.clone(),
            source,
        };
        writer.write_record(R::header(layout)).map_err(csv_error)?;
        Ok(Self {
            writer,
            path,
            rows: 0,
            row: PhantomData,
        })
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

    /// The complete table, synced under its temporary name, and its record for run.json.
    pub fn finish(self) -> Result<(ReadyFile, TableRecord), SchemaError> {
        let hashing = self
            .writer
            .into_inner()
            .map_err(|e| IoError::at(&self.path)(std::io::Error::other(e.error().to_string())))?;
        let (file, sha256) = hashing.finish();
        let record = TableRecord {
            file: R::FILE.to_string(),
            rows: self.rows,
            sha256,
        };
        Ok((file.ready()?, record))
    }

    /// Puts the table in place at once.
    pub fn commit(self) -> Result<TableRecord, SchemaError> {
        let (file, record) = self.finish()?;
        file.put_in_place()?;
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
