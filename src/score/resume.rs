//! The run totals (outlets, voices) of an interrupted run, rebuilt from the prefixes of its
//! tables.
//! Mention scores are aggregated as written, so the articles' tallies read back from
//! mentions.csv are the ones the run had, and the accumulators are fed in the same order.

use std::collections::HashMap;
use std::path::Path;

use super::checkpoint::{Checkpoint, PARTIAL};
use super::rows::RunTotals;
use crate::aggregate::{ArticleTally, Axis};
use crate::schema::{ArticleRow, Layout, MentionRow, SchemaError, TableReader};

pub fn totals(
    out: &Path,
    layout: &Layout,
    checkpoint: &Checkpoint,
    axis: Option<&Axis>,
) -> Result<RunTotals, SchemaError> {
    let mut totals = RunTotals::default();
    let partial = out.join(PARTIAL);
    let mut articles: Vec<(ArticleRow, ArticleTally)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    TableReader::<ArticleRow>::open_prefix(&partial, layout, &checkpoint.tables)?.for_each(
        |row| {
            index.insert(row.article_id.clone(), articles.len());
            articles.push((row, ArticleTally::default()));
            Ok(())
        },
    )?;
    TableReader::<MentionRow>::open_prefix(&partial, layout, &checkpoint.tables)?.for_each(
        |m| {
            let &a = index
                .get(&m.article_id)
                .ok_or_else(|| format!("article {:?} is not in articles.csv", m.article_id))?;
            articles[a].1.add(&m.camp, m.score, m.voice, axis);
            totals.add_mention(&m);
            Ok(())
        },
    )?;
    for (row, tally) in articles {
        totals.add_article(&row, &tally);
    }
    Ok(totals)
}
