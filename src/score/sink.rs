//! Where a run's rows go: the tables of the output directory, written through the schema and
//! committed when the run is complete, then run.json.

use std::path::Path;

use super::rows::ScoredArticle;
use crate::schema::{
    manifest, ActorRow, ArticleRow, Layout, MentionRow, OutletRow, RejectRow, RunManifest,
    SchemaError, TableWriter,
};
use crate::util::IoError;

pub struct Sink {
    mentions: TableWriter<MentionRow>,
    actors: TableWriter<ActorRow>,
    articles: TableWriter<ArticleRow>,
    rejects: TableWriter<RejectRow>,
    outlets: TableWriter<OutletRow>,
}

impl Sink {
    pub fn create(dir: &Path, layout: &Layout) -> Result<Self, SchemaError> {
        std::fs::create_dir_all(dir).map_err(IoError::at(dir))?;
        Ok(Self {
            mentions: TableWriter::create(dir, layout)?,
            actors: TableWriter::create(dir, layout)?,
            articles: TableWriter::create(dir, layout)?,
            rejects: TableWriter::create(dir, layout)?,
            outlets: TableWriter::create(dir, layout)?,
        })
    }

    pub fn reject(&mut self, reject: &RejectRow) -> Result<(), SchemaError> {
        self.rejects.write(reject)
    }

    pub fn article(&mut self, scored: &ScoredArticle) -> Result<(), SchemaError> {
        for row in &scored.mentions {
            self.mentions.write(row)?;
        }
        for row in &scored.actors {
            self.actors.write(row)?;
        }
        self.articles.write(&scored.article)
    }

    /// Writes the outlet rows and replaces the run's files as a set: every table is complete
    /// on disk before any is renamed, the old run.json goes first and the new one comes last,
    /// listing each table's checksum. A crash in between leaves a folder without run.json,
    /// which readers refuse, never old and new tables under one run.json.
    pub fn finish(
        mut self,
        outlets: &[OutletRow],
        mut manifest: RunManifest,
        dir: &Path,
    ) -> Result<(), SchemaError> {
        for row in outlets {
            self.outlets.write(row)?;
        }
        let ready = [
            self.mentions.finish()?,
            self.actors.finish()?,
            self.articles.finish()?,
            self.rejects.finish()?,
            self.outlets.finish()?,
        ];
        let old = dir.join(manifest::FILE);
        match std::fs::remove_file(&old) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(IoError::at(&old)(e).into())
            }
            _ => {}
        }
        for (file, record) in ready {
            file.put_in_place()?;
            manifest.tables.push(record);
        }
        manifest.write(dir)
    }
}
