//! Writing results: CSV tables that appear whole or not at all, and the run manifest.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// A CSV file written under a temporary name and renamed into place by `commit`, so a crash
/// never leaves a half-written table under the real name.
pub struct AtomicCsv {
    path: PathBuf,
    tmp: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl AtomicCsv {
    pub fn create(dir: &Path, name: &str, header: &[String]) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let file = File::create(&tmp).map_err(|source| OutputError::Io {
            path: tmp.clone(),
            source,
        })?;
        let mut writer = csv::WriterBuilder::new().from_writer(BufWriter::new(file));
        writer
            .write_record(header)
            .map_err(|source| OutputError::Csv {
                path: tmp.clone(),
                source,
            })?;
        Ok(Self { path, tmp, writer })
    }

    pub fn row<I, S>(&mut self, fields: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.writer
            .write_record(fields)
            .map_err(|source| OutputError::Csv {
                path: self.tmp.clone(),
                source,
            })
    }

    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let tmp = self.tmp.clone();
        let mut inner = self.writer.into_inner().map_err(|e| OutputError::Io {
            path: tmp.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        inner.flush().map_err(|source| OutputError::Io {
            path: tmp.clone(),
            source,
        })?;
        inner
            .get_ref()
            .sync_all()
            .map_err(|source| OutputError::Io {
                path: tmp.clone(),
                source,
            })?;
        fs::rename(&tmp, &self.path).map_err(|source| OutputError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }
}

/// Writes `value` as pretty JSON atomically.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), OutputError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| OutputError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, (text + "\n").as_bytes())
}

/// Writes `bytes` to a temporary beside `path` and renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).map_err(|source| OutputError::Io {
        path: tmp.clone(),
        source,
    })?;
    fs::rename(&tmp, path).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A table header: the `base` columns, then `<camp>_<suffix>` for each camp and suffix.
pub fn header_with_camps(base: &[&str], camps: &[String], suffixes: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    for camp in camps {
        header.extend(suffixes.iter().map(|suffix| format!("{camp}_{suffix}")));
    }
    header
}

/// Fixed-precision number for CSV (six decimals keeps output byte-stable); empty for None.
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
