//! `slant compare`: are outlets really different, and about whom? Statistics over a
//! `slant score` output directory, without re-scoring.
//!
//! Everything is recomputed from `articles.csv` and `mentions.csv` (so `--axis` may differ
//! from the one the run used), with articles as the unit of resampling.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::aggregate::{group_seed, Axis, Tally};
use crate::output::{header_with_camps, num, AtomicCsv, OutputError};
use crate::stats::{benjamini_hochberg, bootstrap_mean_ci, bootstrap_ratio_ci, compare_means};

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("no framing axis: give --axis A,B (the run was scored without one)")]
    NoAxis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum GroupBy {
    #[value(name = "outlet")]
    Outlet,
    #[value(name = "outlet,month")]
    OutletMonth,
    #[value(name = "outlet,year")]
    OutletYear,
}

#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub resamples: usize,
    pub seed: u64,
    pub min_mentions: u64,
    /// Evidence rows per outlet and camp.
    pub evidence: usize,
}

struct Article {
    id: String,
    outlet: String,
    period: String,
    camps: BTreeMap<String, Tally>,
    framing: Tally,
}

struct ActorStats {
    camp: String,
    /// Per article index: (sum of s, mentions).
    per_article: BTreeMap<usize, (f64, f64)>,
}

/// A run read back: its articles with per-camp and framing tallies, and its camps.
pub struct Run {
    articles: Vec<Article>,
    camps: Vec<String>,
    actors: BTreeMap<(String, String), ActorStats>,
    axis: Axis,
    dir: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub outlet: String,
    pub period: String,
    pub articles: u64,
    pub articles_framed: u64,
    pub mentions: u64,
    pub framing: Option<f64>,
    pub framing_ci: Option<(f64, f64)>,
    pub camps: Vec<CampStats>,
    framings: Vec<f64>,
}

/// One camp within a group: mentions, share of the group's mentions, mean s and its interval.
#[derive(Debug, Clone, Serialize)]
pub struct CampStats {
    pub camp: String,
    pub mentions: u64,
    pub share: Option<f64>,
    pub mean: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairRow {
    pub period: String,
    pub outlet_a: String,
    pub outlet_b: String,
    pub diff: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorOutletRow {
    pub actor_id: String,
    pub camp: String,
    pub outlet: String,
    pub mentions: u64,
    pub articles: u64,
    pub mean: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub few_mentions: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub outlet: String,
    pub camp: String,
    pub rank: usize,
    pub article_id: String,
    pub actor_id: String,
    pub mention: String,
    pub start: String,
    pub end: String,
    pub score: f64,
    /// The mention's signed share of its article's framing (its camp score where the camp is
    /// off the axis): how much it moves the outlet's number.
    pub weight: f64,
    pub sentence: String,
}

pub struct Comparison {
    pub groups: Vec<GroupRow>,
    pub pairs: Vec<PairRow>,
    pub actor_outlet: Vec<ActorOutletRow>,
    pub evidence: Vec<EvidenceRow>,
    pub camps: Vec<String>,
    pub axis: Axis,
}

fn period(date: &str, by: GroupBy) -> String {
    let valid = |n: usize| {
        date.len() >= n
            && date[..n].bytes().enumerate().all(|(i, b)| {
                if i == 4 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    };
    match by {
        GroupBy::Outlet => String::new(),
        GroupBy::OutletMonth if valid(7) => date[..7].to_string(),
        GroupBy::OutletYear if valid(4) && date.len() >= 4 => date[..4].to_string(),
        _ => "unknown".into(),
    }
}

struct Table {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    columns: HashMap<String, usize>,
}

impl Table {
    fn open(dir: &Path, name: &str) -> Result<Self, CompareError> {
        let path = dir.join(name);
        let err = |message: String| CompareError::Input {
            path: path.clone(),
            message,
        };
        let mut reader = csv::Reader::from_path(&path)
            .map_err(|e| err(format!("{e} (is this a `slant score` output directory?)")))?;
        let columns = reader
            .headers()
            .map_err(|e| err(e.to_string()))?
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_string(), i))
            .collect();
        Ok(Self {
            path,
            reader,
            columns,
        })
    }

    fn column(&self, name: &str) -> Result<usize, CompareError> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| CompareError::Input {
                path: self.path.clone(),
                message: format!("no column {name:?}"),
            })
    }

