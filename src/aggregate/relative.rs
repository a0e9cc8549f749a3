//! The outlet measures that media research keeps apart, each relative to the whole corpus:
//!
//! - **tone** (statement bias): how an outlet treats camp A's actors compared with camp B's,
//!   holding constant which actors it covers. Fitted from the mention scores with actor
//!   effects: s = α(actor) + γ(outlet, side) + u(outlet, actor) + noise, where u is an
//!   outlet's own view of one actor beyond its view of the actor's side (a random effect), so
//!   an outlet's cell of few mentions weighs less than a full one. tone = (γ(A) − γ(B)) / 2,
//!   with γ centred on the mention-weighted corpus average of each side. An actor that only
//!   one outlet mentions has its effect shrunk toward its side's level, so it counts in part;
//!   every other actor keeps its own effect, so coverage cannot move tone.
//!   docs/outlet-measures.md has the estimator's checks on simulated and real corpora.
//! - **coverage** (selection): the outlet's share of camp-A mentions among its A + B mentions,
//!   minus that share over the corpus.
//! - **sources**: of the quoted and reported mentions whose speaker is an actor of camp A or
//!   B, the outlet's share of A speakers, minus the corpus share.
//!
//! Intervals come from one bootstrap that resamples every group's articles on the group's own
//! random stream (seeded by its name, as every interval in slant is) and re-estimates all
//! three measures on each replicate, so a measure's interval carries the uncertainty of the
//! actor effects too. The same fit serves `slant score` (outlets.csv), `compare` (groups.csv
//! and the pairwise tests), a resume and a merge, which feed it the same articles in the same
//! order, so they agree to the last digit.

use std::collections::{BTreeMap, HashMap};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use super::{group_seed, ArticleTally};
use crate::stats::percentile_interval;

/// Camp A's side of the axis (the favoured camps) and camp B's (the opposed camps).
pub const SIDES: usize = 2;

/// Count, sum and sum of squares of mention scores.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn add(&mut self, s: f64) {
        self.n += 1;
        self.sum += s;
        self.sum_sq += s * s;
    }
}

/// One axis actor's mentions in one article: its side (0 = A, 1 = B), all its mentions, and
/// those in the outlet's own words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActorMentions {
    pub side: usize,
    pub all: Moments,
    pub own: Moments,
}

/// Which mentions tone is estimated from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ToneVoices {
    /// Every mention, whoever's words it is in (the default: on PolNeAR's publishers it ranks
    /// the outlets closer to their ratings, docs/outlet-measures.md).
    #[default]
    All,
    /// Only the mentions in the outlet's own words.
    Own,
}

/// A measure and its 95% bootstrap interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

/// A group's three measures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RelativeStats {
    pub tone: Estimate,
    pub coverage: Estimate,
    pub sources: Estimate,
}

/// What one article brings: where its entries end, its A/B mention counts (coverage) and its
/// A/B speaker counts (sources).
#[derive(Debug, Clone)]
struct ArticleEntries {
    end: usize,
    sides: [u64; SIDES],
    speakers: [u64; SIDES],
}

/// One reference's mentions in one article.
#[derive(Debug, Clone)]
struct Entry {
    reference: u32,
    moments: Moments,
}

#[derive(Debug, Clone, Default)]
struct GroupArticles {
    articles: Vec<ArticleEntries>,
    entries: Vec<Entry>,
}

impl GroupArticles {
    /// Where an article's entries are.
    fn range(&self, article: usize) -> std::ops::Range<usize> {
        let start = match article {
            0 => 0,
            _ => self.articles[article - 1].end,
        };
        start..self.articles[article].end
    }

    fn entries(&self, article: usize) -> &[Entry] {
        &self.entries[self.range(article)]
    }
}

/// Groups' articles, fed in input order, from which the three measures are fitted. Memory:
/// one entry per article and axis actor in it, plus the actor names.
#[derive(Debug, Clone, Default)]
pub struct RelativeAccumulator {
    voices: ToneVoices,
    /// A reference is what an actor effect is fitted for: an actor, or an actor within one
    /// story (tone with the story held constant).
    references: HashMap<String, u32>,
    names: Vec<String>,
    sides: Vec<usize>,
    groups: BTreeMap<String, GroupArticles>,
}

impl RelativeAccumulator {
    pub fn new(voices: ToneVoices) -> Self {
        Self {
            voices,
            ..Self::default()
        }
    }

    /// Adds an article of `group` (the name its bootstrap stream is seeded by). With a
    /// `stratum` (a story), each actor's effect is fitted per stratum: outlets are compared
    /// only on the same actor in the same story. An article that mentions no actor of either
    /// side adds nothing to any measure and is not kept (the bootstrap resamples the articles
    /// that do, as framing's resamples the framed ones); its group is still listed.
    pub fn add(&mut self, group: &str, tally: &ArticleTally, stratum: Option<&str>) {
        let articles = self.groups.entry(group.to_string()).or_default();
        if tally.actors.is_empty() && tally.sides == [0; SIDES] && tally.speakers == [0; SIDES] {
            return;
        }
        for (actor, mentions) in &tally.actors {
            let moments = match self.voices {
                ToneVoices::All => mentions.all,
                ToneVoices::Own => mentions.own,
            };
            if moments.n == 0 {
                continue;
            }
            let name = match stratum {
                Some(s) => format!("{actor}\u{1f}{s}"),
                None => actor.clone(),
            };
            let next = self.names.len() as u32;
            let reference = *self.references.entry(name.clone()).or_insert(next);
            if reference == next {
                self.names.push(name);
                self.sides.push(mentions.side);
            }
            articles.entries.push(Entry { reference, moments });
        }
        articles.articles.push(ArticleEntries {
            end: articles.entries.len(),
            sides: tally.sides,
            speakers: tally.speakers,
        });
    }

