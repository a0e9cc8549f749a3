//! Stories: articles of different outlets about the same event.
//!
//! An article either carries its story (an input field, or a story file) or `--stories auto`
//! groups it: each article's title and lead get a signature, pairs of articles within the
//! date window that share a distinctive word are compared, and average-linkage clustering
//! joins those similar enough (`cluster`). Comparing only candidate pairs from a word index
//! keeps the cost near linear in the corpus: an article is compared with the articles of its
//! days that share one of its most distinctive words, never with the whole corpus.

pub mod assign;
pub mod cluster;
pub mod embed;
pub mod eval;
pub mod lexical;

use rayon::prelude::*;

use cluster::Edge;
use lexical::Sparse;

pub use assign::{StoryEncoder, StoryError, StoryMap, StoryRecord, StorySource};

/// What the grouping sees of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryText {
    /// Days since 1970-01-01; `None` when the article has no readable date (it is then
    /// compared across all dates).
    pub day: Option<i32>,
    pub title: String,
    pub lead: String,
}

/// Words of the text that make an article's lead for the lexical signature.
pub const LEAD_WORDS: usize = 60;

/// Words of the lead that go into the embedded text (with the title): the embedding cost
/// grows with length, and the first sentence or two name the event.
pub const EMBEDDED_LEAD_WORDS: usize = 25;

impl StoryText {
    /// What grouping reads of an article with this date, title and text.
    pub fn new(date: &str, title: &str, text: &str) -> Self {
        Self {
            day: day_number(date),
            title: title.trim().to_string(),
            lead: lead(text, LEAD_WORDS),
        }
    }

    /// The text the encoder embeds: the title and the start of the lead.
    pub fn embedded_text(&self) -> String {
        let start = lead(&self.lead, EMBEDDED_LEAD_WORDS);
        match (self.title.is_empty(), start.is_empty()) {
            (true, _) => start,
            (false, true) => self.title.clone(),
            (false, false) => format!("{}. {}", self.title.trim_end_matches('.'), start),
        }
    }
}

/// The tunable parts of grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupOptions {
    /// Articles more than this many days apart are never one story.
    pub window_days: i32,
    /// Least average-linkage similarity to join two groups.
    pub threshold: f64,
    /// A pair's similarity is multiplied by this for each day between the articles: the
    /// same event is mostly covered on the same day, and a topic's next development a day
    /// later is often another story.
    pub decay: f64,
    /// The embedding's share of a pair's similarity (the rest is the lexical cosine), when
    /// embeddings are given.
    pub embedding_weight: f64,
    /// The most distinctive words of an article that look up its candidates.
    pub index_terms: usize,
    /// A word shared by more articles than this within an article's window is too common
    /// there to propose candidates.
    pub index_cap: usize,
}

/// The defaults were chosen on the AllSides story set, grouped as a whole (see
/// `scripts/eval-stories` and docs/stories.md): the middle of the plateau of best
/// thresholds.
impl Default for GroupOptions {
    /// Words and embeddings, half each.
    fn default() -> Self {
        Self {
            window_days: 3,
            threshold: 0.25,
            decay: 0.5,
            embedding_weight: 0.5,
            index_terms: 10,
            index_cap: 200,
        }
    }
}

impl GroupOptions {
    /// Words alone (no encoder).
    pub fn lexical() -> Self {
        Self {
            threshold: 0.125,
            embedding_weight: 0.0,
            ..Self::default()
        }
    }
}

/// Days since 1970-01-01 of a date that starts `YYYY-MM-DD` (a time may follow).
pub fn day_number(date: &str) -> Option<i32> {
    let date = date.trim();
    let bytes = date.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| date.get(range)?.parse::<i32>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month {
        return None;
    }
    // Days from civil (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The first `words` words of `text`.
pub fn lead(text: &str, words: usize) -> String {
    text.split_whitespace()
        .take(words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lexical signatures of `texts`.
pub fn lexical_signatures(texts: &[StoryText]) -> Vec<Sparse> {
    let counts: Vec<_> = texts
        .par_iter()
        .map(|t| lexical::counts(&t.title, &t.lead))
        .collect();
    lexical::signatures(&counts).0
}

/// Candidate pairs `(i, j)`, `i < j`, for each `i`: articles within the window that share one
/// of `i`'s `index_terms` heaviest words, where that word is not too common there.
pub fn candidates(
    texts: &[StoryText],
    signatures: &[Sparse],
    options: &GroupOptions,
) -> Vec<Vec<usize>> {
    let terms = signatures
        .iter()
        .flat_map(|s| s.iter().map(|&(t, _)| t as usize + 1))
        .max()
        .unwrap_or(0);
    // Postings: dated articles by (day, index), then the undated ones.
    let mut postings: Vec<Vec<usize>> = vec![Vec::new(); terms];
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| (texts[i].day.is_none(), texts[i].day, i));
    for &i in &order {
        for &(t, _) in &signatures[i] {
            postings[t as usize].push(i);
        }
    }
    let dated = |list: &[usize]| list.partition_point(|&j| texts[j].day.is_some());
    (0..texts.len())
        .into_par_iter()
        .map(|i| {
            let mut heaviest: Vec<(u32, f32)> = signatures[i].clone();
            heaviest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            heaviest.truncate(options.index_terms);
            let mut found: Vec<usize> = Vec::new();
            for (t, _) in heaviest {
                let list = &postings[t as usize];
                let split = dated(list);
                let (dated_list, undated) = list.split_at(split);
                let near: &[usize] = match texts[i].day {
                    Some(day) => {
                        let from = dated_list.partition_point(|&j| {
                            texts[j].day.is_some_and(|d| d < day - options.window_days)
                        });
                        let to = dated_list.partition_point(|&j| {
                            texts[j].day.is_some_and(|d| d <= day + options.window_days)
                        });
                        &dated_list[from..to]
                    }
                    None => dated_list,
                };
                if near.len() + undated.len() > options.index_cap {
                    continue;
                }
                found.extend(near.iter().chain(undated).filter(|&&j| j > i));
            }
            found.sort_unstable();
            found.dedup();
            found
        })
        .collect()
}

/// An article's signature for grouping: its lexical vector, and its embedding when an
/// encoder is used.
#[derive(Debug, Clone, Copy)]
pub struct Signature<'a> {
    pub lexical: &'a [Sparse],
    pub embedded: Option<&'a [Vec<f32>]>,
}

/// The grouping of a corpus with one signature and options.
pub struct Grouping<'a> {
    texts: &'a [StoryText],
    signature: Signature<'a>,
    options: &'a GroupOptions,
}

