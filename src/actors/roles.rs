//! Dated roles: who "the president" of Peru, "the White House" or "the speaker" is on an
//! article's date.
//!
//! CSV with the header `role,actor_id,from,to` and optionally `qualifiers`: `role` is the
//! phrase as news writes it after "the" ("president", "White House", "secretary of state");
//! `from` and `to` are ISO dates (`YYYY-MM-DD`), either empty for an open end (both empty: a
//! role held throughout, such as a party's leader when the period does not matter);
//! `qualifiers` (separated by `|`) are the words that say whose role it is ("Peruvian|Peru's|
//! Peru"), so that "the Colombian president" is not Peru's. A holder's last day and the next
//! one's first may be the same day (a handover): that day the role is ambiguous and resolves
//! only to a holder the article names.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::registry::{csv_reader, Origin};

/// A calendar day as `YYYYMMDD`, so that days order as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    /// The day an ISO date or timestamp starts with (`2023-03-29`, `2023-03-29T10:00:00Z`).
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let date = text.get(..10)?;
        let rest = &text[10..];
        if !(rest.is_empty() || rest.starts_with(['T', ' ', 't'])) {
            return None;
        }
        let bytes = date.as_bytes();
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &date[r];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        ((1..=12).contains(&month) && (1..=31).contains(&day))
            .then_some(Day(year * 10_000 + month * 100 + day))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0 / 10_000, self.0 / 100 % 100, self.0 % 100);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// One actor's tenure in one role.
#[derive(Debug, Clone)]
pub struct Role {
    /// The role's words, lowercase, without a leading "the" (`["white", "house"]`).
    pub phrase: Vec<String>,
    /// Index into the registry's actors.
    pub actor: usize,
    pub from: Option<Day>,
    pub to: Option<Day>,
    /// Words that say whose role it is, lowercase (`peruvian`, `peru's`, `peru`).
    pub qualifiers: Vec<String>,
    pub origin: Origin,
}

impl Role {
    /// Whether the role is held on `day`.
    pub fn held_on(&self, day: Day) -> bool {
        self.from.is_none_or(|from| from <= day) && self.to.is_none_or(|to| day <= to)
    }

    /// Whether the tenure ended before `day` ("the former president").
    pub fn ended_before(&self, day: Day) -> bool {
        self.to.is_some_and(|to| to < day)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    #[error("{origin}: {message}")]
    Row { origin: Origin, message: String },
}

/// Every role tenure of the registry, in file order.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    pub tenures: Vec<Role>,
}

const COLUMNS: [&str; 4] = ["role", "actor_id", "from", "to"];

/// Lowercase words of a role phrase or qualifier, with curly apostrophes made straight.
pub fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