    /// The three measures of every group, with intervals from `resamples` bootstrap
    /// replicates: each group's articles are resampled on the group's own stream (seeded by
    /// `seed` mixed with its name), and all three measures are re-estimated on each replicate.
    pub fn fit(&self, resamples: usize, seed: u64) -> RelativeFit {
        let design = Design::new(self);
        let full = design.sample_all();
        let variances = design.variances(&full);
        let point = design.measures(&full, variances);
        let streams: Vec<u64> = design
            .groups
            .iter()
            .map(|(name, _)| group_seed(seed, &relative_stream(name)))
            .collect();
        // Replicate r draws group g's articles from a stream of its own, seeded by the group
        // and r: the replicates run on any number of threads and come out the same.
        let per_replicate: Vec<Vec<[Option<f64>; MEASURES]>> = (0..resamples)
            .into_par_iter()
            .map_init(
                || Sample::empty(&design),
                |sample, r| {
                    sample.clear();
                    for (group, stream) in streams.iter().enumerate() {
                        let mut rng = StdRng::seed_from_u64(replicate_seed(*stream, r));
                        let n = design.groups[group].1.articles.len();
                        for _ in 0..n {
                            design.add_article(sample, group, rng.gen_range(0..n));
                        }
                    }
                    design.measures(sample, variances)
                },
            )
            .collect();
        let mut replicates: Vec<[Vec<f64>; MEASURES]> = design
            .groups
            .iter()
            .map(|_| std::array::from_fn(|_| Vec::with_capacity(resamples)))
            .collect();
        for measures in per_replicate {
            for (reps, values) in replicates.iter_mut().zip(measures) {
                for (rep, value) in reps.iter_mut().zip(values) {
                    rep.push(value.unwrap_or(f64::NAN));
                }
            }
        }
        let stats = design
            .groups
            .iter()
            .zip(&point)
            .zip(&replicates)
            .map(|(((name, articles), point), reps)| {
                let resampled = articles.articles.len() >= 2;
                let estimate = |k: usize| Estimate {
                    value: point[k],
                    ci: match point[k] {
                        Some(_) if resampled => percentile_interval(&reps[k]),
                        _ => None,
                    },
                };
                let stats = RelativeStats {
                    tone: estimate(0),
                    coverage: estimate(1),
                    sources: estimate(2),
                };
                (name.to_string(), stats)
            })
            .collect();
        RelativeFit {
            stats,
            variances,
            replicates: design
                .groups
                .iter()
                .map(|(name, _)| name.to_string())
                .zip(replicates)
                .collect(),
        }
    }

    /// Two-sided permutation tests of tone(a) − tone(b), one per (a, b, seed): the two
    /// groups' articles are shuffled between them (their sizes kept) and the difference
    /// re-estimated. The actor effects are held at a fit in which a and b are one group,
    /// which no shuffle changes, so each test is exact. p = (k + 1) / (R + 1); None when
    /// either group has fewer than two articles or no tone.
    pub fn tone_permutation_tests(
        &self,
        pairs: &[(&str, &str, u64)],
        variances: Variances,
        resamples: usize,
    ) -> Vec<Option<f64>> {
        let design = Design::new(self);
        let data = design.sample_all();
        pairs
            .iter()
            .map(|&(a, b, seed)| {
                design.tone_permutation_p(&data, (a, b), variances, resamples, seed)
            })
            .collect()
    }
}

impl Design<'_> {
    fn tone_permutation_p(
        &self,
        data: &Sample,
        (a, b): (&str, &str),
        variances: Variances,
        resamples: usize,
        seed: u64,
    ) -> Option<f64> {
        let position = |name: &str| self.groups.iter().position(|(g, _)| *g == name);
        let (ia, ib) = (position(a)?, position(b)?);
        let sizes = [
            self.groups[ia].1.articles.len(),
            self.groups[ib].1.articles.len(),
        ];
        if resamples == 0 || sizes.iter().any(|&n| n < 2) {
            return None;
        }
        let merged = self.solve(data, variances, Some((ia, ib))).alpha;
        // The references the two groups mention, numbered locally in order of rank.
        let mut ranks: Vec<u32> = [ia, ib]
            .iter()
            .flat_map(|&g| self.groups[g].1.entries.iter())
            .map(|e| self.remap[e.reference as usize])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let local: HashMap<u32, usize> = ranks.iter().enumerate().map(|(i, &r)| (r, i)).collect();
        // The pooled articles, a's then b's: each a list of (local reference, mentions, sum).
        let pooled: Vec<Vec<(usize, f64, f64)>> = [ia, ib]
            .iter()
            .flat_map(|&g| {
                let articles = self.groups[g].1;
                (0..articles.articles.len()).map(move |i| articles.entries(i))
            })
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let r = local[&self.remap[e.reference as usize]];
                        (r, e.moments.n as f64, e.moments.sum)
                    })
                    .collect()
            })
            .collect();
        let k = ranks.len();
        let mut cells = vec![(0.0f64, 0.0f64); 2 * k];
        let mut statistic = |order: &[usize]| -> Option<f64> {
            cells.iter_mut().for_each(|c| *c = (0.0, 0.0));
            for (position, &article) in order.iter().enumerate() {
                let label = usize::from(position >= sizes[0]);
                for &(r, n, sum) in &pooled[article] {
                    let cell = &mut cells[label * k + r];
                    cell.0 += n;
                    cell.1 += sum;
                }
            }
            let mut tones = [0.0; 2];
            for (label, tone) in tones.iter_mut().enumerate() {
                // Per side: the weighted mean of the cells' departures from their actors.
                let mut sides = [(0.0, 0.0); SIDES];
                for (r, &rank) in ranks.iter().enumerate() {
                    let (n, sum) = cells[label * k + r];
                    if n > 0.0 {
                        let w = cell_weight(n, variances.lambda);
                        let side = &mut sides[self.sides[rank as usize]];
                        side.0 += w * (sum / n - merged[rank as usize]);
                        side.1 += w;
                    }
                }
                if sides.iter().any(|s| s.1 <= 0.0) {
                    return None;
                }
                *tone = (sides[0].0 / sides[0].1 - sides[1].0 / sides[1].1) / 2.0;
            }
            Some(tones[0] - tones[1])
        };
        let mut order: Vec<usize> = (0..pooled.len()).collect();
        let observed = statistic(&order)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut extreme = 0usize;
        for _ in 0..resamples {
            order.shuffle(&mut rng);
            // A shuffle that leaves a group without a side has no difference to compare: it
            // counts as extreme, which keeps the test conservative.
            let d = statistic(&order).unwrap_or(f64::INFINITY);
            // A small tolerance keeps ties from being lost to rounding.
            if d.abs() >= observed.abs() - 1e-12 {
                extreme += 1;
            }
        }
        Some((extreme + 1) as f64 / (resamples + 1) as f64)
    }
}

