//! The actor registry: who to look for, under which names, in which camp.
//!
//! CSV with the header `id,name,aliases,camp,kind` (`aliases` separated by `|`; `kind` one of
//! person, organization, group, place) and optionally `gender` (`male`/`female`, for persons:
//! which pronouns may refer to them). Several files combine into one registry; a duplicate
//! id or a name/alias claimed by two actors is an error that names both places.
//!
//! Dated roles ("the president" of Peru on a date) come from roles files (`roles`): each
//! registry file's sibling `NAME.roles.csv` when there is one, and any given with `--roles`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::folding::fold;
use super::roles::{Roles, RolesError};
use crate::util::sha256_hex;

fn read(path: &Path) -> Result<Vec<u8>, RegistryError> {
    fs::read(path).map_err(|source| RegistryError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Person,
    Organization,
    Group,
    Place,
}

/// Which third-person singular pronouns may refer to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    fn parse(s: &str) -> Result<Option<Gender>, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "male" | "m" => Ok(Some(Gender::Male)),
            "female" | "f" => Ok(Some(Gender::Female)),
            other => Err(format!("gender {other:?} is not male, female or empty")),
        }
    }
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" => Some(Kind::Person),
            "organization" | "organisation" => Some(Kind::Organization),
            "group" => Some(Kind::Group),
            "place" => Some(Kind::Place),
            _ => None,
        }
    }
}

/// Where a registry row came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: u64,
}

impl Origin {
    /// Places in `file`, by line.
    pub fn in_file(file: &Path) -> impl Fn(u64) -> Origin + '_ {
        move |line| Origin {
            file: file.to_path_buf(),
            line,
        }
    }
}

/// A reader of a registry or roles CSV: a header, `#` lines as comments.
pub(super) fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(bytes)
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

const SUFFIXES: [&str; 7] = ["Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"];

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub camp: String,
    pub kind: Kind,
    /// For persons, when the registry gives it: without it no he/she resolves to them.
    pub gender: Option<Gender>,
    pub origin: Origin,
}

impl Actor {
    /// The surname a person is referred to by: the last word of the name, generational
    /// suffixes (Jr., III) left aside.
    pub fn surname(&self) -> Option<&str> {
        if self.kind != Kind::Person {
            return None;
        }
        let words: Vec<&str> = self.name.split_whitespace().collect();
        let core = match words.last() {
            Some(w) if SUFFIXES.contains(&w.trim_end_matches(',')) => &words[..words.len() - 1],
            _ => &words[..],
        };
        let last = core.last()?.trim_end_matches(',');
        (core.len() > 1).then_some(last)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Row { origin: Origin, message: String },
    #[error("{second}: actor id {id:?} is already defined at {first}")]
    DuplicateId {
        id: String,
        first: Box<Origin>,
        second: Box<Origin>,
    },
    #[error("{second}: {name} names both {first_actor:?} ({first}) and {second_actor:?}; give it to one of them")]
    NameConflict {
        name: String,
        first_actor: String,
        first: Box<Origin>,
        second_actor: String,
        second: Box<Origin>,
    },
    #[error("no actors: give at least one --actors file with rows")]
    Empty,
    #[error(transparent)]
    Roles(#[from] RolesError),
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub actors: Vec<Actor>,
    /// Who held which role when ("the president" of Peru on a date).
    pub roles: Roles,
    /// Each file read and its sha256, for the run manifest.
    pub files: Vec<(PathBuf, String)>,
}

const COLUMNS: [&str; 5] = ["id", "name", "aliases", "camp", "kind"];

impl Registry {
    /// The actors of `paths`, with the roles of each one's sibling `NAME.roles.csv` (when
    /// present).
    pub fn load(paths: &[PathBuf]) -> Result<Registry, RegistryError> {
        Self::load_with_roles(paths, &[])
    }

    /// `load`, and the roles of `role_paths` too.
    pub fn load_with_roles(
        paths: &[PathBuf],
        role_paths: &[PathBuf],
    ) -> Result<Registry, RegistryError> {
        let mut registry = Registry::default();
        for path in paths {
            let bytes = read(path)?;
            registry.files.push((path.clone(), sha256_hex(&bytes)));
            registry.add_csv(path, &bytes)?;
        }
        if registry.actors.is_empty() {
            return Err(RegistryError::Empty);
        }
        registry.check_names()?;
        let siblings = paths.iter().map(|p| p.with_extension("roles.csv"));
        let present = siblings.filter(|p| p.is_file() && !role_paths.contains(p));
        for path in present
            .chain(role_paths.iter().cloned())
            .collect::<Vec<_>>()
        {
            let bytes = read(&path)?;
            registry.files.push((path.clone(), sha256_hex(&bytes)));
            let ids: HashMap<&str, usize> = registry
                .actors
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.as_str(), i))
                .collect();
            let roles = Roles::parse(&path, &bytes, &ids)?;
            registry.roles.extend(roles);
        }
        Ok(registry)
    }

