//! CSV input: a header row naming the fields, one article per row.

use std::io::{self, Read};

use super::{article_from, reject, FieldMap, Record};
use crate::util::HashingReader;

pub(super) fn next_csv(
    reader: &mut ::csv::Reader<HashingReader<Box<dyn Read>>>,
    record: &mut ::csv::ByteRecord,
    failed: &mut bool,
    file: &str,
    fields: &FieldMap,
) -> io::Result<Option<Record>> {
    // A header that cannot be read is one reject, and nothing more is read from the file.
    if *failed {
        return Ok(None);
    }
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            *failed = true;
            return Ok(Some(reject(
                file,
                1,
                "",
                format!("unreadable CSV header: {e}"),
            )));
        }
    };
    match reader.read_byte_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != headers.len() {
                return Ok(Some(reject(
                    file,
                    line,
                    "",
                    format!("{} fields, the header has {}", record.len(), headers.len()),
                )));
            }
            let get = |name: &str| -> Result<Option<String>, String> {
                let Some(i) = headers.iter().position(|h| h == name.as_bytes()) else {
                    return Ok(None);
                };
                let raw = record.get(i).unwrap_or(b"");
                String::from_utf8(raw.to_vec()).map(Some).map_err(|e| {
                    format!(
                        "field {name:?} is not valid UTF-8 (byte {})",
                        e.utf8_error().valid_up_to()
                    )
                })
            };
            Ok(Some(article_from(&get, fields, file, line)))
        }
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            match e.into_kind() {
                ::csv::ErrorKind::Io(io) => Err(io),
                other => Ok(Some(reject(
                    file,
                    line,
                    "",
                    format!("malformed CSV: {other:?}"),
                ))),
            }
        }
    }
}
