//! The run totals (outlets, voices) of an interrupted run, rebuilt from the prefixes of its
//! tables.
//! Mention scores are aggregated as written, so the articles' tallies read back from
//! mentions.csv are the ones the run had, and the accumulators are fed in the same order.

use std::collections::HashMap;
use std::path::Path;

use super::checkpoint::{Checkpoint, PARTIAL};
use super::rows::RunTotals;
use crate::aggregate::ArticleTally;
use crate::schema::{ArticleRow, Layout, MentionRow, SchemaError, TableReader};

pub fn totals(
    out: &Path,
    layout: &Layout,
    checkpoint: &Checkpoint,
    options: &super::ScoreOptions,
) -> Result<RunTotals, SchemaError> {
    let axis = options.axis.as_ref();
    let mut totals = RunTotals::new(options.tone_voices);
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
            articles[a].1.add(&m.as_score(), axis);
            totals.add_mention(&m);
            Ok(())
        },
    )?;
    for (row, tally) in articles {
        totals.add_article(&row, &tally);
    }
    Ok(totals)
}
