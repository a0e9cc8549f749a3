//! Without the ONNX Runtime library, `auto` falls back to candle and says how to fetch it, and
//! asking for ONNX Runtime explicitly is an error that says the same. (Its own test binary:
//! it sets `ORT_DYLIB_PATH` for the whole process.)

use std::path::Path;

use slant::stance::backend::{self, Backend};
use slant::stance::onnx::{Precision, FETCH_COMMAND};

#[test]
fn a_missing_runtime_falls_back_to_candle_and_says_how_to_fetch_it() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var(
        "ORT_DYLIB_PATH",
        dir.path().join("no-such-libonnxruntime.so"),
    );
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/minilm-stance");

    let loaded = backend::load(&model, Backend::Auto, 1).unwrap();
    assert_eq!(loaded.backend, "candle-f32");
    let note = loaded.fallback.expect("the fallback is announced");
    assert!(
        note.contains(FETCH_COMMAND) && note.contains("no-such-libonnxruntime.so"),
        "{note}"
    );

    let err = backend::load(&model, Backend::Ort(Precision::F32), 1)
        .err()
        .expect("explicit ONNX Runtime without the library fails");
    let text = err.to_string();
    assert!(
        text.contains(FETCH_COMMAND) && text.contains("ORT_DYLIB_PATH"),
        "{text}"
    );
}
