//! Actors: the registry of who to look for, finding their mentions in articles, and
//! discovering names the registry does not cover yet.

pub mod discover;
pub mod folding;
pub mod matcher;
pub mod registry;
pub mod roles;

pub use matcher::{Form, Matcher, Mention};
pub use registry::{Actor, Gender, Kind, Registry, RegistryError};
pub use roles::{Day, Role, Roles};