/// The name a group's relative-measure bootstrap streams are seeded by.
fn relative_stream(group: &str) -> String {
    format!("relative\u{1f}{group}")
}

/// The seed of a group's stream in bootstrap replicate `r`.
fn replicate_seed(stream: u64, r: usize) -> u64 {
    stream ^ (r as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// tone, coverage, sources.
const MEASURES: usize = 3;

/// The variance ratios the fit weighs the data by, both in units of σ², the variance of one
/// mention's score around its outlet's view of the actor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Variances {
    /// λ = τ² / σ²: how far an outlet's view of one actor strays from its view of the
    /// actor's side (see `cell_weight`).
    pub lambda: f64,
    /// κ = σ² / σ_α² per side: how strongly an actor's effect is shrunk toward its side's
    /// level, σ_α² being the spread of the actors' levels. An actor with mentions of total
    /// weight W keeps W / (W + κ) of its own evidence, so the effect of an actor covered
    /// often is its own, and that of an actor barely mentioned leans on its side's.
    pub kappa: [f64; SIDES],
}

/// A cell of n mentions weighs n / (1 + λ n): n when outlets hold one view per side
/// (λ = 0), and at most 1 / λ however many mentions, as a cell's mean can only tell the
/// outlet's view of that one actor.
fn cell_weight(n: f64, lambda: f64) -> f64 {
    n / (1.0 + lambda * n)
}

/// Which measure a difference is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Tone = 0,
    Coverage = 1,
    Sources = 2,
}

/// The three measures of every group, the heterogeneity the cells were weighted by, and the
/// bootstrap replicates that pairwise intervals reuse.
#[derive(Debug, Clone, Default)]
pub struct RelativeFit {
    pub stats: BTreeMap<String, RelativeStats>,
    pub variances: Variances,
    /// Per group, each measure on each replicate (NaN where the replicate had none).
    replicates: BTreeMap<String, [Vec<f64>; MEASURES]>,
}

impl RelativeFit {
    pub fn get(&self, group: &str) -> RelativeStats {
        self.stats.get(group).copied().unwrap_or_default()
    }

    /// The difference a − b of a measure, with a 95% interval from the joint bootstrap (the
    /// replicates on which both groups have the measure).
    pub fn difference(&self, measure: Measure, a: &str, b: &str) -> Estimate {
        let value = |g: &str| {
            let s = self.get(g);
            match measure {
                Measure::Tone => s.tone.value,
                Measure::Coverage => s.coverage.value,
                Measure::Sources => s.sources.value,
            }
        };
        let value = value(a).zip(value(b)).map(|(x, y)| x - y);
        let reps = |g: &str| self.replicates.get(g).map(|r| &r[measure as usize]);
        let ci = match (value, reps(a), reps(b)) {
            (Some(_), Some(ra), Some(rb)) if ra.len() > 1 => {
                let d: Vec<f64> = ra.iter().zip(rb).map(|(x, y)| x - y).collect();
                percentile_interval(&d)
            }
            _ => None,
        };
        Estimate { value, ci }
    }
}

/// The model's cells: one per group and reference with mentions, in a canonical order
/// (groups by name, references by name), so no digit depends on the order references were
/// first met in.
struct Design<'a> {
    groups: Vec<(&'a str, &'a GroupArticles)>,
    /// Per accumulator reference: its rank by name.
    remap: Vec<u32>,
    /// Per reference rank: its side.
    sides: Vec<usize>,
    /// Per cell: its group and reference rank, ordered so.
    cells: Vec<(usize, u32)>,
    /// Per group, the cell of each of its entries.
    entry_cells: Vec<Vec<u32>>,
}

/// Cell sums of one sample of articles (the data, or a bootstrap replicate), and each
/// group's coverage and speaker counts.
struct Sample {
    n: Vec<f64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    sides: Vec<[u64; SIDES]>,
    speakers: Vec<[u64; SIDES]>,
}

impl Sample {
    fn empty(design: &Design) -> Self {
        let (c, g) = (design.cells.len(), design.groups.len());
        Sample {
            n: vec![0.0; c],
            sum: vec![0.0; c],
            sum_sq: vec![0.0; c],
            sides: vec![[0; SIDES]; g],
            speakers: vec![[0; SIDES]; g],
        }
    }

    fn clear(&mut self) {
        for v in [&mut self.n, &mut self.sum, &mut self.sum_sq] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        for v in [&mut self.sides, &mut self.speakers] {
            v.iter_mut().for_each(|x| *x = [0; SIDES]);
        }
    }
}

/// The fitted effects: per node (group × side) its centred effect, None where the data say
/// nothing about it (no actor shared with another group); per reference rank its effect.
struct Solution {
    nodes: Vec<Option<f64>>,
    alpha: Vec<f64>,
    /// Per reference rank: the weight of its cells.
    ref_weight: Vec<f64>,
    /// Parameters fitted: references, identified nodes, less one per connected component
    /// (as counted without shrinkage, where it is used).
    parameters: usize,
}

