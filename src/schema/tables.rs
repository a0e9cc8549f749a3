//! The tables `slant score` writes. `start`/`end` are byte offsets into the article's text;
//! numbers have six decimals (`num`).

use super::Kind::{self, Count, Number, Text};
use super::{
    columns, num, parse_relative, relative_cells, with_camps, Cells, Column, Layout, ReadRow, Row,
    GROUP_COLUMNS,
};
use crate::aggregate::RelativeStats;
use std::ops::Range;

use crate::actors::Form;
use crate::annotate::Voice;

/// One scored mention.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionRow {
    pub article_id: String,
    pub outlet: String,
    pub actor_id: String,
    pub camp: String,
    /// Byte range of the sentence the model read, in the article's text.
    pub sentence_start: usize,
    pub sentence_end: usize,
    pub start: usize,
    pub end: usize,
    pub mention: String,
    /// How the text refers to the actor there (name, alias, title, surname, role,
    /// description, pronoun).
    pub form: Form,
    /// For a resolved reference: the byte range of the reference it was resolved through
    /// (its antecedent, or a quotation's source for "I"/"we"), and that text as written.
    pub antecedent: Option<Range<usize>>,
    pub antecedent_text: String,
    /// The sentence, or a bounded excerpt of it around the mention (`excerpt`).
    pub context: String,
    pub p_negative: f64,
    pub p_neutral: f64,
    pub p_positive: f64,
    /// P(positive) - P(negative), as written.
    pub score: f64,
    /// Whose words the mention is in.
    pub voice: Voice,
    /// For a quoted or reported mention: the speaker's registry id (empty when not resolved
    /// to an actor) and the source as written (`unknown` when no source was found).
    pub speaker_id: String,
    /// The speaker's camp, when the speaker is an actor (what `sources` counts).
    pub speaker_camp: String,
    pub speaker_text: String,
}

impl MentionRow {
    /// The mention as aggregation sees it.
    pub fn as_score(&self) -> crate::aggregate::MentionScore<'_> {
        crate::aggregate::MentionScore {
            actor: &self.actor_id,
            camp: &self.camp,
            score: self.score,
            voice: self.voice,
            speaker_camp: &self.speaker_camp,
        }
    }
}

impl Row for MentionRow {
    const FILE: &'static str = "mentions.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("article_id", Text),
            ("outlet", Text),
            ("actor_id", Text),
            ("camp", Text),
            ("sentence_start", Count),
            ("sentence_end", Count),
            ("start", Count),
            ("end", Count),
            ("mention", Text),
            ("form", Text),
            ("antecedent_start", Count),
            ("antecedent_end", Count),
            ("antecedent", Text),
            ("context", Text),
            ("p_negative", Number),
            ("p_neutral", Number),
            ("p_positive", Number),
            ("score", Number),
            ("voice", Text),
            ("speaker_id", Text),
            ("speaker_camp", Text),
            ("speaker_text", Text),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.article_id.clone(),
            self.outlet.clone(),
            self.actor_id.clone(),
            self.camp.clone(),
            self.sentence_start.to_string(),
            self.sentence_end.to_string(),
            self.start.to_string(),
            self.end.to_string(),
            self.mention.clone(),
            self.form.as_str().to_string(),
            self.antecedent
                .as_ref()
                .map(|a| a.start.to_string())
                .unwrap_or_default(),
            self.antecedent
                .as_ref()
                .map(|a| a.end.to_string())
                .unwrap_or_default(),
            self.antecedent_text.clone(),
            self.context.clone(),
            num(Some(self.p_negative)),
            num(Some(self.p_neutral)),
            num(Some(self.p_positive)),
            num(Some(self.score)),
            self.voice.as_str().to_string(),
            self.speaker_id.clone(),
            self.speaker_camp.clone(),
            self.speaker_text.clone(),
        ]
    }
}

