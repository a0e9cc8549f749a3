//! JSONL input: one JSON object per line; blank lines are skipped.

use std::io::{self, BufReader, Read};

use std::collections::HashMap;

use serde_json::value::RawValue;

use super::lines::Lines;
use super::{article_from, encoding, reject, FieldMap, Record};

pub(super) fn next_line(
    reader: &mut Lines<BufReader<Box<dyn Read>>>,
    line: &mut u64,
    file: &str,
    fields: &FieldMap,
) -> io::Result<Option<Record>> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_line(&mut buf)? == 0 {
            return Ok(None);
        }
        *line += 1;
        if !buf.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    let text = match std::str::from_utf8(&buf) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Some(reject(
                file,
                *line,
                "",
                encoding::invalid_utf8(e.valid_up_to()),
            )))
        }
    };
    // Fields are kept as written: a numeric id's digits must survive exactly
    // (`12345678901234567890123` is no float, and `1e2` is not `100.0`).
    let object: HashMap<String, &RawValue> = match serde_json::from_str::<&RawValue>(text) {
        Err(e) => return Ok(Some(reject(file, *line, "", format!("invalid JSON: {e}")))),
        Ok(raw) if !raw.get().trim_start().starts_with('{') => {
            return Ok(Some(reject(file, *line, "", "not a JSON object")))
        }
        Ok(raw) => match serde_json::from_str(raw.get()) {
            Ok(object) => object,
            Err(e) => return Ok(Some(reject(file, *line, "", format!("invalid JSON: {e}")))),
        },
    };
    // Numeric ids, dates and kept fields are common and unambiguous; a number where words
    // belong (text, outlet, title) is a broken record, not something to score.
    let words = [&fields.text, &fields.outlet, &fields.title];
    let get = |name: &str| -> Result<Option<String>, String> {
        let Some(raw) = object.get(name) else {
            return Ok(None);
        };
        match Kind::of(raw.get()) {
            Kind::Null => Ok(None),
            Kind::String => serde_json::from_str(raw.get())
                .map(Some)
                .map_err(|e| format!("field {name:?}: {e}")),
            Kind::Number if !words.iter().any(|w| *w == name) => Ok(Some(raw.get().to_string())),
            other => Err(format!(
                "field {name:?} is {}, expected a string",
                other.name()
            )),
        }
    };
    Ok(Some(article_from(&get, fields, file, *line)))
}

/// What a JSON value is, told by its first character (the value is valid JSON).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(raw: &str) -> Kind {
        match raw.trim_start().as_bytes().first() {
            Some(b'n') => Kind::Null,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'"') => Kind::String,
            Some(b'[') => Kind::Array,
            Some(b'{') => Kind::Object,
            _ => Kind::Number,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}