impl<'a> Design<'a> {
    fn new(acc: &'a RelativeAccumulator) -> Self {
        let groups: Vec<(&str, &GroupArticles)> =
            acc.groups.iter().map(|(n, g)| (n.as_str(), g)).collect();
        let mut order: Vec<usize> = (0..acc.names.len()).collect();
        order.sort_by(|&i, &j| acc.names[i].cmp(&acc.names[j]));
        let mut remap = vec![0u32; order.len()];
        for (rank, &i) in order.iter().enumerate() {
            remap[i] = rank as u32;
        }
        let sides: Vec<usize> = order.iter().map(|&i| acc.sides[i]).collect();
        let mut keys: Vec<(usize, u32)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, (_, a))| a.entries.iter().map(move |e| (g, e.reference)))
            .map(|(g, r)| (g, remap[r as usize]))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let index: HashMap<(usize, u32), u32> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        let entry_cells = groups
            .iter()
            .enumerate()
            .map(|(g, (_, a))| {
                a.entries
                    .iter()
                    .map(|e| index[&(g, remap[e.reference as usize])])
                    .collect()
            })
            .collect();
        Design {
            groups,
            remap,
            sides,
            cells: keys,
            entry_cells,
        }
    }

    fn add_article(&self, sample: &mut Sample, group: usize, article: usize) {
        let articles = self.groups[group].1;
        let range = articles.range(article);
        let entry = &articles.articles[article];
        for (e, &cell) in articles.entries[range.clone()]
            .iter()
            .zip(&self.entry_cells[group][range])
        {
            let c = cell as usize;
            sample.n[c] += e.moments.n as f64;
            sample.sum[c] += e.moments.sum;
            sample.sum_sq[c] += e.moments.sum_sq;
        }
        for side in 0..SIDES {
            sample.sides[group][side] += entry.sides[side];
            sample.speakers[group][side] += entry.speakers[side];
        }
    }

    fn sample_all(&self) -> Sample {
        let mut sample = Sample::empty(self);
        for (g, (_, articles)) in self.groups.iter().enumerate() {
            for a in 0..articles.articles.len() {
                self.add_article(&mut sample, g, a);
            }
        }
        sample
    }

    /// Per group: tone, coverage, sources.
    fn measures(&self, sample: &Sample, variances: Variances) -> Vec<[Option<f64>; MEASURES]> {
        let nodes = self.solve(sample, variances, None).nodes;
        let corpus = |counts: &[[u64; SIDES]]| {
            let a: u64 = counts.iter().map(|c| c[0]).sum();
            let all: u64 = counts.iter().map(|c| c[0] + c[1]).sum();
            (all > 0).then(|| a as f64 / all as f64)
        };
        let (coverage, sources) = (corpus(&sample.sides), corpus(&sample.speakers));
        let relative_share = |c: [u64; SIDES], corpus: Option<f64>| {
            let all = c[0] + c[1];
            (all > 0).then(|| c[0] as f64 / all as f64 - corpus.unwrap_or(0.0))
        };
        (0..self.groups.len())
            .map(|g| {
                let tone = nodes[2 * g]
                    .zip(nodes[2 * g + 1])
                    .map(|(a, b)| (a - b) / 2.0);
                [
                    tone,
                    relative_share(sample.sides[g], coverage),
                    relative_share(sample.speakers[g], sources),
                ]
            })
            .collect()
    }

    /// Weighted least squares for ȳ(cell) = α(reference) + γ(node), a node being a group's
    /// side, with cell weights n / (1 + λ n). The reference effects are eliminated, which
    /// leaves a weighted graph Laplacian over the nodes (nodes linked by the references they
    /// share), solved by conjugate gradients; each connected component's γ is then centred
    /// on its mention-weighted mean, so tone is relative to the corpus. `merge` = (a, b)
    /// fits group b as part of group a.
    fn solve(
        &self,
        sample: &Sample,
        variances: Variances,
        merge: Option<(usize, usize)>,
    ) -> Solution {
        let nodes = 2 * self.groups.len();
        let refs = self.sides.len();
        let node_of = |c: usize| {
            let (g, r) = self.cells[c];
            let g = match merge {
                Some((a, b)) if g == b => a,
                _ => g,
            };
            2 * g + self.sides[r as usize]
        };
        let weight: Vec<f64> = sample
            .n
            .iter()
            .map(|&n| cell_weight(n, variances.lambda))
            .collect();
        let mean = |c: usize| sample.sum[c] / sample.n[c];
        let mut ref_weight = vec![0.0; refs];
        let mut ref_mean = vec![0.0; refs];
        // Per reference: the one node it is met in, or None once met in a second.
        let mut exclusive: Vec<Option<Option<usize>>> = vec![None; refs];
        for c in (0..self.cells.len()).filter(|&c| sample.n[c] > 0.0) {
            let r = self.cells[c].1 as usize;
            ref_weight[r] += weight[c];
            ref_mean[r] += weight[c] * mean(c);
            exclusive[r] = match exclusive[r] {
                None => Some(Some(node_of(c))),
                Some(Some(node)) if node == node_of(c) => Some(Some(node)),
                _ => Some(None),
            };
        }
        let exclusive: Vec<bool> = exclusive
            .iter()
            .map(|e| matches!(e, Some(Some(_))))
            .collect();
        // The weight an actor's effect is divided by: its evidence, plus the shrinkage toward
        // its side's level for an actor only one group mentions (whose effect the data
        // cannot tell apart from that group's view of it; an actor two groups mention keeps
        // its own effect, so what a group covers never moves its tone).
        let ref_denominator: Vec<f64> = (0..refs)
            .map(|r| {
                let shrinkage = if exclusive[r] {
                    variances.kappa[self.sides[r]]
                } else {
                    0.0
                };
                ref_weight[r] + shrinkage
            })
            .collect();
        for (m, d) in ref_mean.iter_mut().zip(&ref_denominator) {
            if *d > 0.0 {
                *m /= d;
            }
        }
        // Right-hand side, diagonal, components.
        let mut rhs = vec![0.0; nodes];
        let mut diagonal = vec![0.0; nodes];
        let mut mentions = vec![0.0; nodes];
        let mut parent: Vec<usize> = (0..nodes).collect();
        let mut first_node: Vec<Option<usize>> = vec![None; refs];
        // A node with an actor of its own, whose effect is shrunk, is tied to its side's level.
        let mut side_node: [Option<usize>; SIDES] = [None; SIDES];
        for c in (0..self.cells.len()).filter(|&c| sample.n[c] > 0.0) {
            let (node, r) = (node_of(c), self.cells[c].1 as usize);
            rhs[node] += weight[c] * (mean(c) - ref_mean[r]);
            diagonal[node] += weight[c] * (1.0 - weight[c] / ref_denominator[r]);
            mentions[node] += sample.n[c];
            match first_node[r] {
                None => first_node[r] = Some(node),
                Some(other) => union(&mut parent, node, other),
            }
            let side = self.sides[r];
            if exclusive[r] && variances.kappa[side] > 0.0 {
                match side_node[side] {
                    None => side_node[side] = Some(node),
                    Some(other) => union(&mut parent, node, other),
                }
            }
        }
        let root: Vec<usize> = (0..nodes).map(|n| find(&mut parent, n)).collect();
        let mut size = vec![0usize; nodes];
        for n in (0..nodes).filter(|&n| mentions[n] > 0.0) {
            size[root[n]] += 1;
        }
        let identified: Vec<bool> = (0..nodes)
            .map(|n| mentions[n] > 0.0 && size[root[n]] >= 2)
            .collect();
        let laplacian = |x: &[f64], out: &mut [f64]| {
            let mut t = vec![0.0; refs];
            for c in (0..self.cells.len()).filter(|&c| sample.n[c] > 0.0) {
                t[self.cells[c].1 as usize] += weight[c] * x[node_of(c)];
            }
            out.iter_mut().for_each(|o| *o = 0.0);
            for c in (0..self.cells.len()).filter(|&c| sample.n[c] > 0.0) {
                let r = self.cells[c].1 as usize;
                out[node_of(c)] += weight[c] * (x[node_of(c)] - t[r] / ref_denominator[r]);
            }
        };
        let mut x = conjugate_gradients(&rhs, &diagonal, &identified, laplacian);
        // Centre each component on its mention-weighted mean.
        let mut centre = vec![(0.0, 0.0); nodes];
        for n in (0..nodes).filter(|&n| identified[n]) {
            centre[root[n]].0 += mentions[n] * x[n];
            centre[root[n]].1 += mentions[n];
        }
        for n in 0..nodes {
            x[n] = if identified[n] {
                x[n] - centre[root[n]].0 / centre[root[n]].1
            } else {
                0.0
            };
        }
        let mut alpha = vec![0.0; refs];
        for c in (0..self.cells.len()).filter(|&c| sample.n[c] > 0.0) {
            let r = self.cells[c].1 as usize;
            alpha[r] += weight[c] * (mean(c) - x[node_of(c)]) / ref_denominator[r];
        }
        let components = (0..nodes)
            .filter(|&n| identified[n] && root[n] == n)
            .count();
        let fitted_refs = ref_weight.iter().filter(|&&w| w > 0.0).count();
        let identified_nodes = identified.iter().filter(|&&i| i).count();
        Solution {
            nodes: (0..nodes).map(|n| identified[n].then_some(x[n])).collect(),
            alpha,
            parameters: fitted_refs + identified_nodes - components,
            ref_weight,
        }
    }

    /// The variance ratios, by the method of moments. σ² is the variance of mention scores
    /// within a cell. τ² (λ = τ² / σ²) is what the residual spread of cell means around an
    /// unweighted fit with fixed actor effects has beyond σ² / n, as in one-way
    /// random-effects analysis of variance with this design's residual degrees of freedom.
    /// σ_α² (κ = σ² / σ_α²) is, per side, the spread of the fixed actor effects of a fit
    /// weighted by λ beyond their sampling variance σ² / W. Where the data cannot tell, the
    /// ratio is 0: cells weigh by their mentions, and actor effects are not shrunk.
    fn variances(&self, sample: &Sample) -> Variances {
        let none = Variances::default();
        let occupied: Vec<usize> = (0..self.cells.len())
            .filter(|&c| sample.n[c] > 0.0)
            .collect();
        let total: f64 = occupied.iter().map(|&c| sample.n[c]).sum();
        let cells = occupied.len() as f64;
        if total <= cells {
            return none;
        }
        let within: f64 = occupied
            .iter()
            .map(|&c| (sample.sum_sq[c] - sample.sum[c] * sample.sum[c] / sample.n[c]).max(0.0))
            .sum();
        let sigma2 = within / (total - cells);
        if sigma2 <= 1e-12 {
            return none;
        }
        let fixed = self.solve(sample, none, None);
        let mut q = 0.0;
        let mut per_ref = vec![(0.0, 0.0); self.sides.len()];
        for &c in &occupied {
            let (g, r) = self.cells[c];
            let node = 2 * g + self.sides[r as usize];
            let fitted = fixed.alpha[r as usize] + fixed.nodes[node].unwrap_or(0.0);
            let residual = sample.sum[c] / sample.n[c] - fitted;
            q += sample.n[c] * residual * residual;
            per_ref[r as usize].0 += sample.n[c] * sample.n[c];
            per_ref[r as usize].1 += sample.n[c];
        }
        let spread: f64 = total
            - per_ref
                .iter()
                .filter(|r| r.1 > 0.0)
                .map(|r| r.0 / r.1)
                .sum::<f64>();
        let df = cells - fixed.parameters as f64;
        let lambda = if spread > 0.0 && df > 0.0 {
            ((q - sigma2 * df) / spread).max(0.0) / sigma2
        } else {
            0.0
        };
        let weighted = self.solve(sample, Variances { lambda, ..none }, None);
        let mut kappa = [0.0; SIDES];
        for (side, k) in kappa.iter_mut().enumerate() {
            let actors: Vec<(f64, f64)> = (0..self.sides.len())
                .filter(|&r| self.sides[r] == side && weighted.ref_weight[r] > 0.0)
                .map(|r| (weighted.alpha[r], weighted.ref_weight[r]))
                .collect();
            if actors.len() < 2 {
                continue;
            }
            let count = actors.len() as f64;
            let mean = actors.iter().map(|a| a.0).sum::<f64>() / count;
            let spread = actors.iter().map(|a| (a.0 - mean).powi(2)).sum::<f64>() / (count - 1.0);
            let noise = sigma2 * actors.iter().map(|a| 1.0 / a.1).sum::<f64>() / count;
            // No spread beyond the noise: the actors are alike, and their effects are
            // shrunk (nearly) all the way to the side's level.
            *k = if spread > noise {
                sigma2 / (spread - noise)
            } else {
                MAX_SHRINKAGE
            };
        }
        Variances { lambda, kappa }
    }
}

