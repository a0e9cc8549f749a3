//! The stance classifier on ONNX Runtime: an exporter that writes the trained model as an ONNX
//! graph (no Python involved) and a `StanceModel` that runs it.

pub mod export;
pub mod proto;
pub mod runtime;

pub use export::{export, GraphOutput, Precision};
pub use runtime::{library_path, open_session, OrtClassifier, Sessions, FETCH_COMMAND};
