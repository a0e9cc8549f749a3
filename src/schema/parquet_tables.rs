//! Parquet copies of a run's tables, for Polars, pandas, R's arrow, DuckDB and Spark: the same
//! columns in the same order, the same rows in the same order, typed by each column's `Kind`
//! (text as UTF-8 strings, counts as 64-bit integers, numbers as doubles, flags as booleans;
//! an empty count or number is null). They are made from the CSV tables as run.json vouches for
//! them, and their checksums join run.json's; a reader of a run reads a table's copy where its
//! CSV is gone (`ParquetRows`).
//!
//! The files are byte-identical for identical tables: fixed row groups, no timestamps.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;

use super::tables::{ActorRow, ArticleRow, MentionRow, OutletRow, RejectRow, StoryRow, VoiceRow};
use super::{num, Column, Kind, ReadRow, RunManifest, SchemaError, TableReader, TableRecord};
use crate::util::{sha256_hex, AtomicFile, IoError};

/// Rows per row group: large enough for good compression, small enough that a table of
/// millions of mentions is written in bounded memory.
const ROW_GROUP: usize = 65_536;

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ParquetError {
    pub path: PathBuf,
    pub message: String,
}

impl ParquetError {
    fn at(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> SchemaError + '_ {
        move |e| {
            SchemaError::from(ParquetError {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
    }
}

/// The Parquet file name of a table: `mentions.csv` -> `mentions.parquet`.
pub fn file_name(csv: &str) -> String {
    format!("{}.parquet", csv.strip_suffix(".csv").unwrap_or(csv))
}

/// Writes a Parquet copy of each table of the run in `dir` beside its CSV (the tables are
/// checked against run.json as they are read) and records them in run.json.
pub fn export(dir: &Path) -> Result<Vec<TableRecord>, SchemaError> {
    let mut manifest = RunManifest::read(dir)?;
    let written = [
        write_table::<MentionRow>,
        write_table::<ActorRow>,
        write_table::<ArticleRow>,
        write_table::<OutletRow>,
        write_table::<VoiceRow>,
        write_table::<StoryRow>,
        write_table::<RejectRow>,
    ]
    .iter()
    .map(|write| write(dir, &manifest))
    .collect::<Result<Vec<_>, _>>()?;
    manifest
        .tables
        .retain(|t| !written.iter().any(|w| w.file == t.file));
    manifest.tables.extend(written.iter().cloned());
    manifest.write(dir)?;
    Ok(written)
}

/// Keeps only the Parquet copies of the run in `dir` (after `export`): run.json first stops
/// listing the CSV tables, then they are deleted, so a crash in between leaves a readable run.
pub fn drop_csv(dir: &Path) -> Result<(), SchemaError> {
    let mut manifest = RunManifest::read(dir)?;
    let copies: Vec<String> = manifest
        .tables
        .iter()
        .filter(|t| t.file.ends_with(".parquet"))
        .map(|t| t.file.clone())
        .collect();
    let has_copy = |csv: &str| copies.contains(&file_name(csv));
    let dropped: Vec<String> = manifest
        .tables
        .iter()
        .filter(|t| t.file.ends_with(".csv") && has_copy(&t.file))
        .map(|t| t.file.clone())
        .collect();
    manifest.tables.retain(|t| !dropped.contains(&t.file));
    manifest.write(dir)?;
    for file in dropped {
        let path = dir.join(file);
        std::fs::remove_file(&path).map_err(IoError::at(&path))?;
    }
    Ok(())
}

/// Writes `R`'s table of the run in `dir` as Parquet beside its CSV; the record for run.json.
pub fn write_table<R: ReadRow>(
    dir: &Path,
    manifest: &RunManifest,
) -> Result<TableRecord, SchemaError> {
    let file = file_name(R::FILE);
    let path = dir.join(&file);
    let columns = R::columns(&manifest.layout());
    let schema = Arc::new(schema(&columns).map_err(ParquetError::at(&path))?);
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .build();
    let out = AtomicFile::create(&path)?;
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(properties))
        .map_err(ParquetError::at(&path))?;
    let mut group: Vec<Vec<String>> = Vec::with_capacity(ROW_GROUP);
    let mut rows = 0u64;
    let mut failure = None;
    TableReader::<R>::open(dir, manifest)?.for_each(|row| {
        group.push(row.cells());
        rows += 1;
        if group.len() == ROW_GROUP {
            if let Err(e) = write_group(&mut writer, &columns, &group) {
                failure = Some(e);
                return Err("cannot write its Parquet copy".into());
            }
            group.clear();
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(ParquetError::at(&path)(e));
    }
    if !group.is_empty() || rows == 0 {
        write_group(&mut writer, &columns, &group).map_err(ParquetError::at(&path))?;
    }
    let out = writer.into_inner().map_err(ParquetError::at(&path))?;
    out.commit()?;
    let bytes = std::fs::read(&path).map_err(IoError::at(&path))?;
    Ok(TableRecord {
        file,
        rows,
        sha256: sha256_hex(&bytes),
    })
}

/// The Parquet schema of `columns`.
fn schema(columns: &[Column]) -> parquet::errors::Result<Type> {
    let fields = columns
        .iter()
        .map(|c| {
            let (physical, repetition) = match c.kind {
                Kind::Text => (Physical::BYTE_ARRAY, Repetition::REQUIRED),
                Kind::Count => (Physical::INT64, Repetition::OPTIONAL),
                Kind::Number => (Physical::DOUBLE, Repetition::OPTIONAL),
                Kind::Flag => (Physical::BOOLEAN, Repetition::REQUIRED),
            };
            let mut field =
                Type::primitive_type_builder(&c.name, physical).with_repetition(repetition);
            if c.kind == Kind::Text {
                field = field
                    .with_logical_type(Some(LogicalType::String))
                    .with_converted_type(ConvertedType::UTF8);
            }
            field.build().map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    Type::group_type_builder("slant")
        .with_fields(fields)
        .build()
}

/// One row group: each column's cells, typed.
fn write_group<W: std::io::Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    columns: &[Column],
    rows: &[Vec<String>],
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    for (i, column) in columns.iter().enumerate() {
        let Some(mut out) = group.next_column()? else {
            break;
        };
        let cells = rows.iter().map(|r| r.get(i).map_or("", String::as_str));
        let invalid = |cell: &str| {
            parquet::errors::ParquetError::General(format!(
                "column {}: {cell:?} is not a {:?}",
                column.name, column.kind
            ))
        };
        match column.kind {
            Kind::Text => {
                let values: Vec<ByteArray> = cells
                    .map(|c| ByteArray::from(c.as_bytes().to_vec()))
                    .collect();
                out.typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            }
            Kind::Count => {
                let (values, defined) =
                    present(cells, |c| c.parse::<i64>().map_err(|_| invalid(c)))?;
                out.typed::<Int64Type>()
                    .write_batch(&values, Some(&defined), None)?;
            }
            Kind::Number => {
                let (values, defined) =
                    present(cells, |c| c.parse::<f64>().map_err(|_| invalid(c)))?;
                out.typed::<DoubleType>()
                    .write_batch(&values, Some(&defined), None)?;
            }
            Kind::Flag => {
                let values = cells
                    .map(|c| match c {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        other => Err(invalid(other)),
                    })
                    .collect::<parquet::errors::Result<Vec<_>>>()?;
                out.typed::<BoolType>().write_batch(&values, None, None)?;
            }
        }
        out.close()?;
    }
    group.close()?;
    Ok(())
}

/// The values of the cells that are not empty, and each cell's definition level (0: empty,
/// null in Parquet; 1: a value).
fn present<'a, T>(
    cells: impl Iterator<Item = &'a str>,
    parse: impl Fn(&str) -> parquet::errors::Result<T>,
) -> parquet::errors::Result<(Vec<T>, Vec<i16>)> {
    let (mut values, mut defined) = (Vec::new(), Vec::new());
    for cell in cells {
        if cell.is_empty() {
            defined.push(0);
        } else {
            values.push(parse(cell)?);
            defined.push(1);
        }
    }
    Ok((values, defined))
}

/// A Parquet copy read row by row as the CSV would give its rows (for a run whose CSV table is
/// gone: `compare`, `report` and `merge` read either). The file's checksum is taken as it is
/// opened, to be checked against run.json like the CSV's.
pub struct ParquetRows {
    rows: parquet::record::reader::RowIter<'static>,
    pub names: Vec<String>,
    pub sha256: String,
    path: PathBuf,
}

impl ParquetRows {
    pub fn open(path: &Path) -> Result<Self, SchemaError> {
        let mut hasher = crate::util::Hasher::default();
        let file = File::open(path).map_err(IoError::at(path))?;
        hasher.update_from(file).map_err(IoError::at(path))?;
        let file = File::open(path).map_err(IoError::at(path))?;
        let reader = SerializedFileReader::new(file).map_err(ParquetError::at(path))?;
        let names = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        Ok(Self {
            rows: parquet::record::reader::RowIter::from_file_into(Box::new(reader)),
            names,
            sha256: hasher.hex(),
            path: path.to_path_buf(),
        })
    }

    /// The next row's cells as the CSV writes them; `None` after the last.
    pub fn next_cells(&mut self) -> Option<Result<Vec<String>, SchemaError>> {
        let row = self.rows.next()?;
        Some(
            row.map(|row| row.get_column_iter().map(|(_, f)| as_written(f)).collect())
                .map_err(ParquetError::at(&self.path)),
        )
    }
}

/// A Parquet value as the CSV writes it.
fn as_written(field: &Field) -> String {
    match field {
        Field::Null => String::new(),
        Field::Bool(b) => b.to_string(),
        Field::Long(n) => n.to_string(),
        Field::Double(x) => num(Some(*x)),
        Field::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of a Parquet table as the CSV writes them (six decimals, empty for null): what a
/// round trip is checked against.
pub fn rows_as_written(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), SchemaError> {
    let mut rows = ParquetRows::open(path)?;
    let mut out = Vec::new();
    while let Some(cells) = rows.next_cells() {
        out.push(cells?);
    }
    Ok((rows.names, out))
}