/// The shrinkage of actors whose effects show no spread beyond their noise.
const MAX_SHRINKAGE: f64 = 1e6;

fn find(parent: &mut [usize], mut n: usize) -> usize {
    while parent[n] != n {
        parent[n] = parent[parent[n]];
        n = parent[n];
    }
    n
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // The smaller index is the root, so roots do not depend on the order of unions.
    if ra != rb {
        let (low, high) = (ra.min(rb), ra.max(rb));
        parent[high] = low;
    }
}

/// Jacobi-preconditioned conjugate gradients for the singular but consistent system
/// L x = b over the `active` nodes (the rest stay 0), from x = 0, to a residual of 1e-12
/// of |b|: a fixed sequence of operations, so the same input gives the same digits.
fn conjugate_gradients(
    b: &[f64],
    diagonal: &[f64],
    active: &[bool],
    apply: impl Fn(&[f64], &mut [f64]),
) -> Vec<f64> {
    let n = b.len();
    let dot =
        |u: &[f64], v: &[f64]| -> f64 { (0..n).filter(|&i| active[i]).map(|i| u[i] * v[i]).sum() };
    let precondition = |r: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| {
                if active[i] && diagonal[i] > 0.0 {
                    r[i] / diagonal[i]
                } else {
                    0.0
                }
            })
            .collect()
    };
    let mut x = vec![0.0; n];
    let mut r: Vec<f64> = (0..n).map(|i| if active[i] { b[i] } else { 0.0 }).collect();
    let scale = dot(&r, &r).sqrt();
    if scale == 0.0 {
        return x;
    }
    let mut z = precondition(&r);
    let mut p = z.clone();
    let mut rz = dot(&r, &z);
    let mut lp = vec![0.0; n];
    for _ in 0..(4 * n + 50) {
        apply(&p, &mut lp);
        let curvature = dot(&p, &lp);
        if curvature <= 0.0 {
            break;
        }
        let step = rz / curvature;
        for i in (0..n).filter(|&i| active[i]) {
            x[i] += step * p[i];
            r[i] -= step * lp[i];
        }
        if dot(&r, &r).sqrt() <= 1e-12 * scale {
            break;
        }
        z = precondition(&r);
        let next = dot(&r, &z);
        for i in 0..n {
            p[i] = z[i] + next / rz * p[i];
        }
        rz = next;
    }
    x
}