    fn for_each(
        &mut self,
        mut f: impl FnMut(&csv::StringRecord, u64) -> Result<(), String>,
    ) -> Result<(), CompareError> {
        for record in self.reader.records() {
            let record = record.map_err(|e| CompareError::Input {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            f(&record, line).map_err(|m| CompareError::Input {
                path: self.path.clone(),
                message: format!("line {line}: {m}"),
            })?;
        }
        Ok(())
    }
}

fn run_axis(dir: &Path) -> Option<Axis> {
    let text = std::fs::read_to_string(dir.join("run.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    serde_json::from_value(value["flags"]["axis"].clone()).ok()
}

impl Run {
    /// Reads `articles.csv` and `mentions.csv` of a score output directory.
    pub fn load(dir: &Path, by: GroupBy, axis: Option<Axis>) -> Result<Run, CompareError> {
        let axis = axis.or_else(|| run_axis(dir)).ok_or(CompareError::NoAxis)?;
        let mut articles_table = Table::open(dir, "articles.csv")?;
        let (id, outlet, date) = (
            articles_table.column("article_id")?,
            articles_table.column("outlet")?,
            articles_table.column("date")?,
        );
        let mut articles = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        articles_table.for_each(|r, _| {
            let article_id = r.get(id).unwrap_or("").to_string();
            index.insert(article_id.clone(), articles.len());
            articles.push(Article {
                id: article_id,
                outlet: r.get(outlet).unwrap_or("").to_string(),
                period: period(r.get(date).unwrap_or(""), by),
                camps: BTreeMap::new(),
                framing: Tally::default(),
            });
            Ok(())
        })?;
        let mut mentions = Table::open(dir, "mentions.csv")?;
        let (m_article, m_actor, m_camp, m_score) = (
            mentions.column("article_id")?,
            mentions.column("actor_id")?,
            mentions.column("camp")?,
            mentions.column("score")?,
        );
        let mut actors: BTreeMap<(String, String), ActorStats> = BTreeMap::new();
        let mut camps: Vec<String> = Vec::new();
        mentions.for_each(|r, _| {
            let article_id = r.get(m_article).unwrap_or("");
            let &a = index
                .get(article_id)
                .ok_or_else(|| format!("article {article_id:?} is not in articles.csv"))?;
            let s: f64 = r
                .get(m_score)
                .unwrap_or("")
                .parse()
                .map_err(|_| "score is not a number".to_string())?;
            let camp = r.get(m_camp).unwrap_or("").to_string();
            let actor = r.get(m_actor).unwrap_or("").to_string();
            if !camps.contains(&camp) {
                camps.push(camp.clone());
            }
            let article = &mut articles[a];
            article.camps.entry(camp.clone()).or_default().add(s);
            if let Some(c) = axis.contribution(&camp, s) {
                article.framing.add(c);
            }
            let stats = actors
                .entry((actor, article.outlet.clone()))
                .or_insert_with(|| ActorStats {
                    camp,
                    per_article: BTreeMap::new(),
                });
            let entry = stats.per_article.entry(a).or_insert((0.0, 0.0));
            entry.0 += s;
            entry.1 += 1.0;
            Ok(())
        })?;
        camps.sort();
        Ok(Run {
            articles,
            camps,
            actors,
            axis,
            dir: dir.to_path_buf(),
        })
    }
}

pub fn compare(run: &Run, options: &CompareOptions) -> Result<Comparison, CompareError> {
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, a) in run.articles.iter().enumerate() {
        groups
            .entry((a.period.clone(), a.outlet.clone()))
            .or_default()
            .push(i);
    }
    let group_rows: Vec<GroupRow> = groups
        .iter()
        .map(|((period, outlet), members)| {
            let seed = group_seed(options.seed, &format!("{outlet}\u{1f}{period}"));
            let framings: Vec<f64> = members
                .iter()
                .filter_map(|&i| run.articles[i].framing.mean())
                .collect();
            let mentions: u64 = members
                .iter()
                .map(|&i| run.articles[i].camps.values().map(|t| t.n).sum::<u64>())
                .sum();
            let camps = run
                .camps
                .iter()
                .map(|camp| {
                    let units: Vec<(f64, f64)> = members
                        .iter()
                        .filter_map(|&i| run.articles[i].camps.get(camp))
                        .map(|t| (t.sum, t.n as f64))
                        .collect();
                    let n: u64 = units.iter().map(|u| u.1 as u64).sum();
                    let sum: f64 = units.iter().map(|u| u.0).sum();
                    let share = (mentions > 0).then(|| n as f64 / mentions as f64);
                    let mean = (n > 0).then(|| sum / n as f64);
                    let ci =
                        bootstrap_ratio_ci(&units, options.resamples, 0.05, group_seed(seed, camp));
                    CampStats {
                        camp: camp.clone(),
                        mentions: n,
                        share,
                        mean,
                        ci,
                    }
                })
                .collect();
            GroupRow {
                outlet: outlet.clone(),
                period: period.clone(),
                articles: members.len() as u64,
                articles_framed: framings.len() as u64,
                mentions,
                framing: (!framings.is_empty())
                    .then(|| framings.iter().sum::<f64>() / framings.len() as f64),
                framing_ci: bootstrap_mean_ci(&framings, options.resamples, 0.05, seed),
                camps,
                framings,
            }
        })
        .collect();

    let mut pairs = Vec::new();
    for (i, a) in group_rows.iter().enumerate() {
        for b in group_rows[i + 1..].iter().filter(|b| b.period == a.period) {
            let seed = group_seed(
                options.seed,
                &format!("{}\u{1f}{}\u{1f}{}", a.period, a.outlet, b.outlet),
            );
            let d = compare_means(&a.framings, &b.framings, options.resamples, seed);
            pairs.push(PairRow {
                period: a.period.clone(),
                outlet_a: a.outlet.clone(),
                outlet_b: b.outlet.clone(),
                diff: d.map(|d| d.diff),
                ci: d.map(|d| (d.low, d.high)),
                p_value: d.map(|d| d.p_value),
                p_adjusted: None,
            });
        }
    }
    let tested: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].p_value.is_some())
        .collect();
    let adjusted = benjamini_hochberg(
        &tested
            .iter()
            .filter_map(|&i| pairs[i].p_value)
            .collect::<Vec<_>>(),
    );
    for (&i, p) in tested.iter().zip(adjusted) {
        pairs[i].p_adjusted = Some(p);
    }

    let actor_outlet = run
        .actors
        .iter()
        .map(|((actor, outlet), stats)| {
            let units: Vec<(f64, f64)> = stats.per_article.values().copied().collect();
            let mentions = units.iter().map(|u| u.1).sum::<f64>() as u64;
            let sum: f64 = units.iter().map(|u| u.0).sum();
            ActorOutletRow {
                actor_id: actor.clone(),
                camp: stats.camp.clone(),
                outlet: outlet.clone(),
                mentions,
                articles: units.len() as u64,
                mean: (mentions > 0).then(|| sum / mentions as f64),
                ci: bootstrap_ratio_ci(
                    &units,
                    options.resamples,
                    0.05,
                    group_seed(options.seed, &format!("{actor}\u{1f}{outlet}")),
                ),
                few_mentions: mentions < options.min_mentions,
            }
        })
        .collect();

    Ok(Comparison {
        groups: group_rows,
        pairs,
        actor_outlet,
        evidence: evidence(run, options.evidence)?,
        camps: run.camps.clone(),
        axis: run.axis.clone(),
    })
}

/// The mentions that move each outlet's camp scores most, by the size of their share of their
/// article's framing (or camp score).
fn evidence(run: &Run, per_group: usize) -> Result<Vec<EvidenceRow>, CompareError> {
    let index: HashMap<&str, usize> = run
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut table = Table::open(&run.dir, "mentions.csv")?;
    let cols = [
        "article_id",
        "actor_id",
        "camp",
        "mention",
        "start",
        "end",
        "score",
        "sentence",
    ]
    .map(|c| table.column(c));
    let [article, actor, camp, mention, start, end, score, sentence] = cols;
    let (article, actor, camp, mention, start, end, score, sentence) = (
        article?, actor?, camp?, mention?, start?, end?, score?, sentence?,
    );
    let mut best: BTreeMap<(String, String), Vec<EvidenceRow>> = BTreeMap::new();
    table.for_each(|r, _| {
        let get = |i: usize| r.get(i).unwrap_or("").to_string();
        let Some(&a) = index.get(r.get(article).unwrap_or("")) else {
            return Ok(());
        };
        let art = &run.articles[a];
        let s: f64 = get(score)
            .parse()
            .map_err(|_| "score is not a number".to_string())?;
        let c = get(camp);
        let weight = match run.axis.contribution(&c, s) {
            Some(contribution) => contribution / art.framing.n.max(1) as f64,
            None => s / art.camps.get(&c).map_or(1, |t| t.n.max(1)) as f64,
        };
        let list = best.entry((art.outlet.clone(), c.clone())).or_default();
        if list.len() < per_group || list.last().is_some_and(|w| weight.abs() > w.weight.abs()) {
            list.push(EvidenceRow {
                outlet: art.outlet.clone(),
                camp: c,
                rank: 0,
                article_id: art.id.clone(),
                actor_id: get(actor),
                mention: get(mention),
                start: get(start),
                end: get(end),
                score: s,
                weight,
                sentence: get(sentence),
            });
            // Stable: equal weights keep file order.
            list.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
            list.truncate(per_group);
        }
        Ok(())
    })?;
    Ok(best
        .into_values()
        .flat_map(|list| {
            list.into_iter().enumerate().map(|(i, mut row)| {
                row.rank = i + 1;
                row
            })
        })
        .collect())
}

fn ci_cells(ci: Option<(f64, f64)>) -> [String; 2] {
    [num(ci.map(|c| c.0)), num(ci.map(|c| c.1))]
}

/// Writes groups.csv, pairs.csv, actor_outlet.csv and evidence.csv into `dir`.
pub fn write(c: &Comparison, dir: &Path) -> Result<(), CompareError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let header = header_with_camps(
        &[
            "outlet",
            "period",
            "articles",
            "articles_framed",
            "mentions",
            "framing",
            "framing_low",
            "framing_high",
        ],
        &c.camps,
        &["mentions", "share", "mean", "low", "high"],
    );
    let mut groups = AtomicCsv::create(dir, "groups.csv", &header)?;
    for g in &c.groups {
        let mut row = vec![
            g.outlet.clone(),
            g.period.clone(),
            g.articles.to_string(),
            g.articles_framed.to_string(),
            g.mentions.to_string(),
            num(g.framing),
        ];
        row.extend(ci_cells(g.framing_ci));
        for camp in &g.camps {
            row.extend([camp.mentions.to_string(), num(camp.share), num(camp.mean)]);
            row.extend(ci_cells(camp.ci));
        }
        groups.row(&row)?;
    }
    groups.commit()?;

