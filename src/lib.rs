//! slant: how news coverage frames political actors.
//!
//! The pipeline's stages are modules, data flowing one way:
//! `corpus` (articles in) → `text` (sentences) → `actors` (mentions) → `annotate` (facts about
//! mentions) → `stance` (framing of each mention) → `aggregate` (actor, article, outlet
//! numbers) → `schema` (the output tables and run.json). `score` is the driver that chains
//! them; `compare` and `report` read a run back through `schema`; `util` holds the one digest
//! and the one atomic write. The `slant` binary (`main.rs`, `cli/`) is a thin command line.

pub mod actors;
pub mod aggregate;
pub mod annotate;
pub mod compare;
pub mod corpus;
pub mod fetch;
pub mod report;
pub mod schema;
pub mod score;
pub mod stance;
pub mod stats;
pub mod stories;
pub mod text;
pub mod util;

#[cfg(test)]
mod properties;
