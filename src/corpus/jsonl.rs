//! JSONL input: one JSON object per line; blank lines are skipped.

use std::io::{self, BufRead, BufReader, Read};

use serde_json::Value;

use super::{article_from, encoding, reject, FieldMap, Record};

pub(super) fn next_line(
    reader: &mut BufReader<Box<dyn Read>>,
    line: &mut u64,
    file: &str,
    fields: &FieldMap,
) -> io::Result<Option<Record>> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
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
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Ok(Some(reject(file, *line, "", format!("invalid JSON: {e}")))),
    };
    let Value::Object(object) = value else {
        return Ok(Some(reject(file, *line, "", "not a JSON object")));
    };
    // Numeric ids, dates and kept fields are common and unambiguous; a number where words
    // belong (text, outlet, title) is a broken record, not something to score.
    let words = [&fields.text, &fields.outlet, &fields.title];
    let get = |name: &str| -> Result<Option<String>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if !words.iter().any(|w| *w == name) => Ok(Some(n.to_string())),
            Some(other) => Err(format!(
                "field {name:?} is {}, expected a string",
                kind_of(other)
            )),
        }
    };
    Ok(Some(article_from(&get, fields, file, *line)))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
