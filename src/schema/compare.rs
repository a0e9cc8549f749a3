//! The tables `slant compare` writes into `RUN/compare/`.

use serde::Serialize;

use super::Kind::{self, Count, Flag, Number, Text};
use super::{columns, num, relative_cells, with_camps, Column, Layout, Row, GROUP_COLUMNS};
use crate::actors::Form;
use crate::aggregate::{Estimate, GroupStats, RelativeStats};

fn interval(ci: Option<(f64, f64)>) -> [String; 2] {
    [num(ci.map(|c| c.0)), num(ci.map(|c| c.1))]
}

/// An outlet, or an outlet in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub outlet: String,
    /// Empty when grouping by outlet only; `unknown` for undated articles.
    pub period: String,
    #[serde(flatten)]
    pub stats: GroupStats,
    /// Tone, coverage and sources, relative to the whole run.
    pub relative: RelativeStats,
    /// Tone with the story held constant (`--within story`; empty otherwise).
    pub tone_story: Estimate,
}

impl Row for GroupRow {
    const FILE: &'static str = "groups.csv";

    fn columns(layout: &Layout) -> Vec<Column> {
        let base: Vec<(&str, Kind)> = [("outlet", Text), ("period", Text)]
            .into_iter()
            .chain(GROUP_COLUMNS)
            .chain([
                ("tone_story", Number),
                ("tone_story_low", Number),
                ("tone_story_high", Number),
            ])
            .collect();
        with_camps(
            &base,
            &layout.camps,
            &[
                ("mentions", Count),
                ("share", Number),
                ("mean", Number),
                ("low", Number),
                ("high", Number),
            ],
        )
    }

    fn cells(&self) -> Vec<String> {
        let s = &self.stats;
        let mut cells = vec![
            self.outlet.clone(),
            self.period.clone(),
            s.articles.to_string(),
            s.articles_framed.to_string(),
            s.mentions.to_string(),
        ];
        cells.extend(relative_cells(&self.relative));
        cells.push(num(s.framing));
        cells.extend(interval(s.framing_ci));
        cells.push(num(s.framing_own));
        cells.extend(interval(s.framing_own_ci));
        cells.push(num(self.tone_story.value));
        cells.extend(interval(self.tone_story.ci));
        for camp in &s.camps {
            cells.extend([camp.mentions.to_string(), num(camp.share), num(camp.mean)]);
            cells.extend(interval(camp.ci));
        }
        cells
    }
}

/// A difference a − b with its interval and, where tested, its p-values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tested {
    pub diff: Estimate,
    pub p_value: Option<f64>,
    /// Benjamini-Hochberg adjusted across the pairs.
    pub p_adjusted: Option<f64>,
}

/// Two outlets (within a period): the differences of tone (tested), coverage, sources and
/// framing (tested).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    pub period: String,
    pub outlet_a: String,
    pub outlet_b: String,
    pub tone: Tested,
    pub coverage: Estimate,
    pub sources: Estimate,
    pub framing: Tested,
}

impl Row for PairRow {
    const FILE: &'static str = "pairs.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("period", Text),
            ("outlet_a", Text),
            ("outlet_b", Text),
            ("tone_diff", Number),
            ("tone_low", Number),
            ("tone_high", Number),
            ("tone_p", Number),
            ("tone_p_adjusted", Number),
            ("coverage_diff", Number),
            ("coverage_low", Number),
            ("coverage_high", Number),
            ("sources_diff", Number),
            ("sources_low", Number),
            ("sources_high", Number),
            ("framing_diff", Number),
            ("framing_low", Number),
            ("framing_high", Number),
            ("framing_p", Number),
            ("framing_p_adjusted", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        let estimate = |e: Estimate| {
            let [low, high] = interval(e.ci);
            [num(e.value), low, high]
        };
        let mut cells = vec![
            self.period.clone(),
            self.outlet_a.clone(),
            self.outlet_b.clone(),
        ];
        cells.extend(estimate(self.tone.diff));
        cells.extend([num(self.tone.p_value), num(self.tone.p_adjusted)]);
        cells.extend(estimate(self.coverage));
        cells.extend(estimate(self.sources));
        cells.extend(estimate(self.framing.diff));
        cells.extend([num(self.framing.p_value), num(self.framing.p_adjusted)]);
        cells
    }
}

/// One actor in one outlet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorOutletRow {
    pub actor_id: String,
    pub camp: String,
    pub outlet: String,
    pub mentions: u64,
    pub articles: u64,
    pub mean: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// The outlet's mean for the actor minus the corpus mean for the same actor.
    pub relative: Estimate,
    pub few_mentions: bool,
}

