//! Files that appear whole or not at all: written under a hidden temporary name beside the
//! destination, flushed to disk, then renamed into place. A crash or an error leaves the
//! previous file (or none), never a half-written one; an uncommitted temporary is removed.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An I/O failure and the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct IoError {
    pub path: PathBuf,
    pub source: io::Error,
}

impl IoError {
    pub fn at(path: &Path) -> impl FnOnce(io::Error) -> IoError + '_ {
        move |source| IoError {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A file being written; `commit` puts it in place.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<Self, IoError> {
        let tmp = temporary_for(path);
        // Errors name the file the user asked for: the temporary is ours, not theirs.
        let file = File::create(&tmp).map_err(IoError::at(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<PathBuf, IoError> {
        self.ready()?.put_in_place()
    }

    /// Flushes and syncs the temporary, to be put in place later with others (a set of files
    /// replaced together as far as a file system allows).
    pub fn ready(mut self) -> Result<ReadyFile, IoError> {
        let writer = self.writer.take().expect("written once");
        let file = writer
            .into_inner()
            .map_err(|e| IoError::at(&self.path)(e.into_error()))?;
        file.sync_all().map_err(IoError::at(&self.path))?;
        Ok(ReadyFile {
            tmp: Some(self.tmp.clone()),
            path: self.path.clone(),
        })
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Not committed: the run failed, so the temporary must not linger.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// A complete temporary, synced to disk, waiting to be renamed into place; removed if dropped.
pub struct ReadyFile {
    tmp: Option<PathBuf>,
    path: PathBuf,
}

impl ReadyFile {
    pub fn put_in_place(mut self) -> Result<PathBuf, IoError> {
        let tmp = self.tmp.take().expect("put in place once");
        fs::rename(&tmp, &self.path).map_err(IoError::at(&self.path))?;
        Ok(self.path.clone())
    }
}

impl Drop for ReadyFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// The hidden temporary `path` is written under: `.NAME.tmp` beside it, so a rename is atomic
/// (same file system) and a listing of the folder does not show it.
fn temporary_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Syncs the finished temporary to disk and renames it over `path`.
fn put_in_place(file: &File, tmp: &Path, path: &Path) -> Result<(), IoError> {
    file.sync_all().map_err(IoError::at(path))?;
    fs::rename(tmp, path).map_err(IoError::at(path))
}

/// Writes `path` atomically through a writer that only takes a path (e.g. a safetensors
/// saver): `write` fills the temporary it is given, which is then put in place. If `write`
/// fails, the temporary is removed and its error returned.
pub fn write_atomic_with<E: From<IoError>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let tmp = temporary_for(path);
    if let Err(e) = write(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let file = File::open(&tmp).map_err(IoError::at(&tmp))?;
    put_in_place(&file, &tmp, path)?;
    Ok(())
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(IoError::at(path))?;
    file.commit().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_files_leave_nothing_and_committed_ones_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        fs::write(&path, "old").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"new").unwrap();
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
