//! Reading a run's output back for people: terminal summaries.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("{path}: no column {column:?}")]
    Column { path: String, column: &'static str },
}

/// The outlets table as aligned text, most favourable framing first (outlets without a
/// framing last, by name).
pub fn outlet_summary(outlets_csv: &Path) -> Result<String, ReportError> {
    let path = outlets_csv.display().to_string();
    let csv_error = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut reader = csv::Reader::from_path(outlets_csv).map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let col = |column: &'static str| {
        headers
            .iter()
            .position(|h| h == column)
            .ok_or(ReportError::Column {
                path: path.clone(),
                column,
            })
    };
    let columns = [
        col("outlet")?,
        col("articles")?,
        col("mentions")?,
        col("framing")?,
        col("framing_low")?,
        col("framing_high")?,
    ];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        rows.push(columns.map(|i| record.get(i).unwrap_or("").to_string()));
    }
    let framing = |r: &[String; 6]| r[3].parse::<f64>().ok();
    rows.sort_by(|a, b| match (framing(a), framing(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a[0].cmp(&b[0])),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a[0].cmp(&b[0]),
    });
    let width = rows
        .iter()
        .map(|r| r[0].chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "{:<width$}  {:>8}  {:>8}  {:>9}  {:>21}\n",
        "outlet", "articles", "mentions", "framing", "95% CI"
    );
    for r in rows {
        let ci = if r[4].is_empty() {
            String::new()
        } else {
            format!("[{}, {}]", r[4], r[5])
        };
        out += &format!(
            "{:<width$}  {:>8}  {:>8}  {:>9}  {:>21}\n",
            r[0], r[1], r[2], r[3], ci
        );
    }
    Ok(out)
}