    let header = [
        "period",
        "outlet_a",
        "outlet_b",
        "diff",
        "diff_low",
        "diff_high",
        "p_value",
        "p_adjusted",
    ]
    .map(String::from);
    let mut pairs = AtomicCsv::create(dir, "pairs.csv", &header)?;
    for p in &c.pairs {
        let [lo, hi] = ci_cells(p.ci);
        pairs.row([
            p.period.clone(),
            p.outlet_a.clone(),
            p.outlet_b.clone(),
            num(p.diff),
            lo,
            hi,
            num(p.p_value),
            num(p.p_adjusted),
        ])?;
    }
    pairs.commit()?;

    let header = [
        "actor_id",
        "camp",
        "outlet",
        "mentions",
        "articles",
        "mean",
        "mean_low",
        "mean_high",
        "few_mentions",
    ]
    .map(String::from);
    let mut actors = AtomicCsv::create(dir, "actor_outlet.csv", &header)?;
    for a in &c.actor_outlet {
        let [lo, hi] = ci_cells(a.ci);
        actors.row([
            a.actor_id.clone(),
            a.camp.clone(),
            a.outlet.clone(),
            a.mentions.to_string(),
            a.articles.to_string(),
            num(a.mean),
            lo,
            hi,
            a.few_mentions.to_string(),
        ])?;
    }
    actors.commit()?;