impl ReadRow for MentionRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        let required =
            |x: Option<f64>| x.ok_or_else(|| "a probability or score is empty".to_string());
        Ok(Self {
            article_id: c.text()?,
            outlet: c.text()?,
            actor_id: c.text()?,
            camp: c.text()?,
            sentence_start: c.count()?,
            sentence_end: c.count()?,
            start: c.count()?,
            end: c.count()?,
            mention: c.text()?,
            form: {
                let form = c.text()?;
                Form::parse(&form).ok_or_else(|| format!("form {form:?} is not one of name, alias, title, surname, role, description, pronoun"))?
            },
            antecedent: {
                let (start, end) = (c.text()?, c.text()?);
                match (start.as_str(), end.as_str()) {
                    ("", "") => None,
                    _ => {
                        let offset = |s: &str| {
                            s.parse::<usize>()
                                .map_err(|_| format!("antecedent offset {s:?} is not a number"))
                        };
                        Some(offset(&start)?..offset(&end)?)
                    }
                }
            },
            antecedent_text: c.text()?,
            context: c.text()?,
            p_negative: required(c.number()?)?,
            p_neutral: required(c.number()?)?,
            p_positive: required(c.number()?)?,
            score: required(c.number()?)?,
            voice: {
                let voice = c.text()?;
                Voice::parse(&voice)
                    .ok_or_else(|| format!("voice is {voice:?}, not own, quoted or reported"))?
            },
            speaker_id: c.text()?,
            speaker_camp: c.text()?,
            speaker_text: c.text()?,
        })
    }
}

/// One actor in one article: its mentions and their mean score.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorRow {
    pub article_id: String,
    pub outlet: String,
    pub actor_id: String,
    pub camp: String,
    pub mentions: u64,
    pub score: Option<f64>,
}

impl Row for ActorRow {
    const FILE: &'static str = "actors.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("article_id", Text),
            ("outlet", Text),
            ("actor_id", Text),
            ("camp", Text),
            ("mentions", Count),
            ("score", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.article_id.clone(),
            self.outlet.clone(),
            self.actor_id.clone(),
            self.camp.clone(),
            self.mentions.to_string(),
            num(self.score),
        ]
    }
}

impl ReadRow for ActorRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        Ok(Self {
            article_id: c.text()?,
            outlet: c.text()?,
            actor_id: c.text()?,
            camp: c.text()?,
            mentions: c.count()?,
            score: c.number()?,
        })
    }
}

/// A camp's mentions and mean score, in an article or outlet row (one per camp of the layout).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CampCell {
    pub mentions: u64,
    pub score: Option<f64>,
}

impl CampCell {
    const SUFFIXES: [(&'static str, Kind); 2] = [("mentions", Count), ("score", Number)];

    fn push_cells(cells: &[CampCell], into: &mut Vec<String>) {
        for cell in cells {
            into.push(cell.mentions.to_string());
            into.push(num(cell.score));
        }
    }

    fn parse_all(c: &mut Cells, layout: &Layout) -> Result<Vec<CampCell>, String> {
        layout
            .camps
            .iter()
            .map(|_| {
                Ok(CampCell {
                    mentions: c.count()?,
                    score: c.number()?,
                })
            })
            .collect()
    }
}

/// One scored article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRow {
    pub article_id: String,
    pub outlet: String,
    pub date: String,
    pub title: String,
    /// Its story (given or grouped); empty when it has none.
    pub story: String,
    pub mentions: u64,
    pub actors: u64,
    /// Mean signed contribution of its axis mentions; None when it mentions neither side.
    pub framing: Option<f64>,
    /// The same over its mentions in the outlet's own voice.
    pub framing_own: Option<f64>,
    pub camps: Vec<CampCell>,
    /// The `--keep-fields` values, in that order.
    pub kept: Vec<String>,
}

impl Row for ArticleRow {
    const FILE: &'static str = "articles.csv";

    fn columns(layout: &Layout) -> Vec<Column> {
        let mut columns = with_camps(
            &[
                ("article_id", Text),
                ("outlet", Text),
                ("date", Text),
                ("title", Text),
                ("story", Text),
                ("mentions", Count),
                ("actors", Count),
                ("framing", Number),
                ("framing_own", Number),
            ],
            &layout.camps,
            &CampCell::SUFFIXES,
        );
        // Kept input fields are carried as the input wrote them.
        columns.extend(layout.keep.iter().map(|name| Column {
            name: name.clone(),
            kind: Text,
        }));
        columns
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.article_id.clone(),
            self.outlet.clone(),
            self.date.clone(),
            self.title.clone(),
            self.story.clone(),
            self.mentions.to_string(),
            self.actors.to_string(),
            num(self.framing),
            num(self.framing_own),
        ];
        CampCell::push_cells(&self.camps, &mut cells);
        cells.extend(self.kept.iter().cloned());
        cells
    }
}

