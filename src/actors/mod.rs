//! Actors: the registry of who to look for, finding their mentions in articles, and
//! discovering names the registry does not cover yet.

pub mod discover;
pub mod matcher;
pub mod registry;

pub use matcher::{Form, Matcher, Mention};
pub use registry::{Actor, Kind, Registry, RegistryError};
