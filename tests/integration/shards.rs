//! Sharded runs: the demo corpus (with rejects and a duplicate id mixed in) scored as one run,
//! as 3 shards run as parallel processes by `xargs -P` (the local recipe in docs/scaling.md)
//! and as 7 shards, merges to the same bytes in every table; merge refuses parts that do not
//! make one run, naming the part and the difference; a killed shard resumes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use slant::schema::SCORE_TABLES as TABLES;

use crate::common::slant;

/// The demo articles with three bad records (broken JSON, no text, a duplicate id) among them.
fn corpus(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("datasets/demo/articles.jsonl")).unwrap();
    let mut lines: Vec<String> = demo.lines().map(String::from).collect();
    let duplicate = lines[3].clone();
    lines.insert(5, "{\"id\": \"broken\", \"outlet\": ".into());
    lines.insert(
        17,
        "{\"id\": \"no-text\", \"outlet\": \"Metro Wire\"}".into(),
    );
    lines.insert(30, duplicate);
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

const SCORE_FLAGS: [&str; 9] = [
    "--actors",
    "datasets/actors/peru.csv",
    "--axis",
    "opposition,government",
    "--backend",
    "candle",
    "--resamples",
    "300",
    "--quiet",
];

fn score(input: &Path, out: &Path, extra: &[&str]) -> Output {
    slant()
        .arg("score")
        .arg(input)
        .args(SCORE_FLAGS)
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn merge(parts: &[PathBuf], out: &Path, extra: &[&str]) -> Output {
    slant()
        .args(["--quiet", "merge"])
        .args(parts)
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeds(output: Output) {
    assert!(output.status.success(), "{}", stderr(&output));
}

fn fails_with(output: Output, wanted: &[&str]) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    for part in wanted {
        assert!(message.contains(part), "{part:?} not in: {message}");
    }
}

/// run.json without the timings, the part list and the encoder work (each part deduplicates
/// sentences only within itself, so the parts together encode more than one run does).
fn run_json(dir: &Path) -> serde_json::Value {
    let mut run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    run["seconds"] = 0.into();
    run.as_object_mut().unwrap().remove("parts");
    for work in ["sentences_scored", "sentences_reused", "mentions_scored"] {
        run["counts"][work] = 0.into();
    }
    run
}

fn assert_same_run(expected: &Path, merged: &Path, what: &str) {
    crate::common::assert_tone_measured(expected);
    for table in TABLES {
        let (a, b) = (expected.join(table), merged.join(table));
        assert!(
            std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
            "{what}: {table} differs"
        );
    }
    assert_eq!(run_json(expected), run_json(merged), "{what}: run.json");
    assert!(
        !merged.join("positions.csv").exists(),
        "{what}: positions.csv in a merged run"
    );
}

fn parts(dir: &Path, count: u32) -> Vec<PathBuf> {
    (0..count).map(|k| dir.join(format!("part-{k}"))).collect()
}

fn sharded_runs_merge_to_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let whole = dir.path().join("whole");
    succeeds(score(&input, &whole, &[]));
    let rejects = std::fs::read_to_string(whole.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 4, "{rejects}");

    // Three shards as parallel processes, the local recipe.
    let three = dir.path().join("three");
    let script = format!(
        // `{}` is the shard number; a letter would also be replaced inside the paths (a
        // temporary folder named .tmpK... failed this test once).
        "seq 0 2 | xargs -P 3 -I{{}} {bin} score {input} {flags} --shard {{}}/3 --out {out}/part-{{}}",
        bin = env!("CARGO_BIN_EXE_slant"),
        input = input.display(),
        flags = SCORE_FLAGS.join(" "),
        out = three.display(),
    );
    succeeds(
        Command::new("sh")
            .args(["-c", &script])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("SLANT_MODEL")
            .output()
            .unwrap(),
    );
    let merged = dir.path().join("merged-3");
    let mut shuffled = parts(&three, 3);
    shuffled.reverse();
    succeeds(merge(&shuffled, &merged, &[]));
    assert_same_run(&whole, &merged, "3 shards");
    let run = run_json(&merged);
    assert!(run["flags"].get("shard").is_none(), "{run}");

    let seven = dir.path().join("seven");
    for (k, part) in parts(&seven, 7).iter().enumerate() {
        succeeds(score(&input, part, &["--shard", &format!("{k}/7")]));
        let shard: serde_json::Value =
            serde_json::from_slice(&std::fs::read(part.join("run.json")).unwrap()).unwrap();
        assert_eq!(shard["flags"]["shard"]["index"], k, "{shard}");
    }
    let merged = dir.path().join("merged-7");
    succeeds(merge(&parts(&seven, 7), &merged, &[]));
    assert_same_run(&whole, &merged, "7 shards");
    let listed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("run.json")).unwrap()).unwrap();
    assert_eq!(
        listed["parts"].as_array().map(Vec::len),
        Some(7),
        "{listed}"
    );

    // Every article is scored by exactly one shard; every reject listed by exactly one.
    let count = |dir: &Path, table: &str| {
        std::fs::read_to_string(dir.join(table))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    for table in ["articles.csv", "rejects.csv", "mentions.csv"] {
        let sum: usize = parts(&seven, 7).iter().map(|p| count(p, table)).sum();
        assert_eq!(sum, count(&whole, table), "{table}");
    }

    // compare reads the merged run, and refuses a part.
    succeeds(
        slant()
            .args(["--quiet", "compare"])
            .arg(&merged)
            .output()
            .unwrap(),
    );
    fails_with(
        slant()
            .args(["--quiet", "compare"])
            .arg(seven.join("part-2"))
            .output()
            .unwrap(),
        &["is shard 2/7 of a sharded run", "slant merge"],
    );
}

