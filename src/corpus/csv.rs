//! CSV input: a header row naming the fields, one article per row.
//!
//! Rows are cut out of the stream here, by line, before the csv crate parses each one: a
//! quoted field may span lines (paragraphs of an article), but a quote that never closes
//! where the row should end would otherwise swallow every row after it. Such a row is
//! rejected on its first line and reading goes on at the next line.

use std::collections::VecDeque;
use std::io::{self, BufReader, Read};

use super::lines::Lines;
use super::{article_from, encoding, reject, FieldMap, Record};

/// Most lines one row may span: far more than any article's paragraphs, far fewer than a
/// corpus swallowed by a stray quote.
const MAX_ROW_LINES: usize = 10_000;

pub(super) struct CsvRows {
    lines: Lines<BufReader<Box<dyn Read>>>,
    /// Lines read ahead and given back (a rejected row's lines after its first).
    pending: VecDeque<Vec<u8>>,
    /// The number of the next line to hand out.
    line: u64,
    header: Option<::csv::ByteRecord>,
    /// The header could not be read: the file yields nothing more.
    failed: bool,
}

impl CsvRows {
    pub fn new(reader: BufReader<Box<dyn Read>>) -> Self {
        Self {
            lines: Lines::new(reader),
            pending: VecDeque::new(),
            line: 0,
            header: None,
            failed: false,
        }
    }

    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        if let Some(line) = self.pending.pop_front() {
            self.line += 1;
            return Ok(Some(line));
        }
        let mut buf = Vec::new();
        if self.lines.read_line(&mut buf)? == 0 {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(buf))
    }

    /// The next row's lines (joined) and its first line's number; `closed` is false when
    /// a quoted field was still open where the input or the line limit ended.
    fn next_row(&mut self) -> io::Result<Option<Row>> {
        loop {
            let Some(first) = self.next_line()? else {
                return Ok(None);
            };
            if first.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let start = self.line;
            let mut lines = vec![first];
            let mut quotes = QuoteState::default();
            quotes.scan(&lines[0]);
            while quotes.open && lines.len() < MAX_ROW_LINES {
                match self.next_line()? {
                    Some(line) => {
                        quotes.scan(&line);
                        lines.push(line);
                    }
                    None => break,
                }
            }
            return Ok(Some(Row {
                start,
                closed: !quotes.open,
                lines,
            }));
        }
    }

    /// Gives back all lines of `row` but its first, to be read again as rows of their own.
    fn give_back(&mut self, row: Row) {
        self.line -= row.lines.len() as u64 - 1;
        for line in row.lines.into_iter().skip(1).rev() {
            self.pending.push_front(line);
        }
    }
}

struct Row {
    start: u64,
    closed: bool,
    lines: Vec<Vec<u8>>,
}

/// Where RFC 4180 quoting stands after the bytes seen so far: a quote opens a field only at
/// its start, `""` inside is a literal quote.
#[derive(Default)]
struct QuoteState {
    open: bool,
    at_field_start: bool,
    /// A quote inside an open field, which closes it unless the next byte is another quote.
    pending_quote: bool,
}

impl QuoteState {
    fn scan(&mut self, line: &[u8]) {
        if !self.open {
            self.at_field_start = true;
        }
        for &b in line {
            if self.open {
                if self.pending_quote {
                    self.pending_quote = false;
                    if b == b'"' {
                        continue;
                    }
                    self.open = false;
                } else if b == b'"' {
                    self.pending_quote = true;
                    continue;
                } else {
                    continue;
                }
            }
            match b {
                b'"' if self.at_field_start => {
                    self.open = true;
                    self.at_field_start = false;
                }
                b',' | b'\n' => self.at_field_start = true,
                b'\r' => {}
                _ => self.at_field_start = false,
            }
        }
        if self.pending_quote {
            // The line ended right after a quote: that quote closed the field.
            self.pending_quote = false;
            self.open = false;
        }
    }
}

fn parse(lines: &[Vec<u8>]) -> Result<::csv::ByteRecord, ::csv::Error> {
    let bytes = lines.concat();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut record = ::csv::ByteRecord::new();
    reader.read_byte_record(&mut record)?;
    Ok(record)
}

pub(super) fn next_csv(
    rows: &mut CsvRows,
    file: &str,
    fields: &FieldMap,
) -> io::Result<Option<Record>> {
    if rows.failed {
        return Ok(None);
    }
    let headers = match &rows.header {
        Some(h) => h.clone(),
        None => {
            let header = match rows.next_row()? {
                None => return Ok(None),
                Some(row) if !row.closed => Err("a quoted name does not close".to_string()),
                Some(row) => parse(&row.lines).map_err(|e| e.to_string()),
            };
            match header {
                Ok(h) => {
                    rows.header = Some(h.clone());
                    h
                }
                Err(e) => {
                    rows.failed = true;
                    return Ok(Some(reject(
                        file,
                        1,
                        "",
                        format!("unreadable CSV header: {e}"),
                    )));
                }
            }
        }
    };
    let Some(row) = rows.next_row()? else {
        return Ok(None);
    };
    let line = row.start;
    let record = match parse(&row.lines) {
        Ok(record) => record,
        Err(e) => {
            return match e.into_kind() {
                ::csv::ErrorKind::Io(io) => Err(io),
                other => Ok(Some(reject(
                    file,
                    line,
                    "",
                    format!("malformed CSV: {other:?}"),
                ))),
            }
        }
    };
    if record.len() != headers.len() || !row.closed {
        let spans = row.lines.len();
        let reason = if spans > 1 && (!row.closed || record.len() != headers.len()) {
            // The rows after it are read again on their own.
            rows.give_back(row);
            format!(
                "a quoted field opened on this line does not close where the row should end \
                 (it would run over {} lines); the next line is read as the next row",
                spans
            )
        } else {
            format!("{} fields, the header has {}", record.len(), headers.len())
        };
        return Ok(Some(reject(file, line, "", reason)));
    }
    let get = |name: &str| -> Result<Option<String>, String> {
        let Some(i) = headers.iter().position(|h| h == name.as_bytes()) else {
            return Ok(None);
        };
        let raw = record.get(i).unwrap_or(b"");
        String::from_utf8(raw.to_vec()).map(Some).map_err(|e| {
            format!(
                "field {name:?}: {}",
                encoding::invalid_utf8(e.utf8_error().valid_up_to())
            )
        })
    };
    Ok(Some(article_from(&get, fields, file, line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u64, bool, usize)> {
        let reader: Box<dyn Read> = Box::new(io::Cursor::new(text.as_bytes().to_vec()));
        let mut rows = CsvRows::new(BufReader::new(reader));
        let mut out = Vec::new();
        while let Some(row) = rows.next_row().unwrap() {
            out.push((row.start, row.closed, row.lines.len()));
        }
        out
    }

    #[test]
    fn quoted_fields_span_lines_and_escaped_quotes_stay_inside() {
        let text = "a,b\n1,\"two\nlines\"\n2,\"say \"\"hi\"\"\"\n3,5\" screen\n";
        assert_eq!(
            rows(text),
            [(1, true, 1), (2, true, 2), (4, true, 1), (5, true, 1)]
        );
    }

    #[test]
    fn a_quote_that_never_closes_is_seen() {
        assert_eq!(rows("a,b\n1,\"open\n2,x\n"), [(1, true, 1), (2, false, 2)]);
    }
}