impl ReadRow for ArticleRow {
    fn parse(c: &mut Cells, layout: &Layout) -> Result<Self, String> {
        Ok(Self {
            article_id: c.text()?,
            outlet: c.text()?,
            date: c.text()?,
            title: c.text()?,
            story: c.text()?,
            mentions: c.count()?,
            actors: c.count()?,
            framing: c.number()?,
            framing_own: c.number()?,
            camps: CampCell::parse_all(c, layout)?,
            kept: layout
                .keep
                .iter()
                .map(|_| c.text())
                .collect::<Result<_, _>>()?,
        })
    }
}

/// One outlet: its framing with a 95% bootstrap interval over articles, and per camp the
/// mention-weighted mean score.
#[derive(Debug, Clone, PartialEq)]
pub struct OutletRow {
    pub outlet: String,
    pub articles: u64,
    pub articles_framed: u64,
    pub mentions: u64,
    /// Tone, coverage and sources, each relative to the corpus, with intervals.
    pub relative: RelativeStats,
    pub framing: Option<f64>,
    pub framing_low: Option<f64>,
    pub framing_high: Option<f64>,
    /// Framing over the mentions in the outlet's own voice, with its interval.
    pub framing_own: Option<f64>,
    pub framing_own_low: Option<f64>,
    pub framing_own_high: Option<f64>,
    pub camps: Vec<CampCell>,
}

impl Row for OutletRow {
    const FILE: &'static str = "outlets.csv";

    fn columns(layout: &Layout) -> Vec<Column> {
        let base: Vec<(&str, Kind)> = [("outlet", Text)]
            .into_iter()
            .chain(GROUP_COLUMNS)
            .collect();
        with_camps(&base, &layout.camps, &CampCell::SUFFIXES)
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.outlet.clone(),
            self.articles.to_string(),
            self.articles_framed.to_string(),
            self.mentions.to_string(),
        ];
        cells.extend(relative_cells(&self.relative));
        cells.extend([
            num(self.framing),
            num(self.framing_low),
            num(self.framing_high),
            num(self.framing_own),
            num(self.framing_own_low),
            num(self.framing_own_high),
        ]);
        CampCell::push_cells(&self.camps, &mut cells);
        cells
    }
}

impl ReadRow for OutletRow {
    fn parse(c: &mut Cells, layout: &Layout) -> Result<Self, String> {
        Ok(Self {
            outlet: c.text()?,
            articles: c.count()?,
            articles_framed: c.count()?,
            mentions: c.count()?,
            relative: parse_relative(c)?,
            framing: c.number()?,
            framing_low: c.number()?,
            framing_high: c.number()?,
            framing_own: c.number()?,
            framing_own_low: c.number()?,
            framing_own_high: c.number()?,
            camps: CampCell::parse_all(c, layout)?,
        })
    }
}

/// Who speaks about whom in an outlet: the mentions of one actor in one voice by one
/// speaker, and their mean score. Own-voice mentions have an empty speaker (the outlet).
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceRow {
    pub outlet: String,
    pub voice: Voice,
    pub speaker_id: String,
    pub speaker_text: String,
    pub actor_id: String,
    pub camp: String,
    pub mentions: u64,
    pub score: Option<f64>,
}

impl Row for VoiceRow {
    const FILE: &'static str = "voices.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("outlet", Text),
            ("voice", Text),
            ("speaker_id", Text),
            ("speaker_text", Text),
            ("actor_id", Text),
            ("camp", Text),
            ("mentions", Count),
            ("score", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.outlet.clone(),
            self.voice.as_str().to_string(),
            self.speaker_id.clone(),
            self.speaker_text.clone(),
            self.actor_id.clone(),
            self.camp.clone(),
            self.mentions.to_string(),
            num(self.score),
        ]
    }
}

impl ReadRow for VoiceRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        let outlet = c.text()?;
        let voice = c.text()?;
        Ok(Self {
            outlet,
            voice: Voice::parse(&voice)
                .ok_or_else(|| format!("voice is {voice:?}, not own, quoted or reported"))?,
            speaker_id: c.text()?,
            speaker_text: c.text()?,
            actor_id: c.text()?,
            camp: c.text()?,
            mentions: c.count()?,
            score: c.number()?,
        })
    }
}

