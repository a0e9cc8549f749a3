//! Without the ONNX Runtime library, `auto` fetches it on first use (unless offline), falls
//! back to candle when it cannot and says how to fetch it; asking for ONNX Runtime explicitly
//! is an error that says the same. (Run as child processes: they set `ORT_DYLIB_PATH` and
//! `SLANT_CACHE`, which would reach every test sharing this process.)

use std::path::Path;
use std::process::Command;

use slant::stance::onnx::FETCH_COMMAND;

fn eval_with_missing_runtime(backend: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_slant"))
        .env(
            "ORT_DYLIB_PATH",
            dir.path().join("no-such-libonnxruntime.so"),
        )
        .args(["eval", "--backend", backend, "--model"])
        .arg(root.join("models/minilm-stance"))
        .arg(root.join("datasets/stance/examples.jsonl"))
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn a_missing_runtime_falls_back_to_candle_and_says_how_to_fetch_it() {
    let (ok, stderr) = eval_with_missing_runtime("auto");
    assert!(ok, "{stderr}");
    assert!(stderr.contains("candle-f32"), "{stderr}");
    assert!(
        stderr.contains(FETCH_COMMAND) && stderr.contains("no-such-libonnxruntime.so"),
        "the fallback is announced: {stderr}"
    );

    let (ok, stderr) = eval_with_missing_runtime("ort");
    assert!(!ok, "explicit ONNX Runtime without the library fails");
    assert!(
        stderr.contains(FETCH_COMMAND) && stderr.contains("ORT_DYLIB_PATH"),
        "{stderr}"
    );
}

/// `slant eval` of the examples on `auto` with an empty cache and no `ORT_DYLIB_PATH`; pip
/// finds wheels only in `wheels` (no index: nothing leaves the machine).
fn eval_with_empty_cache(cache: &Path, wheels: &Path, offline: bool) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_slant"));
    command
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("SLANT_OFFLINE")
        .env("SLANT_CACHE", cache)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", wheels)
        .args(["eval", "--model"])
        .arg(root.join("models/minilm-stance"))
        .arg(root.join("datasets/stance/examples.jsonl"));
    if offline {
        command.env("SLANT_OFFLINE", "1");
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn auto_fetches_the_runtime_on_first_use() {
    let cache = tempfile::tempdir().unwrap();
    let wheel = crate::common::runtime_wheel().unwrap();
    let wheels = wheel.parent().unwrap();
    let (ok, stderr) = eval_with_empty_cache(cache.path(), wheels, false);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("fetching ONNX Runtime") && stderr.contains("onnxruntime-int8"),
        "first use fetches and runs int8: {stderr}"
    );
    let (ok, stderr) = eval_with_empty_cache(cache.path(), wheels, false);
    assert!(ok, "{stderr}");
    assert!(
        !stderr.contains("fetching") && stderr.contains("onnxruntime-int8"),
        "once fetched, it is used: {stderr}"
    );
}

fn offline_or_a_failed_fetch_scores_with_candle() {
    let cache = tempfile::tempdir().unwrap();
    let no_wheels = tempfile::tempdir().unwrap();
    let (ok, stderr) = eval_with_empty_cache(cache.path(), no_wheels.path(), true);
    assert!(ok, "{stderr}");
    assert!(
        !stderr.contains("fetching") && stderr.contains("candle-f32"),
        "offline: no fetch, candle: {stderr}"
    );
    let (ok, stderr) = eval_with_empty_cache(cache.path(), no_wheels.path(), false);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("could not fetch ONNX Runtime")
            && stderr.contains("candle-f32")
            && stderr.contains(FETCH_COMMAND),
        "a failed fetch is a note, and candle runs: {stderr}"
    );
}

crate::trials! {
    a_missing_runtime_falls_back_to_candle_and_says_how_to_fetch_it,
    auto_fetches_the_runtime_on_first_use: [crate::common::Need::RuntimeWheel],
    offline_or_a_failed_fetch_scores_with_candle,
}
