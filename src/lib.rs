//! slant: how news coverage frames political actors.
//!
//! The stages are modules; the `slant` binary is a thin command line over them.

pub mod fetch;
pub mod stance;
