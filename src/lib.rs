//! slant: how news coverage frames political actors.
//!
//! The pipeline's stages are modules, data flowing one way:
//! `corpus` (articles in) → `text` (sentences) → `actors` (mentions) → `stance` (framing of
//! each mention) → `aggregate` (actor, article, outlet scores) → `output` (CSV, manifest).
//! `pipeline` wires them; the `slant` binary is a thin command line over the library.

pub mod actors;
pub mod aggregate;
pub mod compare;
pub mod corpus;
pub mod fetch;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod stance;
pub mod stats;
pub mod text;
