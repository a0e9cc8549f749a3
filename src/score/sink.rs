//! Where a run's rows go: tables appended in `OUT/.partial/`, synced at each checkpoint, and
//! moved into `OUT` as a set when the run is complete, run.json last.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::checkpoint::{Checkpoint, PARTIAL};
use super::rows::{ArticleRows, TotalRows};
use crate::schema::compare::COMPARE_TABLES;
use crate::schema::{
    manifest, ActorRow, ArticleRow, Layout, MentionRow, OutletRow, PositionRow, RejectRow, Row,
    RunManifest, SchemaError, StoryRow, TableWriter, VoiceRow,
};
use crate::schema::{parquet_tables, SCORE_TABLES};
use crate::util::failpoint::kill_point;
use crate::util::IoError;

pub struct Sink {
    partial: PathBuf,
    mentions: TableWriter<MentionRow, File>,
    actors: TableWriter<ActorRow, File>,
    articles: TableWriter<ArticleRow, File>,
    rejects: TableWriter<RejectRow, File>,
    /// Only in a part of a sharded run: where each record's rows came from.
    positions: Option<TableWriter<PositionRow, File>>,
    /// Positions of rejects not yet written: a chunk's rejects reach the sink as they are
    /// read, its articles once scored, and positions.csv must be in input order.
    rejects_pending: std::collections::VecDeque<PositionRow>,
}

fn remove_if_present(path: &Path) -> Result<(), IoError> {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(IoError::at(path)(e)),
        _ => Ok(()),
    }
}

impl Sink {
    /// New, empty tables in `out/.partial` (anything an earlier unfinished run left there is
    /// discarded); with `positions`, for a part of a sharded run.
    pub fn create(out: &Path, layout: &Layout, positions: bool) -> Result<Self, SchemaError> {
        let partial = out.join(PARTIAL);
        remove_if_present(&partial)?;
        std::fs::create_dir_all(&partial).map_err(IoError::at(&partial))?;
        Ok(Self {
            mentions: TableWriter::create_appendable(&partial, layout)?,
            actors: TableWriter::create_appendable(&partial, layout)?,
            articles: TableWriter::create_appendable(&partial, layout)?,
            rejects: TableWriter::create_appendable(&partial, layout)?,
            positions: if positions {
                Some(TableWriter::create_appendable(&partial, layout)?)
            } else {
                None
            },
            partial,
            rejects_pending: Default::default(),
        })
    }

    /// The tables of an unfinished run, cut back to what `checkpoint` vouches for.
    pub fn resume(out: &Path, checkpoint: &Checkpoint) -> Result<Self, SchemaError> {
        let partial = out.join(PARTIAL);
        let tables = &checkpoint.tables;
        Ok(Self {
            mentions: TableWriter::reopen(&partial, tables)?,
            actors: TableWriter::reopen(&partial, tables)?,
            articles: TableWriter::reopen(&partial, tables)?,
            rejects: TableWriter::reopen(&partial, tables)?,
            positions: if tables.iter().any(|t| t.file == PositionRow::FILE) {
                Some(TableWriter::reopen(&partial, tables)?)
            } else {
                None
            },
            partial,
            rejects_pending: Default::default(),
        })
    }

    /// Lists the rejected input record number `record` (counted from 0 over all inputs).
    pub fn reject(&mut self, reject: &RejectRow, record: u64) -> Result<(), SchemaError> {
        if self.positions.is_some() {
            self.rejects_pending.push_back(PositionRow {
                record,
                article_id: String::new(),
                rejected: true,
                mentions: 0,
                actors: 0,
            });
        }
        self.rejects.write(reject)
    }

    /// Writes the rows of the article that was input record number `record`.
    pub fn article(&mut self, rows: &ArticleRows, record: u64) -> Result<(), SchemaError> {
        self.write_rejects_before(record)?;
        if let Some(positions) = &mut self.positions {
            positions.write(&PositionRow {
                record,
                article_id: rows.article.article_id.clone(),
                rejected: false,
                mentions: rows.mentions.len() as u64,
                actors: rows.actors.len() as u64,
            })?;
        }
        for row in &rows.mentions {
            self.mentions.write(row)?;
        }
        for row in &rows.actors {
            self.actors.write(row)?;
        }
        self.articles.write(&rows.article)
    }

