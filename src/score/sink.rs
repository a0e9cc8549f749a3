//! Where a run's rows go: the tables of the output directory, written through the schema and
//! committed when the run is complete, then run.json.

use std::path::Path;

use super::rows::ScoredArticle;
use crate::schema::{
    ActorRow, ArticleRow, Layout, MentionRow, OutletRow, RejectRow, RunManifest, SchemaError,
    TableWriter,
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

    /// Writes the outlet rows, puts every table in place and then run.json.
    pub fn finish(
        mut self,
        outlets: &[OutletRow],
        manifest: &RunManifest,
        dir: &Path,
    ) -> Result<(), SchemaError> {
        for row in outlets {
            self.outlets.write(row)?;
        }
        self.mentions.commit()?;
        self.actors.commit()?;
        self.articles.commit()?;
        self.rejects.commit()?;
        self.outlets.commit()?;
        manifest.write(dir)
    }
}
