//! Golden outputs: `slant score` on the demo corpus and on a generated corpus, per backend,
//! must give exactly the bytes recorded in `tests/golden/digests.txt` (CSV files byte for
//! byte; run.json with its timing and the machine-specific model path left out).
//!
//! The digests were recorded before the pipeline was restructured into stages (re-recorded once,
//! when aggregates began to be computed from the scores as written: see the git log), so it
//! holds the restructure to "nothing changes for users". Probabilities are f32 arithmetic:
//! a processor with other vector units may round a last bit differently, which would show
//! here first: candle's digests are therefore kept per class of vector unit
//! and processor maker (`candle@amd-avx512`, `candle@intel-avx512`, ...), each recorded on a machine of its class, while ONNX
//! Runtime's agree across them. To re-record after an intended change: `SLANT_UPDATE_GOLDEN=1 cargo test
//! --release --test integration golden`, and say in the commit why the outputs changed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use slant::schema::SCORE_TABLES as TABLES;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A deterministic corpus of real registry names in varied sentences: 160 articles from four
/// outlets over four months, with repeated wire copy, kept fields and bad records.
fn generated_corpus() -> String {
    let actors = [
        "Dina Boluarte",
        "Pedro Castillo",
        "Gustavo Petro",
        "the Boluarte government",
        "Joe Biden",
        "Donald Trump",
        "Kamala Harris",
        "Mike Pence",
        "Nancy Pelosi",
        "Mitch McConnell",
    ];
    let frames = [
        "{} was praised by supporters for a steady response to the crisis.",
        "Critics condemned {} for a brutal and corrupt record.",
        "{} met regional leaders on Tuesday to discuss the budget.",
        "Protesters blamed {} for the deaths in the south.",
        "Analysts said {} had defended the reform with unusual skill.",
        "In a statement, {} denounced what it called a failed policy.",
        "{} welcomed the ruling, calling it a success for the country.",
        "Lawmakers accused {} of lying about the deal.",
    ];
    let filler = [
        "Markets were calm in the morning.",
        "The weather in the capital stayed dry.",
        "Officials gave no further details.",
        "The vote is expected next week.",
    ];
    let wire = "Thousands marched in Lima as Dina Boluarte faced calls to resign.";
    let outlets = ["North Post", "South Ledger", "East Courier", "West Signal"];
    let mut state: u64 = 20230329;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut lines = Vec::new();
    for i in 0..160 {
        let outlet = outlets[i % outlets.len()];
        let mut sentences = Vec::new();
        for _ in 0..(3 + next(5)) {
            let actor = actors[next(actors.len())];
            let frame = frames[next(frames.len())];
            let mut sentence = frame.replace("{}", actor);
            if next(4) == 0 {
                // Two actors in one sentence: the stance must be read per target.
                let other = actors[next(actors.len())];
                sentence = format!(
                    "{} while {other} stayed silent.",
                    &sentence[..sentence.len() - 1]
                );
            }
            sentences.push(sentence);
            if next(3) == 0 {
                sentences.push(filler[next(filler.len())].to_string());
            }
        }
        if i % 5 == 0 {
            sentences.push(wire.to_string());
        }
        let text = sentences.join(" ");
        let date = format!("2023-0{}-{:02}", 1 + i % 4, 1 + i % 28);
        let id = format!("g{i:04}");
        lines.push(
            serde_json::json!({"id": id, "outlet": outlet, "date": date, "title": format!("Story {i}"),
                "url": format!("https://example.org/{i}"), "text": text})
            .to_string(),
        );
        match i {
            40 => lines.push("{\"id\": \"broken\", \"outlet\": ".to_string()),
            80 => lines.push(
                serde_json::json!({"id": "g0001", "outlet": outlet, "text": "Duplicate."})
                    .to_string(),
            ),
            120 => lines.push(
                serde_json::json!({"id": "g-empty", "outlet": outlet, "text": ""}).to_string(),
            ),
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// Runs `slant score` in `cwd` on `input` (relative to `cwd`) into `out`.
fn score(cwd: &Path, input: &str, out: &Path, backend: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_slant"))
        .current_dir(cwd)
        .args(["--quiet", "score", input, "--keep-fields", "url"])
        .arg("--actors")
        .arg(root().join("datasets/actors/peru.csv"))
        .arg("--actors")
        .arg(root().join("datasets/actors/us.csv"))
        .args(["--axis", "left,right", "--axis", "opposition,government"])
        .args(["--chunk-size", "16", "--backend", backend])
        .arg("--model")
        .arg(root().join("models/minilm-stance"))
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "slant score {input} --backend {backend}");
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// run.json without what differs between machines and runs: the time taken, the model's and
/// registries' absolute paths (their checksums stay).
fn normalized_manifest(path: &Path) -> String {
    let mut run: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let object = run.as_object_mut().unwrap();
    object.remove("seconds");
    object["model"].as_object_mut().unwrap().remove("path");
    for registry in object["registry"].as_array_mut().unwrap() {
        registry.as_object_mut().unwrap().remove("path");
    }
    // serde_json's map is ordered by key, so this is a canonical form.
    serde_json::to_string(&run).unwrap()
}

fn digests(corpus: &str, backend: &str, out: &Path, into: &mut BTreeMap<String, String>) {
    for table in TABLES {
        let bytes = std::fs::read(out.join(table)).unwrap();
        into.insert(format!("{corpus} {backend} {table}"), sha256(&bytes));
    }
    let manifest = normalized_manifest(&out.join("run.json"));
    into.insert(
        format!("{corpus} {backend} run.json"),
        sha256(manifest.as_bytes()),
    );
}

fn check_backends(backends: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("generated.jsonl"), generated_corpus()).unwrap();
    let mut actual = BTreeMap::new();
    for &backend in backends {
        let label = if backend == "candle" {
            format!("candle@{}", vector_unit())
        } else {
            backend.to_string()
        };
        let demo = dir.path().join(format!("demo-{backend}"));
        score(root(), "datasets/demo/articles.jsonl", &demo, backend);
        digests("demo", &label, &demo, &mut actual);
        let generated = dir.path().join(format!("generated-{backend}"));
        score(dir.path(), "generated.jsonl", &generated, backend);
        digests("generated", &label, &generated, &mut actual);
    }
    let file: PathBuf = root().join("tests/golden/digests.txt");
    let mut recorded: BTreeMap<String, String> = std::fs::read_to_string(&file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if std::env::var_os("SLANT_UPDATE_GOLDEN").is_some() {
        recorded.extend(actual);
        let mut text =
            String::from("# corpus backend file sha256 (see tests/integration/golden.rs)\n");
        for (key, digest) in &recorded {
            let _ = writeln!(text, "{key} {digest}");
        }
        std::fs::write(&file, text).unwrap();
        return;
    }
    let mut differences = Vec::new();
    for (key, digest) in &actual {
        match recorded.get(key) {
            Some(expected) if expected == digest => {}
            Some(_) => differences.push(format!("{key}: output differs from the recorded one")),
            None => differences.push(format!(
                "{key}: no recorded digest (on a machine of this class, after checking the \
                 outputs: SLANT_UPDATE_GOLDEN=1 cargo test --release --test integration golden)"
            )),
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// The processor's maker and widest vector unit, which decide how candle's f32 kernels round
/// (an AMD EPYC with AVX-512 and an Intel Xeon with AVX-512 and AMX already differ).
fn vector_unit() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        // cpuid leaf 0 (the maker's name) exists on every x86-64 processor.
        let id = std::arch::x86_64::__cpuid(0);
        let vendor: Vec<u8> = [id.ebx, id.edx, id.ecx]
            .iter()
            .flat_map(|r| r.to_le_bytes())
            .collect();
        let maker = match &vendor[..] {
            b"GenuineIntel" => "intel",
            b"AuthenticAMD" => "amd",
            _ => "x86",
        };
        let unit = if std::arch::is_x86_feature_detected!("avx512f") {
            "avx512"
        } else if std::arch::is_x86_feature_detected!("avx2") {
            "avx2"
        } else {
            "sse"
        };
        return format!("{maker}-{unit}");
    }
    #[allow(unreachable_code)]
    std::env::consts::ARCH.to_string()
}

fn outputs_match_the_golden_digests_on_candle() {
    check_backends(&["candle"]);
}

fn outputs_match_the_golden_digests_on_onnx_runtime() {
    check_backends(&["ort", "ort-int8"]);
}

crate::trials! {
    outputs_match_the_golden_digests_on_candle,
    outputs_match_the_golden_digests_on_onnx_runtime: [crate::common::Need::Runtime],
}