fn merge_refuses_parts_that_do_not_make_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let three = parts(dir.path(), 3);
    for (k, part) in three.iter().enumerate() {
        succeeds(score(&input, part, &["--shard", &format!("{k}/3")]));
    }
    let out = dir.path().join("merged");

    // A shard missing, or given twice.
    fails_with(
        merge(&[three[0].clone(), three[2].clone()], &out, &[]),
        &["shard 1/3 of 3 missing"],
    );
    fails_with(
        merge(
            &[three[0].clone(), three[1].clone(), three[1].clone()],
            &out,
            &[],
        ),
        &["are both shard 1/3"],
    );
    // A whole run, not a part.
    let whole = dir.path().join("whole");
    succeeds(score(&input, &whole, &[]));
    fails_with(
        merge(&[three[0].clone(), whole.clone()], &out, &[]),
        &["whole: not a part of a sharded run"],
    );
    // A part of another split.
    let other_split = dir.path().join("of-two");
    succeeds(score(&input, &other_split, &["--shard", "1/2"]));
    fails_with(
        merge(
            &[three[0].clone(), other_split, three[2].clone()],
            &out,
            &[],
        ),
        &["of-two: shard 1/2, but", "is shard 0/3"],
    );
    // A part scored with another flag, or of another input.
    let other_seed = dir.path().join("other-seed");
    succeeds(score(
        &input,
        &other_seed,
        &["--shard", "1/3", "--seed", "7"],
    ));
    fails_with(
        merge(&[three[0].clone(), other_seed, three[2].clone()], &out, &[]),
        &[
            "other-seed is not a part of the same run",
            "flags.seed: 20230329 -> 7",
        ],
    );
    let changed = dir.path().join("changed.jsonl");
    let mut text = std::fs::read_to_string(&input).unwrap();
    text.push_str(
        "{\"id\": \"extra\", \"outlet\": \"Metro Wire\", \"text\": \"Castillo spoke.\"}\n",
    );
    std::fs::write(&changed, text).unwrap();
    let other_input = dir.path().join("other-input");
    succeeds(score(&changed, &other_input, &["--shard", "1/3"]));
    fails_with(
        merge(
            &[three[0].clone(), other_input, three[2].clone()],
            &out,
            &[],
        ),
        &["other-input is not a part of the same run", "inputs"],
    );
    // A part's table edited after the run.
    let edited = dir.path().join("edited");
    copy_dir(&three[1], &edited);
    let mentions = edited.join("mentions.csv");
    let text = std::fs::read_to_string(&mentions).unwrap();
    std::fs::write(&mentions, text.replacen(",0.", ",1.", 1)).unwrap();
    fails_with(
        merge(&[three[0].clone(), edited, three[2].clone()], &out, &[]),
        &["mentions.csv", "sha256"],
    );
    // The output folder: not a part, and not a finished run without --force.
    fails_with(merge(&three, &three[0], &[]), &["is one of the parts"]);
    fails_with(merge(&three, &whole, &[]), &["holds a run", "--force"]);
    succeeds(merge(&three, &whole, &["--force"]));
    assert!(!out.exists(), "a refused merge wrote its output");
}

