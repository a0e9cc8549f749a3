#![no_main]
//! The jsonl reader on arbitrary bytes: every record is an article or a reject, never a panic.
use libfuzzer_sys::fuzz_target;
use slant::corpus::{FieldMap, Format, Reader, Record};

#[path = "common.rs"]
mod common;

fuzz_target!(|bytes: &[u8]| {
    let path = common::file("input.jsonl", bytes);
    for record in Reader::new(vec![(path, Format::Jsonl)], FieldMap::default()) {
        if let Ok(Record::Article(a)) = record {
            assert!(!a.text.trim().is_empty() && !a.id.is_empty() && !a.outlet.is_empty());
        }
    }
});
