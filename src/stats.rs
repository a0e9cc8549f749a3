//! Inference over articles: bootstrap intervals for means and ratio means, permutation tests
//! for differences between groups, Benjamini-Hochberg adjustment. Articles are the unit of
//! resampling everywhere: mentions within an article are not independent.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Percentile bootstrap interval of the mean of `values` at level `1 - alpha`.
/// None for fewer than two values (no spread to resample).
pub fn bootstrap_mean_ci(
    values: &[f64],
    resamples: usize,
    alpha: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if values.len() < 2 || resamples == 0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let n = values.len();
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| values[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    Some((
        quantile(&means, alpha / 2.0),
        quantile(&means, 1.0 - alpha / 2.0),
    ))
}

/// Linear-interpolated quantile of sorted data (type 7, as R and numpy default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The 95% percentile interval of the finite values; None when fewer than two.
pub fn percentile_interval(values: &[f64]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some((quantile(&v, 0.025), quantile(&v, 0.975)))
}

/// Bootstrap replicates of (sum(num), sum(den)) over units, resampled with replacement:
/// what a ratio's interval is computed from, kept for statistics of several ratios at once.
/// Empty without units.
pub fn bootstrap_ratio_draws(units: &[(f64, f64)], resamples: usize, seed: u64) -> Vec<(f64, f64)> {
    if units.is_empty() {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let n = units.len();
    (0..resamples)
        .map(|_| {
            let (mut num, mut den) = (0.0, 0.0);
            for _ in 0..n {
                let (a, b) = units[rng.gen_range(0..n)];
                num += a;
                den += b;
            }
            (num, den)
        })
        .collect()
}

/// Percentile bootstrap interval of a ratio sum(num)/sum(den) over units (e.g. the
/// mention-weighted mean stance of a camp, resampling articles with their mention counts).
pub fn bootstrap_ratio_ci(
    units: &[(f64, f64)],
    resamples: usize,
    alpha: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if units.len() < 2 || resamples == 0 {
        return None;
    }
    let mut stats: Vec<f64> = bootstrap_ratio_draws(units, resamples, seed)
        .into_iter()
        .filter(|d| d.1 > 0.0)
        .map(|(num, den)| num / den)
        .collect();
    if stats.is_empty() {
        return None;
    }
    stats.sort_by(f64::total_cmp);
    Some((
        quantile(&stats, alpha / 2.0),
        quantile(&stats, 1.0 - alpha / 2.0),
    ))
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Difference of means a − b with a percentile bootstrap interval (each group resampled on its
/// own) and a two-sided permutation p-value ((k + 1) / (R + 1), never zero).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    pub diff: f64,
    pub low: f64,
    pub high: f64,
    pub p_value: f64,
}

pub fn compare_means(a: &[f64], b: &[f64], resamples: usize, seed: u64) -> Option<Difference> {
    if a.len() < 2 || b.len() < 2 || resamples == 0 {
        return None;
    }
    let observed = mean(a) - mean(b);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut diffs: Vec<f64> = (0..resamples)
        .map(|_| {
            let ma = (0..a.len())
                .map(|_| a[rng.gen_range(0..a.len())])
                .sum::<f64>()
                / a.len() as f64;
            let mb = (0..b.len())
                .map(|_| b[rng.gen_range(0..b.len())])
                .sum::<f64>()
                / b.len() as f64;
            ma - mb
        })
        .collect();
    diffs.sort_by(f64::total_cmp);
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let total: f64 = pooled.iter().sum();
    let mut extreme = 0usize;
    for _ in 0..resamples {
        pooled.shuffle(&mut rng);
        let sum_a: f64 = pooled[..a.len()].iter().sum();
        let d = sum_a / a.len() as f64 - (total - sum_a) / b.len() as f64;
        // A small tolerance keeps ties from being lost to rounding.
        if d.abs() >= observed.abs() - 1e-12 {
            extreme += 1;
        }
    }
    Some(Difference {
        diff: observed,
        low: quantile(&diffs, 0.025),
        high: quantile(&diffs, 0.975),
        p_value: permutation_p(extreme, resamples),
    })
}

/// One stratum of a within-stratum comparison (a story both outlets covered): the values of
/// group a and of group b in it.
pub type Stratum = (Vec<f64>, Vec<f64>);

/// The stratum-weighted mean of per-stratum differences mean(a) − mean(b), with a percentile
/// bootstrap interval over strata and a two-sided permutation p-value from swapping a and b
/// labels only within each stratum ((k + 1) / (R + 1)). A stratum's own level (a story's good
/// or bad news) cancels out of its difference. None for fewer than two strata or a stratum
/// missing a side.
pub fn compare_within(strata: &[Stratum], resamples: usize, seed: u64) -> Option<Difference> {
    if strata.len() < 2
        || resamples == 0
        || strata.iter().any(|(a, b)| a.is_empty() || b.is_empty())
    {
        return None;
    }
    let differences: Vec<f64> = strata.iter().map(|(a, b)| mean(a) - mean(b)).collect();
    let observed = mean(&differences);
    let (low, high) = bootstrap_mean_ci(&differences, resamples, 0.05, seed)?;
    // The permutations draw from their own stream, so they do not depend on the bootstrap's.
    let mut rng = StdRng::seed_from_u64(seed.rotate_left(32));
    let mut pooled: Vec<(Vec<f64>, usize, f64)> = strata
        .iter()
        .map(|(a, b)| {
            let values: Vec<f64> = a.iter().chain(b).copied().collect();
            let total = values.iter().sum();
            (values, a.len(), total)
        })
        .collect();
    let mut extreme = 0usize;
    for _ in 0..resamples {
        let mut sum = 0.0;
        for (values, a_len, total) in &mut pooled {
            values.shuffle(&mut rng);
            let sum_a: f64 = values[..*a_len].iter().sum();
            sum += sum_a / *a_len as f64 - (*total - sum_a) / (values.len() - *a_len) as f64;
        }
        // A small tolerance keeps ties from being lost to rounding.
        if (sum / differences.len() as f64).abs() >= observed.abs() - 1e-12 {
            extreme += 1;
        }
    }
    Some(Difference {
        diff: observed,
        low,
        high,
        p_value: permutation_p(extreme, resamples),
    })
}

/// A permutation test's two-sided p-value, (k + 1) / (R + 1): never zero.
fn permutation_p(extreme: usize, resamples: usize) -> f64 {
    (extreme + 1) as f64 / (resamples + 1) as f64
}

/// A standard normal draw by Box-Muller, for synthetic data in tests.
#[cfg(test)]
pub(crate) fn standard_normal(rng: &mut StdRng) -> f64 {
    let (u1, u2): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Benjamini-Hochberg adjusted p-values, in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut adjusted = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        adjusted[i] = running.min(1.0);
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_story_pairing_cancels_the_story_level_that_hides_a_difference() {
        // 30 stories whose own news ranges from -0.8 to +0.8; in each, outlet a frames 0.1
        // more favourably than outlet b.
        let strata: Vec<Stratum> = (0..30)
            .map(|i| {
                let level = -0.8 + 1.6 * ((i * 7) % 30) as f64 / 29.0;
                (vec![level + 0.05], vec![level - 0.05, level - 0.04])
            })
            .collect();
        let within = compare_within(&strata, 2000, 7).unwrap();
        assert!((within.diff - 0.095).abs() < 1e-9, "{}", within.diff);
        assert!(within.p_value < 0.01 && within.low > 0.0, "{within:?}");
        let a: Vec<f64> = strata.iter().flat_map(|s| s.0.clone()).collect();
        let b: Vec<f64> = strata.iter().flat_map(|s| s.1.clone()).collect();
        let unpaired = compare_means(&a, &b, 2000, 7).unwrap();
        assert!(unpaired.p_value > 0.3, "{unpaired:?}");
        // No difference within stories: nothing to find.
        let null: Vec<Stratum> = strata
            .iter()
            .enumerate()
            .map(|(i, (a, _))| {
                let shift = if i % 2 == 0 { 0.05 } else { -0.05 };
                (a.clone(), vec![a[0] + shift])
            })
            .collect();
        assert!(compare_within(&null, 2000, 7).unwrap().p_value > 0.5);
        assert!(compare_within(&strata[..1], 2000, 7).is_none());
    }

    #[test]
    fn quantiles_and_bootstrap() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-12);
        let values: Vec<f64> = (0..200).map(|i| (i % 10) as f64 / 10.0).collect();
        let (lo, hi) = bootstrap_mean_ci(&values, 2000, 0.05, 1).unwrap();
        // Mean 0.45, sd 0.287, se 0.0203: the 95% interval is about ±0.04.
        assert!(lo < 0.45 && hi > 0.45);
        assert!((hi - lo - 2.0 * 1.96 * 0.0203).abs() < 0.01, "{lo} {hi}");
        assert_eq!(
            bootstrap_mean_ci(&values, 500, 0.05, 1),
            bootstrap_mean_ci(&values, 500, 0.05, 1)
        );
        assert_eq!(bootstrap_mean_ci(&[1.0], 500, 0.05, 1), None);
    }

    #[test]
    fn bh_matches_hand_computation() {
        // Sorted p: .01 .02 .03 .5 -> .04 .04 .04 .5 (m = 4; .02*4/2 = .04, .03*4/3 = .04).
        let adj = benjamini_hochberg(&[0.03, 0.5, 0.01, 0.02]);
        let expect = [0.04, 0.5, 0.04, 0.04];
        for (a, e) in adj.iter().zip(expect) {
            assert!((a - e).abs() < 1e-12, "{adj:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn ratio_interval_contains_the_pooled_ratio() {
        let units: Vec<(f64, f64)> = (0..50)
            .map(|i| ((i % 5) as f64 * 0.2 - 0.4, 1.0 + (i % 3) as f64))
            .collect();
        let pooled =
            units.iter().map(|u| u.0).sum::<f64>() / units.iter().map(|u| u.1).sum::<f64>();
        let (lo, hi) = bootstrap_ratio_ci(&units, 1000, 0.05, 3).unwrap();
        assert!(lo <= pooled && pooled <= hi, "{lo} {pooled} {hi}");
    }

    fn normals(rng: &mut StdRng, n: usize, mu: f64, sd: f64) -> Vec<f64> {
        (0..n).map(|_| mu + sd * standard_normal(rng)).collect()
    }

    #[test]
    fn error_rates_over_repeated_synthetic_corpora() {
        // 200 synthetic pairs of outlets, 40 articles each, article framing sd 0.3.
        let mut rng = StdRng::seed_from_u64(11);
        let (mut false_positives, mut detected, mut covered) = (0, 0, 0);
        let reps = 200;
        for rep in 0..reps {
            let a = normals(&mut rng, 40, 0.1, 0.3);
            let null_b = normals(&mut rng, 40, 0.1, 0.3);
            let shifted_b = normals(&mut rng, 40, -0.15, 0.3);
            let null = compare_means(&a, &null_b, 400, rep).unwrap();
            let real = compare_means(&a, &shifted_b, 400, rep + 1000).unwrap();
            false_positives += (null.p_value < 0.05) as usize;
            detected += (real.p_value < 0.05) as usize;
            covered += (real.low <= 0.25 && 0.25 <= real.high) as usize;
        }
        // Expected: 5% false positives (10 of 200, binomial sd 3.1), power 96% for a 0.25
        // shift (se 0.067, z 3.7: 192 of 200, sd 2.7), 95% coverage (190, sd 3.1); the
        // bounds sit three sd or more out.
        assert!(
            false_positives <= 20,
            "false positives {false_positives}/{reps}"
        );
        assert!(detected >= 182, "detected {detected}/{reps}");
        assert!(covered >= 180, "interval coverage {covered}/{reps}");
    }
}