#[cfg(test)]
mod tests {
    //! Known truth on generated corpora: s = α(actor) + δ(outlet) · (+1 for side A, −1 for
    //! side B) + u(outlet, actor) + noise, so the true tone of outlet o relative to outlet p
    //! is δ(o) − δ(p).
    use super::*;
    use crate::aggregate::{Axis, MentionScore};
    use crate::annotate::Voice;
    use crate::stats::standard_normal;

    struct World {
        /// Per actor: side and its own level α.
        actors: Vec<(usize, f64)>,
        /// Per outlet: δ, articles, and how likely each actor is to be picked.
        outlets: Vec<(f64, usize, Vec<f64>)>,
        /// Spread of an outlet's view of one actor (u) and of one mention (noise).
        tau: f64,
        sigma: f64,
        /// Actors per article, each with 1 to 3 mentions.
        per_article: usize,
    }

    /// Each outlet's articles as tallies, and every mention as (outlet, actor, side, s).
    type Corpus = (Vec<(String, ArticleTally)>, Vec<(usize, usize, usize, f64)>);

    impl World {
        fn generate(&self, rng: &mut StdRng) -> Corpus {
            let axis = Axis::parse(&["a,b"]).unwrap();
            let names: Vec<String> = (0..self.actors.len())
                .map(|a| format!("actor{a:03}"))
                .collect();
            let mut articles = Vec::new();
            let mut mentions = Vec::new();
            for (o, (delta, count, weights)) in self.outlets.iter().enumerate() {
                let u: Vec<f64> = self
                    .actors
                    .iter()
                    .map(|_| self.tau * standard_normal(rng))
                    .collect();
                let total: f64 = weights.iter().sum();
                for _ in 0..*count {
                    let mut tally = ArticleTally::default();
                    for _ in 0..self.per_article {
                        let mut pick = rng.gen::<f64>() * total;
                        let actor = weights
                            .iter()
                            .position(|w| {
                                pick -= w;
                                pick < 0.0
                            })
                            .unwrap_or(weights.len() - 1);
                        let (side, alpha) = self.actors[actor];
                        let sign = if side == 0 { 1.0 } else { -1.0 };
                        for _ in 0..rng.gen_range(1..=3) {
                            let s =
                                alpha + sign * delta + u[actor] + self.sigma * standard_normal(rng);
                            let camp = if side == 0 { "a" } else { "b" };
                            let m = MentionScore {
                                actor: &names[actor],
                                camp,
                                score: s,
                                voice: Voice::Own,
                                speaker_camp: "",
                            };
                            tally.add(&m, Some(&axis));
                            mentions.push((o, actor, side, s));
                        }
                    }
                    articles.push((format!("outlet{o}"), tally));
                }
            }
            (articles, mentions)
        }
    }