    fn add_csv(&mut self, path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
        let origin = Origin::in_file(path);
        let mut reader = csv_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| RegistryError::Row {
                origin: origin(1),
                message: e.to_string(),
            })?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| RegistryError::Row {
                    origin: origin(1),
                    message: format!(
                        "no {name:?} column (the header must name {})",
                        COLUMNS.join(",")
                    ),
                })
        };
        let [id_col, name_col, aliases_col, camp_col, kind_col] = COLUMNS.map(column);
        let (id_col, name_col, aliases_col, camp_col, kind_col) =
            (id_col?, name_col?, aliases_col?, camp_col?, kind_col?);
        let gender_col = headers.iter().position(|h| h.trim() == "gender");
        let mut seen: HashMap<String, Origin> = self
            .actors
            .iter()
            .map(|a| (a.id.clone(), a.origin.clone()))
            .collect();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                RegistryError::Row {
                    origin: origin(line),
                    message: e.to_string(),
                }
            })?;
            let here = origin(record.position().map_or(0, |p| p.line()));
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let row_error = |message: String| RegistryError::Row {
                origin: here.clone(),
                message,
            };
            let id = field(id_col);
            let name = field(name_col);
            if id.is_empty() || name.is_empty() {
                return Err(row_error("id and name must not be empty".into()));
            }
            let kind_text = field(kind_col);
            let kind = Kind::parse(&kind_text).ok_or_else(|| {
                row_error(format!(
                    "kind {kind_text:?} is not person, organization, group or place"
                ))
            })?;
            let gender = match gender_col {
                Some(col) => Gender::parse(&field(col)).map_err(row_error)?,
                None => None,
            };
            if gender.is_some() && kind != Kind::Person {
                return Err(row_error(format!(
                    "gender is for persons, and {id:?} is a {}",
                    kind_text.trim().to_ascii_lowercase()
                )));
            }
            let camp = field(camp_col);
            if camp.is_empty() {
                return Err(row_error("camp must not be empty".into()));
            }
            if let Some(first) = seen.get(&id) {
                return Err(RegistryError::DuplicateId {
                    id,
                    first: Box::new(first.clone()),
                    second: Box::new(here),
                });
            }
            seen.insert(id.clone(), here.clone());
            let aliases = field(aliases_col)
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            self.actors.push(Actor {
                id,
                name,
                aliases,
                camp,
                kind,
                gender,
                origin: here,
            });
        }
        Ok(())
    }

    /// A name or alias may belong to one actor only (surnames may be shared: they are
    /// resolved per article). Names are compared as they are matched, folded: `Lopez` and
    /// `López`, or `O'Neil` and `O’Neil`, on two actors would match the same text.
    fn check_names(&self) -> Result<(), RegistryError> {
        let mut owner: HashMap<String, (&str, &Actor)> = HashMap::new();
        for actor in &self.actors {
            let mut own: Vec<(String, &str)> = std::iter::once(&actor.name)
                .chain(&actor.aliases)
                .map(|name| (fold(name), name.as_str()))
                .collect();
            own.sort_unstable();
            own.dedup_by(|a, b| a.0 == b.0);
            for (key, name) in own {
                if let Some((first_name, first)) = owner.get(&key) {
                    let name = if *first_name == name {
                        format!("{name:?}")
                    } else {
                        format!("{name:?} (matched like {first_name:?})")
                    };
                    return Err(RegistryError::NameConflict {
                        name,
                        first_actor: first.id.clone(),
                        first: Box::new(first.origin.clone()),
                        second_actor: actor.id.clone(),
                        second: Box::new(actor.origin.clone()),
                    });
                }
                owner.insert(key, (name, actor));
            }
        }
        Ok(())
    }

    /// The camps, sorted.
    pub fn camps(&self) -> Vec<String> {
        let mut camps: Vec<String> = self.actors.iter().map(|a| a.camp.clone()).collect();
        camps.sort();
        camps.dedup();
        camps
    }
}