fn a_killed_shard_resumes_to_the_same_part() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let flags = ["--shard", "1/3", "--chunk-size", "1"];
    let expected = dir.path().join("expected");
    succeeds(score(&input, &expected, &flags));
    let resumed = dir.path().join("resumed");
    let killed = slant()
        .arg("score")
        .arg(&input)
        .args(SCORE_FLAGS)
        .args(flags)
        .arg("--out")
        .arg(&resumed)
        .env("SLANT_KILL_AT", "checkpoint:1")
        .output()
        .unwrap();
    assert!(!killed.status.success(), "the kill point was not reached");
    let mut again = flags.to_vec();
    again.push("--resume");
    succeeds(score(&input, &resumed, &again));
    for table in TABLES.iter().chain(&["positions.csv"]) {
        assert!(
            std::fs::read(expected.join(table)).unwrap()
                == std::fs::read(resumed.join(table)).unwrap(),
            "{table} differs after the resume"
        );
    }
}

/// The corpus split into three files, plain, gzip and zstd, named by a pattern or by a list
/// of inputs (and sharded), scores the same articles as the one file.
fn many_inputs_by_pattern_or_list_score_as_one_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let one = dir.path().join("one");
    succeeds(score(&input, &one, &[]));
    let text = std::fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let pieces: Vec<String> = lines
        .chunks(lines.len().div_ceil(3))
        .map(|c| c.join("\n") + "\n")
        .collect();
    assert_eq!(pieces.len(), 3);
    let split = dir.path().join("split");
    std::fs::create_dir_all(&split).unwrap();
    std::fs::write(split.join("part-a.jsonl"), &pieces[0]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(pieces[1].as_bytes()).unwrap();
    std::fs::write(split.join("part-b.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let zst = zstd::encode_all(pieces[2].as_bytes(), 3).unwrap();
    std::fs::write(split.join("part-c.jsonl.zst"), zst).unwrap();
    let same_articles = |out: &Path, what: &str| {
        for table in ["mentions.csv", "actors.csv", "articles.csv", "outlets.csv"] {
            assert!(
                std::fs::read(one.join(table)).unwrap() == std::fs::read(out.join(table)).unwrap(),
                "{what}: {table} differs"
            );
        }
    };
    let by_pattern = dir.path().join("by-pattern");
    succeeds(score(&split.join("part-*"), &by_pattern, &[]));
    same_articles(&by_pattern, "pattern");
    let list = split.join("inputs.txt");
    std::fs::write(&list, "# in order\npart-a.jsonl\n\npart-[bc].*\n").unwrap();
    let listed = dir.path().join("listed");
    let output = slant()
        .arg("score")
        .args(SCORE_FLAGS)
        .arg("--inputs-from")
        .arg(&list)
        .arg("--out")
        .arg(&listed)
        .output()
        .unwrap();
    succeeds(output);
    same_articles(&listed, "list");
    let run = run_json(&listed);
    assert_eq!(run["inputs"].as_array().map(Vec::len), Some(3), "{run}");
    let nothing = score(&split.join("*.parquet"), &dir.path().join("none"), &[]);
    fails_with(nothing, &["*.parquet", "matches no file"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Parts that keep only Parquet copies (`--output-format parquet`) merge into a run with only
/// Parquet copies, byte-identical to one whole run's.
fn parquet_only_parts_merge_to_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let parquet = ["--output-format", "parquet"];
    let whole = dir.path().join("whole");
    succeeds(score(&input, &whole, &parquet));
    let parts: Vec<PathBuf> = (0..2)
        .map(|k| {
            let part = dir.path().join(format!("part{k}"));
            let shard = format!("{k}/2");
            succeeds(score(
                &input,
                &part,
                &[&parquet[..], &["--shard", &shard]].concat(),
            ));
            part
        })
        .collect();
    let merged = dir.path().join("merged");
    succeeds(merge(&parts, &merged, &[]));
    for table in TABLES {
        let copy = slant::schema::parquet_tables::file_name(table);
        assert!(
            !merged.join(table).exists(),
            "{table} in a Parquet-only run"
        );
        let (a, b) = (
            std::fs::read(whole.join(&copy)).unwrap(),
            std::fs::read(merged.join(&copy)).unwrap(),
        );
        assert!(a == b, "{copy} differs from the whole run's");
    }
}

crate::trials! {
    sharded_runs_merge_to_the_bytes_of_one_run,
    parquet_only_parts_merge_to_the_bytes_of_one_run,
    merge_refuses_parts_that_do_not_make_one_run,
    a_killed_shard_resumes_to_the_same_part,
    many_inputs_by_pattern_or_list_score_as_one_file,
}