    /// Writes the positions of the rejects read before input record `record`.
    fn write_rejects_before(&mut self, record: u64) -> Result<(), SchemaError> {
        let Some(positions) = &mut self.positions else {
            return Ok(());
        };
        while self
            .rejects_pending
            .front()
            .is_some_and(|p| p.record < record)
        {
            if let Some(row) = self.rejects_pending.pop_front() {
                positions.write(&row)?;
            }
        }
        Ok(())
    }

    /// Syncs the tables and saves `checkpoint` with their prefixes (called between chunks,
    /// when every record read so far has its rows written).
    pub fn checkpoint(
        &mut self,
        mut checkpoint: Checkpoint,
        out: &Path,
    ) -> Result<(), SchemaError> {
        self.write_rejects_before(u64::MAX)?;
        checkpoint.tables = vec![
            self.mentions.sync()?,
            self.actors.sync()?,
            self.articles.sync()?,
            self.rejects.sync()?,
        ];
        if let Some(positions) = &mut self.positions {
            checkpoint.tables.push(positions.sync()?);
        }
        checkpoint.write(out)?;
        kill_point("checkpoint");
        Ok(())
    }

    /// Writes outlets.csv and voices.csv, closes every table and records them in `manifest`, saves that in
    /// the checkpoint (so a crash from here on only has the moves left to do), then moves
    /// the set into place.
    pub fn finish(
        mut self,
        totals: &TotalRows,
        mut manifest: RunManifest,
        mut checkpoint: Checkpoint,
        out: &Path,
    ) -> Result<RunManifest, SchemaError> {
        self.write_rejects_before(u64::MAX)?;
        let layout = manifest.layout();
        let mut outlet_table =
            TableWriter::<OutletRow, File>::create_appendable(&self.partial, &layout)?;
        for row in &totals.outlets {
            outlet_table.write(row)?;
        }
        let mut voice_table =
            TableWriter::<VoiceRow, File>::create_appendable(&self.partial, &layout)?;
        for row in &totals.voices {
            voice_table.write(row)?;
        }
        let mut story_table =
            TableWriter::<StoryRow, File>::create_appendable(&self.partial, &layout)?;
        for row in &totals.stories {
            story_table.write(row)?;
        }
        manifest.tables = vec![
            self.mentions.close()?,
            self.actors.close()?,
            self.articles.close()?,
            self.rejects.close()?,
            outlet_table.close()?,
            voice_table.close()?,
            story_table.close()?,
        ];
        if let Some(positions) = self.positions {
            manifest.tables.push(positions.close()?);
        }
        checkpoint.finished = Some(manifest.clone());
        checkpoint.write(out)?;
        kill_point("finished");
        put_in_place(out, &manifest)?;
        Ok(manifest)
    }
}

/// Moves the finished tables of `manifest` from `out/.partial` into `out` and writes its
/// run.json. The old run.json goes first, with the old run's `compare/` tables and Parquet
/// copies (derived from tables about to be replaced), and the new one comes last, listing each table's
/// checksum: a crash in between leaves a folder without run.json, which readers refuse, and
/// a resume finishes the moves. Tables already moved by an interrupted attempt are skipped.
pub fn put_in_place(out: &Path, manifest: &RunManifest) -> Result<(), SchemaError> {
    remove_if_present(&out.join(manifest::FILE))?;
    let compare = out.join("compare");
    for file in COMPARE_TABLES {
        remove_if_present(&compare.join(file))?;
    }
    // Only if nothing else (the user's own files) is in it.
    let _ = std::fs::remove_dir(&compare);
    for file in SCORE_TABLES {
        remove_if_present(&out.join(parquet_tables::file_name(file)))?;
    }
    let partial = out.join(PARTIAL);
    for table in &manifest.tables {
        let from = partial.join(&table.file);
        if from.exists() {
            let to = out.join(&table.file);
            std::fs::rename(&from, &to).map_err(IoError::at(&to))?;
            kill_point("move");
        }
    }
    manifest.write(out)?;
    remove_if_present(&partial).map_err(SchemaError::from)
}