    fn accumulate(articles: &[(String, ArticleTally)]) -> RelativeAccumulator {
        let mut acc = RelativeAccumulator::new(ToneVoices::All);
        for (outlet, tally) in articles {
            acc.add(outlet, tally, None);
        }
        acc
    }

    /// The naive actor-matched gap per outlet: each mention's score minus its actor's corpus
    /// mean, averaged per outlet and side, then (A − B) / 2.
    fn naive_gap(
        mentions: &[(usize, usize, usize, f64)],
        outlets: usize,
        actors: usize,
    ) -> Vec<f64> {
        let mut actor = vec![(0.0, 0.0); actors];
        for &(_, a, _, s) in mentions {
            actor[a].0 += s;
            actor[a].1 += 1.0;
        }
        let mut sides = vec![[(0.0, 0.0); 2]; outlets];
        for &(o, a, side, s) in mentions {
            sides[o][side].0 += s - actor[a].0 / actor[a].1;
            sides[o][side].1 += 1.0;
        }
        sides
            .iter()
            .map(|s| (s[0].0 / s[0].1 - s[1].0 / s[1].1) / 2.0)
            .collect()
    }

    /// The permutation p of tone(outlet0) − tone(`other`), 200 shuffles.
    fn tone_p(acc: &RelativeAccumulator, fit: &RelativeFit, other: &str, seed: u64) -> f64 {
        acc.tone_permutation_tests(&[("outlet0", other, seed)], fit.variances, 200)[0].unwrap()
    }

    fn tone(fit: &RelativeFit, o: usize) -> f64 {
        fit.get(&format!("outlet{o}")).tone.value.unwrap()
    }

    /// Ten actors a side; actor k's level runs from -0.6 to +0.6.
    fn actors(per_side: usize) -> Vec<(usize, f64)> {
        (0..2 * per_side)
            .map(|k| {
                (
                    k / per_side,
                    -0.6 + 1.2 * (k % per_side) as f64 / (per_side - 1) as f64,
                )
            })
            .collect()
    }