/// One story: its articles, the outlets that covered it, its dates, a representative title
/// (its earliest article's) and the mean framing of its framed articles.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    pub story: String,
    pub articles: u64,
    pub outlets: u64,
    /// The outlets, sorted, joined by `; `.
    pub outlet_names: String,
    pub first_date: String,
    pub last_date: String,
    pub title: String,
    pub mentions: u64,
    pub framing: Option<f64>,
}

impl Row for StoryRow {
    const FILE: &'static str = "stories.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("story", Text),
            ("articles", Count),
            ("outlets", Count),
            ("outlet_names", Text),
            ("first_date", Text),
            ("last_date", Text),
            ("title", Text),
            ("mentions", Count),
            ("framing", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.story.clone(),
            self.articles.to_string(),
            self.outlets.to_string(),
            self.outlet_names.clone(),
            self.first_date.clone(),
            self.last_date.clone(),
            self.title.clone(),
            self.mentions.to_string(),
            num(self.framing),
        ]
    }
}

impl ReadRow for StoryRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        Ok(Self {
            story: c.text()?,
            articles: c.count()?,
            outlets: c.count()?,
            outlet_names: c.text()?,
            first_date: c.text()?,
            last_date: c.text()?,
            title: c.text()?,
            mentions: c.count()?,
            framing: c.number()?,
        })
    }
}

/// A rejected input record and why.
pub type RejectRow = crate::corpus::Reject;

impl Row for RejectRow {
    const FILE: &'static str = "rejects.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("file", Text),
            ("line", Count),
            ("id", Text),
            ("reason", Text),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.file.clone(),
            self.line.to_string(),
            self.id.clone(),
            self.reason.clone(),
        ]
    }
}

impl ReadRow for RejectRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        Ok(Self {
            file: c.text()?,
            line: c.count()?,
            id: c.text()?,
            reason: c.text()?,
        })
    }
}

/// Where a part of a sharded run's rows came from: one row per record the part lists, in
/// input order. `record` counts every record of the inputs from 0 (articles and rejects, all
/// shards'), so the parts' rows interleave back into input order; an article's rows are its
/// one articles.csv row, its `mentions` mention rows and `actors` actor rows, a reject's its
/// one rejects.csv row.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRow {
    pub record: u64,
    /// The article's id; empty for a reject.
    pub article_id: String,
    pub rejected: bool,
    pub mentions: u64,
    pub actors: u64,
}

impl Row for PositionRow {
    const FILE: &'static str = "positions.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("record", Count),
            ("article_id", Text),
            ("rejected", Count),
            ("mentions", Count),
            ("actors", Count),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.record.to_string(),
            self.article_id.clone(),
            u8::from(self.rejected).to_string(),
            self.mentions.to_string(),
            self.actors.to_string(),
        ]
    }
}

impl ReadRow for PositionRow {
    fn parse(c: &mut Cells, _: &Layout) -> Result<Self, String> {
        Ok(Self {
            record: c.count()?,
            article_id: c.text()?,
            rejected: match c.count::<u8>()? {
                0 => false,
                1 => true,
                other => return Err(format!("rejected is {other}, not 0 or 1")),
            },
            mentions: c.count()?,
            actors: c.count()?,
        })
    }
}

/// The tables `slant score` writes, in the order they are listed in run.json.
/// The columns of each table `slant score` writes, by file name, for run.json: what a reader
/// that does not link slant (Python's `slant.read_run`) types the CSV columns by.
pub fn score_columns(layout: &Layout) -> std::collections::BTreeMap<String, Vec<Column>> {
    [
        (MentionRow::FILE, MentionRow::columns(layout)),
        (ActorRow::FILE, ActorRow::columns(layout)),
        (ArticleRow::FILE, ArticleRow::columns(layout)),
        (RejectRow::FILE, RejectRow::columns(layout)),
        (OutletRow::FILE, OutletRow::columns(layout)),
        (VoiceRow::FILE, VoiceRow::columns(layout)),
        (StoryRow::FILE, StoryRow::columns(layout)),
    ]
    .into_iter()
    .map(|(file, columns)| (file.to_string(), columns))
    .collect()
}

pub const SCORE_TABLES: [&str; 7] = [
    MentionRow::FILE,
    ActorRow::FILE,
    ArticleRow::FILE,
    RejectRow::FILE,
    OutletRow::FILE,
    VoiceRow::FILE,
    StoryRow::FILE,
];
