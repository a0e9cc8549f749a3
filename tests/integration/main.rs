//! slant's integration tests, in one binary (one link of candle, ONNX Runtime and tokenizers
//! instead of one per file). Tests that need something beyond the checkout (`../shared`, the
//! ONNX Runtime library, the fetched base encoder) are reported as ignored, with what to run,
//! when it is missing: a green run says how much it checked.

mod backend_fallback;
mod bad_input;
mod common;
mod compare_report;
mod fetch;
mod golden;
mod installed;
mod mpnet;
mod newsmtsc;
mod onnx;
mod references;
mod resume;
mod schema;
mod score;
mod shards;
mod stance_encoding;
mod stance_model;
mod stories;
mod voices;

fn main() {
    // No test downloads anything by accident: `--backend auto` would fetch ONNX Runtime on
    // first use in every slant the tests start. The tests of that fetch remove this.
    std::env::set_var("SLANT_OFFLINE", "1");
    let args = libtest_mimic::Arguments::from_args();
    let trials: Vec<libtest_mimic::Trial> = [
        backend_fallback::trials(),
        bad_input::trials(),
        compare_report::trials(),
        fetch::trials(),
        golden::trials(),
        installed::trials(),
        mpnet::trials(),
        newsmtsc::trials(),
        onnx::trials(),
        references::trials(),
        resume::trials(),
        schema::trials(),
        score::trials(),
        shards::trials(),
        stories::trials(),
        stance_encoding::trials(),
        stance_model::trials(),
        voices::trials(),
    ]
    .into_iter()
    .flatten()
    .collect();
    libtest_mimic::run(&args, trials).exit();
}