    #[test]
    fn hand_made_cells_give_the_difference_of_cell_means() {
        // One actor a side, two outlets: each side's gap is the difference of cell means.
        let world = World {
            actors: vec![(0, 0.0), (1, 0.0)],
            outlets: vec![(0.2, 30, vec![1.0, 1.0]), (-0.1, 30, vec![1.0, 1.0])],
            tau: 0.0,
            sigma: 0.2,
            per_article: 2,
        };
        let (articles, mentions) = world.generate(&mut StdRng::seed_from_u64(1));
        let fit = accumulate(&articles).fit(200, 1);
        let mean = |o: usize, a: usize| {
            let v: Vec<f64> = mentions
                .iter()
                .filter(|m| m.0 == o && m.1 == a)
                .map(|m| m.3)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let expected = ((mean(0, 0) - mean(1, 0)) - (mean(0, 1) - mean(1, 1))) / 2.0;
        assert!((tone(&fit, 0) - tone(&fit, 1) - expected).abs() < 1e-9);
        let ci = fit.get("outlet0").tone.ci.unwrap();
        assert!(ci.0 < tone(&fit, 0) && tone(&fit, 0) < ci.1, "{ci:?}");
    }

    #[test]
    fn outlets_that_differ_only_in_coverage_have_the_same_tone() {
        // Both outlets write alike (δ = 0), but outlet0 covers side A's worst-treated actors
        // and side B's best-treated ones: its framing leans to B, its tone does not.
        let actors = actors(10);
        let leaning: Vec<f64> = actors
            .iter()
            .map(|&(side, alpha)| {
                if (side == 0) == (alpha < 0.0) {
                    4.0
                } else {
                    0.5
                }
            })
            .collect();
        let world = World {
            outlets: vec![(0.0, 40, leaning), (0.0, 40, vec![1.0; 20])],
            actors,
            tau: 0.05,
            sigma: 0.3,
            per_article: 2,
        };
        let reps = 200;
        let (mut declared, mut tones, mut framings) = (0, 0.0, 0.0);
        let mut rng = StdRng::seed_from_u64(7);
        for rep in 0..reps {
            let (articles, mentions) = world.generate(&mut rng);
            let acc = accumulate(&articles);
            let fit = acc.fit(0, rep);
            let p = tone_p(&acc, &fit, "outlet1", rep);
            declared += usize::from(p < 0.05);
            tones += tone(&fit, 0) - tone(&fit, 1);
            let framing = |o: usize| {
                let v: Vec<f64> = mentions
                    .iter()
                    .filter(|m| m.0 == o)
                    .map(|m| if m.2 == 0 { m.3 } else { -m.3 })
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            framings += framing(0) - framing(1);
        }
        let (tones, framings) = (tones / reps as f64, framings / reps as f64);
        eprintln!("tone {tones:+.4}, framing {framings:+.4}, declared {declared} of {reps}");
        // Framing mistakes selection for slant; tone does not.
        assert!(framings < -0.15, "framing difference {framings}");
        assert!(tones.abs() < 0.01, "tone difference {tones}");
        // A 5% test declares about 10 of 200 (binomial sd 3.1): at most 20.
        assert!(declared <= 20, "declared {declared} of {reps}");
    }

    #[test]
    fn a_difference_in_tone_is_found_and_covered_at_the_nominal_rate() {
        let actors = actors(10);
        let world = World {
            outlets: vec![
                (0.1, 40, vec![1.0; 20]),
                (0.0, 40, vec![1.0; 20]),
                (-0.1, 40, (0..20).map(|k| 1.0 + (k % 3) as f64).collect()),
            ],
            actors,
            tau: 0.05,
            sigma: 0.3,
            per_article: 2,
        };
        let reps = 100;
        let (mut found, mut covered) = (0, 0);
        let mut rng = StdRng::seed_from_u64(11);
        for rep in 0..reps {
            let (articles, _) = world.generate(&mut rng);
            let acc = accumulate(&articles);
            let fit = acc.fit(400, rep);
            let p = tone_p(&acc, &fit, "outlet2", rep);
            found += usize::from(p < 0.05);
            let d = fit.difference(Measure::Tone, "outlet0", "outlet2");
            let (low, high) = d.ci.unwrap();
            covered += usize::from(low <= 0.2 && 0.2 <= high);
        }
        eprintln!("found {found} of {reps}, covered {covered} of {reps}");
        // A 0.2 difference with ~200 mentions an outlet: found nearly always; the 95%
        // interval covers it about 95 times in 100 (binomial sd 2.2): at least 88.
        assert!(found >= 90, "found {found} of {reps}");
        assert!(covered >= 88, "covered {covered} of {reps}");
    }

    #[test]
    fn unbiased_where_the_naive_gap_is_and_where_it_is_not() {
        // Balanced: every outlet covers every actor alike; both estimators are unbiased.
        let balanced = World {
            outlets: (0..4)
                .map(|o| (0.05 * o as f64, 30, vec![1.0; 20]))
                .collect(),
            actors: actors(10),
            tau: 0.1,
            sigma: 0.3,
            per_article: 2,
        };
        // Sparse, as in a corpus of news excerpts: 12 outlets of 20 short articles (about
        // 80 mentions each) over 60 actors a side whose popularity falls off as 1 / rank, so
        // a few actors are everywhere and most are met once or twice; outlets view single
        // actors differently (τ). Most cells hold one or two mentions.
        let zipf: Vec<f64> = (0..120).map(|k| 1.0 / (1 + k % 60) as f64).collect();
        let sparse = World {
            outlets: (0..12)
                .map(|o| (0.02 * o as f64, 20, zipf.clone()))
                .collect(),
            actors: actors(60),
            tau: 0.25,
            sigma: 0.3,
            per_article: 2,
        };
        // Home ground: each outlet writes mostly about its own quarter of the actors (a
        // regional press), so an actor's corpus mean is mostly its home outlet's view.
        let home = World {
            outlets: (0..4)
                .map(|o| {
                    let weights = (0..120)
                        .map(|k| if k % 4 == o { 3.0 } else { 0.2 })
                        .collect();
                    (0.05 * o as f64, 30, weights)
                })
                .collect(),
            actors: actors(60),
            tau: 0.25,
            sigma: 0.3,
            per_article: 2,
        };
        let mut rng = StdRng::seed_from_u64(13);
        let reps = 100;
        for (name, world) in [
            ("balanced", &balanced),
            ("sparse", &sparse),
            ("home", &home),
        ] {
            // Errors of the differences to outlet0, whose truth is 0.05 o.
            let (mut bias, mut naive_bias, mut error, mut naive_error) = (0.0, 0.0, 0.0, 0.0);
            let outlets = world.outlets.len();
            for rep in 0..reps {
                let (articles, mentions) = world.generate(&mut rng);
                let fit = accumulate(&articles).fit(0, rep);
                let naive = naive_gap(&mentions, outlets, world.actors.len());
                for o in 1..outlets {
                    let truth = world.outlets[o].0 - world.outlets[0].0;
                    let e = tone(&fit, o) - tone(&fit, 0) - truth;
                    let n = naive[o] - naive[0] - truth;
                    bias += e;
                    naive_bias += n;
                    error += e * e;
                    naive_error += n * n;
                }
            }
            let count = ((outlets - 1) as u64 * reps) as f64;
            let (bias, naive_bias) = (bias / count, naive_bias / count);
            let (rmse, naive_rmse) = ((error / count).sqrt(), (naive_error / count).sqrt());
            eprintln!(
                "{name}: bias {bias:+.4} (naive {naive_bias:+.4}), rmse {rmse:.4} (naive {naive_rmse:.4})"
            );
            // Unbiased everywhere (sd of the mean error about 0.005).
            assert!(bias.abs() < 0.02, "{name}: bias {bias}");
            // As precise as the naive gap within a fifth, which is biased where an outlet
            // writes mostly about actors of its own.
            assert!(
                rmse < 1.2 * naive_rmse,
                "{name}: rmse {rmse} vs naive {naive_rmse}"
            );
            match name {
                "home" => assert!(naive_bias < -0.05, "home: naive bias {naive_bias}"),
                _ => assert!(naive_bias.abs() < 0.03, "{name}: naive bias {naive_bias}"),
            }
        }
    }

    #[test]
    fn the_same_articles_give_the_same_digits_whatever_order_actors_are_met_in() {
        let world = World {
            actors: actors(5),
            outlets: vec![(0.1, 20, vec![1.0; 10]), (0.0, 20, vec![1.0; 10])],
            tau: 0.1,
            sigma: 0.3,
            per_article: 3,
        };
        let (articles, _) = world.generate(&mut StdRng::seed_from_u64(3));
        let forward = accumulate(&articles).fit(100, 9);
        // The same articles per outlet in the same order, but outlet1's first.
        let mut reordered: Vec<(String, ArticleTally)> = articles
            .iter()
            .filter(|a| a.0 == "outlet1")
            .cloned()
            .collect();
        reordered.extend(articles.iter().filter(|a| a.0 == "outlet0").cloned());
        let backward = accumulate(&reordered).fit(100, 9);
        assert_eq!(forward.stats, backward.stats);
        assert_eq!(forward.variances, backward.variances);
    }
}