impl Row for ActorOutletRow {
    const FILE: &'static str = "actor_outlet.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("actor_id", Text),
            ("camp", Text),
            ("outlet", Text),
            ("mentions", Count),
            ("articles", Count),
            ("mean", Number),
            ("mean_low", Number),
            ("mean_high", Number),
            ("relative", Number),
            ("relative_low", Number),
            ("relative_high", Number),
            ("few_mentions", Flag),
        ])
    }

    fn cells(&self) -> Vec<String> {
        let [low, high] = interval(self.ci);
        vec![
            self.actor_id.clone(),
            self.camp.clone(),
            self.outlet.clone(),
            self.mentions.to_string(),
            self.articles.to_string(),
            num(self.mean),
            low,
            high,
            num(self.relative.value),
            num(self.relative.ci.map(|c| c.0)),
            num(self.relative.ci.map(|c| c.1)),
            self.few_mentions.to_string(),
        ]
    }
}

/// A mention that moves an outlet's camp score, ranked by how much.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRow {
    pub outlet: String,
    pub camp: String,
    pub rank: usize,
    pub article_id: String,
    pub actor_id: String,
    pub mention: String,
    /// How the text refers to the actor (mentions.csv's `form`).
    pub form: Form,
    /// What a pronoun, role or description was resolved through, as written.
    pub antecedent: String,
    pub start: usize,
    pub end: usize,
    pub score: f64,
    /// The mention's signed share of its article's framing (its camp score where the camp is
    /// off the axis): how much it moves the outlet's number.
    pub weight: f64,
    /// The mention's context, as in mentions.csv.
    pub context: String,
}

impl Row for EvidenceRow {
    const FILE: &'static str = "evidence.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("outlet", Text),
            ("camp", Text),
            ("rank", Count),
            ("article_id", Text),
            ("actor_id", Text),
            ("mention", Text),
            ("form", Text),
            ("antecedent", Text),
            ("start", Count),
            ("end", Count),
            ("score", Number),
            ("weight", Number),
            ("context", Text),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.outlet.clone(),
            self.camp.clone(),
            self.rank.to_string(),
            self.article_id.clone(),
            self.actor_id.clone(),
            self.mention.clone(),
            self.form.as_str().to_string(),
            self.antecedent.clone(),
            self.start.to_string(),
            self.end.to_string(),
            num(Some(self.score)),
            num(Some(self.weight)),
            self.context.clone(),
        ]
    }
}

/// Two outlets compared within the stories both covered (`slant compare --within story`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithinPairRow {
    pub outlet_a: String,
    pub outlet_b: String,
    /// Stories where both have a framed article.
    pub stories: u64,
    /// Their framed articles in those stories.
    pub articles_a: u64,
    pub articles_b: u64,
    /// Mean over shared stories of (a's mean framing − b's) in the story.
    pub diff: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
}

impl Row for WithinPairRow {
    const FILE: &'static str = "within_story.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("outlet_a", Text),
            ("outlet_b", Text),
            ("stories", Count),
            ("articles_a", Count),
            ("articles_b", Count),
            ("diff", Number),
            ("diff_low", Number),
            ("diff_high", Number),
            ("p_value", Number),
            ("p_adjusted", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        let [low, high] = interval(self.ci);
        vec![
            self.outlet_a.clone(),
            self.outlet_b.clone(),
            self.stories.to_string(),
            self.articles_a.to_string(),
            self.articles_b.to_string(),
            num(self.diff),
            low,
            high,
            num(self.p_value),
            num(self.p_adjusted),
        ]
    }
}

/// What an outlet covers: the share of its stories in which it mentions a camp's actors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaRow {
    pub outlet: String,
    pub camp: String,
    /// The outlet's stories (distinct story ids of its articles).
    pub stories: u64,
    /// Those in which its articles mention an actor of the camp.
    pub stories_mentioning: u64,
    pub share: Option<f64>,
}

impl Row for AgendaRow {
    const FILE: &'static str = "agenda.csv";

    fn columns(_: &Layout) -> Vec<Column> {
        columns(&[
            ("outlet", Text),
            ("camp", Text),
            ("stories", Count),
            ("stories_mentioning", Count),
            ("share", Number),
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.outlet.clone(),
            self.camp.clone(),
            self.stories.to_string(),
            self.stories_mentioning.to_string(),
            num(self.share),
        ]
    }
}

/// The tables `slant compare` writes (by default into the run's `compare/` folder).
pub const COMPARE_TABLES: [&str; 6] = [
    GroupRow::FILE,
    PairRow::FILE,
    ActorOutletRow::FILE,
    EvidenceRow::FILE,
    WithinPairRow::FILE,
    AgendaRow::FILE,
];