impl<'a> Grouping<'a> {
    pub fn new(
        texts: &'a [StoryText],
        signature: Signature<'a>,
        options: &'a GroupOptions,
    ) -> Self {
        Self {
            texts,
            signature,
            options,
        }
    }

    /// The similarity of articles `i` and `j`: the lexical cosine, blended with the
    /// embeddings' cosine when there are embeddings, decayed by the days between them.
    pub fn similarity(&self, i: usize, j: usize) -> f64 {
        let lexical = lexical::cosine(&self.signature.lexical[i], &self.signature.lexical[j]);
        let content = match self.signature.embedded {
            Some(embedded) => {
                let w = self.options.embedding_weight;
                (1.0 - w) * lexical + w * embed::cosine(&embedded[i], &embedded[j])
            }
            None => lexical,
        };
        let days = match (self.texts[i].day, self.texts[j].day) {
            (Some(a), Some(b)) => (a - b).abs(),
            _ => 0,
        };
        content * self.options.decay.powi(days)
    }

    /// The group of each article: the index of the first article in it. Only candidate
    /// pairs are compared; a similarity under a tenth of the threshold is no edge (it
    /// could not lift an average).
    pub fn labels(&self) -> Vec<usize> {
        let floor = self.options.threshold / 10.0;
        let edges: Vec<Edge> = candidates(self.texts, self.signature.lexical, self.options)
            .into_par_iter()
            .enumerate()
            .flat_map_iter(|(i, js)| {
                js.into_iter().filter_map(move |j| {
                    let similarity = self.similarity(i, j);
                    (similarity >= floor).then_some(Edge {
                        a: i,
                        b: j,
                        similarity,
                    })
                })
            })
            .collect();
        cluster::average_linkage(self.texts.len(), &edges, self.options.threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(date: &str, title: &str, lead: &str) -> StoryText {
        StoryText::new(date, title, lead)
    }

    fn corpus() -> Vec<StoryText> {
        let mut texts = vec![
            text(
                "2023-01-09",
                "Seventeen dead at Juliaca airport",
                "Clashes at the Juliaca airport killed seventeen protesters.",
            ),
            text(
                "2023-01-09",
                "Massacre at Juliaca airport",
                "Security forces fired on protesters at the Juliaca airport, killing seventeen.",
            ),
            text(
                "2023-01-10",
                "Police defend Juliaca airport",
                "Police defended the Juliaca airport from protesters; seventeen died.",
            ),
            text(
                "2023-01-09",
                "Congress debates early elections",
                "Congress debated a bill to bring the elections forward to December.",
            ),
            text(
                "2023-01-10",
                "Early elections bill fails in Congress",
                "A bill to bring the elections forward failed in Congress.",
            ),
            // The same airport story a month later is another story: outside the window.
            text(
                "2023-02-15",
                "Juliaca airport reopens",
                "The Juliaca airport reopened after the clashes in which seventeen died.",
            ),
            text(
                "",
                "Undated note on the Juliaca airport",
                "The Juliaca airport clashes killed seventeen protesters.",
            ),
        ];
        // Unrelated filler, so that the words above are distinctive.
        for i in 0..30 {
            texts.push(text(
                "2023-01-09",
                &format!("Market report {i}"),
                &format!("Shares of company{i} rose on results."),
            ));
        }
        texts
    }

    #[test]
    fn articles_on_one_event_group_and_the_window_separates_a_later_one() {
        let texts = corpus();
        let lexical = lexical_signatures(&texts);
        let signature = Signature {
            lexical: &lexical,
            embedded: None,
        };
        let labels = Grouping::new(&texts, signature, &GroupOptions::lexical()).labels();
        assert_eq!(labels[0], labels[1]);
        assert_eq!(labels[0], labels[2]);
        assert_eq!(labels[3], labels[4]);
        assert_ne!(labels[0], labels[3]);
        assert_ne!(labels[5], labels[0], "a month later is outside the window");
        assert_eq!(
            labels[6], labels[0],
            "an undated article is compared across dates"
        );
    }

    #[test]
    fn grouping_does_not_depend_on_the_thread_count() {
        let texts = corpus();
        let lexical = lexical_signatures(&texts);
        let group = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let signature = Signature {
                        lexical: &lexical,
                        embedded: None,
                    };
                    Grouping::new(&texts, signature, &GroupOptions::lexical()).labels()
                })
        };
        assert_eq!(group(1), group(4));
    }

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("2024-02-29T10:00:00Z"), Some(19_782));
        assert_eq!(day_number("2023-02-29"), None);
        assert_eq!(day_number("March 3"), None);
        assert_eq!(day_number(""), None);
    }
}