    let header = [
        "outlet",
        "camp",
        "rank",
        "article_id",
        "actor_id",
        "mention",
        "start",
        "end",
        "score",
        "weight",
        "sentence",
    ]
    .map(String::from);
    let mut evidence = AtomicCsv::create(dir, "evidence.csv", &header)?;
    for e in &c.evidence {
        evidence.row([
            e.outlet.clone(),
            e.camp.clone(),
            e.rank.to_string(),
            e.article_id.clone(),
            e.actor_id.clone(),
            e.mention.clone(),
            e.start.clone(),
            e.end.clone(),
            num(Some(e.score)),
            num(Some(e.weight)),
            e.sentence.clone(),
        ])?;
    }
    evidence.commit()?;
    Ok(())
}

/// The groups and pairs as aligned text for the terminal.
pub fn summary(c: &Comparison) -> String {
    let fmt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:+.3}"));
    let ci =
        |x: Option<(f64, f64)>| x.map_or(String::new(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    let width = c
        .groups
        .iter()
        .map(|g| g.outlet.chars().count())
        .chain(
            c.pairs
                .iter()
                .map(|p| p.outlet_a.chars().count() + p.outlet_b.chars().count() + 4),
        )
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "framing axis: +{} / -{}\n\n{:<width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>18}\n",
        c.axis.favoured.join("+"),
        c.axis.opposed.join("+"),
        "group",
        "period",
        "articles",
        "mentions",
        "framing",
        "95% CI"
    );
    let mut groups: Vec<&GroupRow> = c.groups.iter().collect();
    groups.sort_by(|a, b| {
        a.period.cmp(&b.period).then(
            b.framing
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.framing.unwrap_or(f64::NEG_INFINITY)),
        )
    });
    for g in groups {
        out += &format!(
            "{:<width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>18}\n",
            g.outlet,
            g.period,
            g.articles,
            g.mentions,
            fmt(g.framing),
            ci(g.framing_ci)
        );
    }
    out += &format!(
        "\n{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
        "pair", "period", "diff", "95% CI", "p", "p (BH)"
    );
    for p in &c.pairs {
        let name = format!("{} vs {}", p.outlet_a, p.outlet_b);
        out += &format!(
            "{:<width$}  {:>8}  {:>8}  {:>18}  {:>8}  {:>8}\n",
            name,
            p.period,
            fmt(p.diff),
            ci(p.ci),
            p.p_value.map_or("-".into(), |v| format!("{v:.4}")),
            p.p_adjusted.map_or("-".into(), |v| format!("{v:.4}"))
        );
    }
    out
}
