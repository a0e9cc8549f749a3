//! Without the ONNX Runtime library, `auto` falls back to candle and says how to fetch it, and
//! asking for ONNX Runtime explicitly is an error that says the same. (Run as a child process:
//! it sets `ORT_DYLIB_PATH`, which would reach every test sharing this process.)

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

crate::trials! {
    a_missing_runtime_falls_back_to_candle_and_says_how_to_fetch_it,
}