impl Roles {
    /// The roles in the CSV `bytes` read from `path`; `ids` maps actor ids to their index.
    pub fn parse(
        path: &Path,
        bytes: &[u8],
        ids: &HashMap<&str, usize>,
    ) -> Result<Roles, RolesError> {
        let origin = Origin::in_file(path);
        let mut reader = csv_reader(bytes);
        let header_error = |message: String| RolesError::Row {
            origin: origin(1),
            message,
        };
        let headers = reader
            .headers()
            .map_err(|e| header_error(e.to_string()))?
            .clone();
        let position = |name: &str| headers.iter().position(|h| h.trim() == name);
        let [role_col, actor_col, from_col, to_col] = COLUMNS.map(|name| {
            position(name).ok_or_else(|| {
                header_error(format!(
                    "no {name:?} column (a roles file's header names {}, and optionally qualifiers)",
                    COLUMNS.join(",")
                ))
            })
        });
        let (role_col, actor_col, from_col, to_col) = (role_col?, actor_col?, from_col?, to_col?);
        let qualifiers_col = position("qualifiers");
        let mut tenures = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| RolesError::Row {
                origin: origin(e.position().map_or(0, |p| p.line())),
                message: e.to_string(),
            })?;
            let here = origin(record.position().map_or(0, |p| p.line()));
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            let row_error = |message: String| RolesError::Row {
                origin: here.clone(),
                message,
            };
            let mut phrase = words_of(field(role_col));
            if phrase.first().is_some_and(|w| w == "the") {
                phrase.remove(0);
            }
            if phrase.is_empty() {
                return Err(row_error("role must not be empty".into()));
            }
            let id = field(actor_col);
            let actor = *ids.get(id).ok_or_else(|| {
                row_error(format!("actor_id {id:?} is not an actor of the registry"))
            })?;
            let day = |col: usize, name: &str| -> Result<Option<Day>, RolesError> {
                let text = field(col);
                if text.is_empty() {
                    return Ok(None);
                }
                Day::parse(text)
                    .map(Some)
                    .ok_or_else(|| row_error(format!("{name} {text:?} is not a date (YYYY-MM-DD)")))
            };
            let (from, to) = (day(from_col, "from")?, day(to_col, "to")?);
            if let (Some(from), Some(to)) = (from, to) {
                if to < from {
                    return Err(row_error(format!("to {to} is before from {from}")));
                }
            }
            let qualifiers = qualifiers_col
                .map(|col| {
                    field(col)
                        .split('|')
                        .map(str::trim)
                        .filter(|q| !q.is_empty())
                        .map(|q| words_of(q).join(" "))
                        .collect()
                })
                .unwrap_or_default();
            tenures.push(Role {
                phrase,
                actor,
                from,
                to,
                qualifiers,
                origin: here,
            });
        }
        Ok(Roles { tenures })
    }

    pub fn extend(&mut self, other: Roles) {
        self.tenures.extend(other.tenures);
    }

    pub fn is_empty(&self) -> bool {
        self.tenures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(csv: &str) -> Result<Roles, RolesError> {
        let ids = HashMap::from([("castillo", 0), ("boluarte", 1)]);
        Roles::parse(Path::new("r.csv"), csv.as_bytes(), &ids)
    }

    #[test]
    fn days_parse_order_and_print() {
        assert_eq!(
            Day::parse("2022-12-07").map(|d| d.to_string()).as_deref(),
            Some("2022-12-07")
        );
        assert!(Day::parse("2022-12-07T10:00:00Z") > Day::parse("2022-12-06"));
        for bad in [
            "2022-13-01",
            "2022/12/07",
            "07-12-2022",
            "2022-12-7",
            "",
            "2022-12-07x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_handover_day_has_two_holders() {
        let r = roles(
            "role,actor_id,from,to,qualifiers\n\
             the president,castillo,2021-07-28,2022-12-07,Peruvian|Peru's\n\
             President,boluarte,2022-12-07,,Peruvian|Peru’s\n",
        )
        .unwrap();
        let holders = |day: &str| -> Vec<usize> {
            let day = Day::parse(day).unwrap();
            r.tenures
                .iter()
                .filter(|t| t.held_on(day))
                .map(|t| t.actor)
                .collect()
        };
        assert_eq!(holders("2022-01-01"), [0]);
        assert_eq!(holders("2022-12-07"), [0, 1]);
        assert_eq!(holders("2023-03-29"), [1]);
        assert_eq!(r.tenures[1].phrase, ["president"]);
        assert_eq!(r.tenures[1].qualifiers, ["peruvian", "peru's"]);
        assert!(r.tenures[0].ended_before(Day::parse("2023-01-01").unwrap()));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = |csv: &str| roles(csv).unwrap_err().to_string();
        assert_eq!(
            err("role,actor_id,from,to\npresident,nobody,,\n"),
            "r.csv:2: actor_id \"nobody\" is not an actor of the registry"
        );
        assert_eq!(
            err("role,actor_id,from,to\npresident,castillo,2022-12-7,\n"),
            "r.csv:2: from \"2022-12-7\" is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            err("role,actor_id,from,to\npresident,castillo,2023-01-01,2022-01-01\n"),
            "r.csv:2: to 2022-01-01 is before from 2023-01-01"
        );
        assert!(err("role,actor,from,to\n").contains("no \"actor_id\" column"));
    }
}
