//! Which articles a shard of a sharded run scores.
//!
//! Article `id` belongs to shard `K` of `N` when the first eight bytes of SHA-256 of the id's
//! UTF-8 bytes, read as a big-endian unsigned integer, leave `K` modulo `N`. The rule depends
//! on nothing but the id: not on the platform, the input order or the other records, so the
//! same id (a duplicate included) always lands in the same shard. Shards count from 0, as
//! Spark partitions, Kubernetes completion indexes and `seq 0 $((N-1))` do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The shard of `count` that `id` belongs to.
    pub fn of(id: &str, count: u32) -> u32 {
        let key = super::id_key(id);
        let mut high = [0u8; 8];
        high.copy_from_slice(&key[..8]);
        (u64::from_be_bytes(high) % u64::from(count.max(1))) as u32
    }

    pub fn owns(&self, id: &str) -> bool {
        Self::of(id, self.count) == self.index
    }

    /// Whether this shard lists a rejected record: the shard of its id when it has one (so a
    /// duplicate id is listed by the shard that scores the first), else shard 0.
    pub fn lists_reject(&self, id: &str) -> bool {
        if id.is_empty() {
            self.index == 0
        } else {
            self.owns(id)
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("--shard {0:?}: expected K/N with N >= 1 and 0 <= K < N (shards count from 0)")]
pub struct ShardError(String);

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_from_zero() {
        assert_eq!("2/7".parse(), Ok(Shard { index: 2, count: 7 }));
        for bad in ["7/7", "1/0", "-1/3", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_hash_is_the_documented_one() {
        // SHA-256("a") starts ca978112ca1bbdca = 14598278634844962250.
        assert_eq!(
            Shard::of("a", u32::MAX),
            (14598278634844962250u64 % u64::from(u32::MAX)) as u32
        );
        assert_eq!(Shard::of("a", 7), (14598278634844962250u64 % 7) as u32);
    }

    #[test]
    fn every_id_has_exactly_one_shard() {
        for id in ["a", "b", "article-17", "ñandú", ""] {
            let owners = (0..5)
                .filter(|&index| Shard { index, count: 5 }.owns(id))
                .count();
            assert_eq!(owners, 1, "{id}");
        }
    }
}
