//! Table-driven HTML tables read from the `summary.json` document itself.
//!
//! A [`TableSpec`] names a JSON array in the document (a JSON pointer) and the
//! columns to show from each of its objects; [`table_from_json`] turns it into a
//! [`Table`]. Every numeric cell carries the JSON pointer of the number it shows and
//! its exact value (`data-ptr`, `data-v`), so a test can check every number on the
//! page against `summary.json` (see `tests/report_html.rs`).

use std::borrow::Cow;

use serde_json::Value;

use super::escape;

/// How a cell shows its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    /// A string, as is.
    Text,
    /// An integer.
    Int,
    /// A probability as a percentage with one decimal, e.g. `12.3%`.
    Pct,
    /// A real number with four significant decimals (`{:.4}`).
    Num,
}

impl Fmt {
    /// Its name in the page's `data-fmt` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Fmt::Text => "text",
            Fmt::Int => "int",
            Fmt::Pct => "pct",
            Fmt::Num => "num",
        }
    }

    /// The inverse of [`Fmt::as_str`].
    pub fn parse(s: &str) -> Option<Fmt> {
        [Fmt::Text, Fmt::Int, Fmt::Pct, Fmt::Num]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// The text a cell of format `fmt` shows for the JSON value `v` (`–` for null and
/// missing values).
pub fn format_value(v: Option<&Value>, fmt: Fmt) -> String {
    match (v, fmt) {
        (None | Some(Value::Null), _) => "–".to_owned(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(Value::Number(n)), Fmt::Int | Fmt::Text) => n.to_string(),
        (Some(Value::Number(n)), Fmt::Pct) => format!("{:.1}%", 100.0 * n.as_f64().unwrap_or(0.0)),
        (Some(Value::Number(n)), Fmt::Num) => {
            format!("{:.4}", n.as_f64().unwrap_or(0.0))
        }
        (Some(other), _) => other.to_string(),
    }
}

/// One cell: its text and, for numbers read from the document, their pointer.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// What the cell shows.
    pub text: String,
    /// JSON pointer of the number into `summary.json`, and the number exactly.
    pub source: Option<(String, String)>,
    /// How the value is shown.
    pub fmt: Fmt,
}

impl Cell {
    /// A cell of plain text, not read from the document.
    pub fn text(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            source: None,
            fmt: Fmt::Text,
        }
    }

    /// The cell for the value at `ptr` in `doc`.
    pub fn from_json(doc: &Value, ptr: &str, fmt: Fmt) -> Self {
        let v = doc.pointer(ptr);
        let source = match v {
            Some(Value::Number(n)) if fmt != Fmt::Text => Some((ptr.to_owned(), n.to_string())),
            _ => None,
        };
        Cell {
            text: format_value(v, fmt),
            source,
            fmt,
        }
    }
}

/// A table with a caption and a header row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// `id` of the table element.
    pub id: String,
    /// Caption shown above it.
    pub caption: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Formats of the columns (numbers are right-aligned).
    pub formats: Vec<Fmt>,
    /// Rows of cells, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as an HTML fragment.
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<div class=\"tw\"><table id=\"{}\"><caption>{}</caption><thead><tr>",
            escape(&self.id),
            escape(&self.caption)
        );
        for (c, f) in self.columns.iter().zip(&self.formats) {
            let class = if *f == Fmt::Text { "" } else { " class=\"n\"" };
            s += &format!("<th scope=\"col\"{class}>{}</th>", escape(c));
        }
        s += "</tr></thead><tbody>";
        for row in &self.rows {
            s += "<tr>";
            for (i, cell) in row.iter().enumerate() {
                let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
                let close = if i == 0 { "th" } else { "td" };
                let mut attrs = String::new();
                if cell.fmt != Fmt::Text {
                    attrs += " class=\"n\"";
                }
                if let Some((ptr, v)) = &cell.source {
                    attrs += &format!(
                        " data-ptr=\"{}\" data-v=\"{}\" data-fmt=\"{}\"",
                        escape(ptr),
                        escape(v),
                        cell.fmt.as_str()
                    );
                }
                s += &format!("<{tag}{attrs}>{}</{close}>", escape(&cell.text));
            }
            s += "</tr>";
        }
        s += "</tbody></table></div>\n";
        s
    }
}

/// A column of a [`TableSpec`]: the key in each object of the array (a relative
/// JSON pointer without the leading `/`, e.g. `mean` or `class/profile`), its header
/// and format.
#[derive(Clone, Debug)]
pub struct ColumnSpec {
    /// Key (relative pointer) inside each row object.
    pub key: Cow<'static, str>,
    /// Column header.
    pub header: Cow<'static, str>,
    /// Format.
    pub fmt: Fmt,
}

/// A table of the report read from an array of objects in `summary.json`.
#[derive(Clone, Debug)]
pub struct TableSpec {
    /// `id` of the table element.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// JSON pointer of the array, e.g. `/outcomes`.
    pub array: String,
    /// Columns, in order.
    pub columns: Vec<ColumnSpec>,
}

/// Shorthand for a [`ColumnSpec`].
pub const fn col(key: &'static str, header: &'static str, fmt: Fmt) -> ColumnSpec {
    ColumnSpec {
        key: Cow::Borrowed(key),
        header: Cow::Borrowed(header),
        fmt,
    }
}

/// A [`ColumnSpec`] with computed key and header.
pub fn col_owned(key: String, header: String, fmt: Fmt) -> ColumnSpec {
    ColumnSpec {
        key: Cow::Owned(key),
        header: Cow::Owned(header),
        fmt,
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The table `spec` over `doc`; None when the array is missing or empty (so tables
/// of optional sections simply do not appear).
pub fn table_from_json(doc: &Value, spec: &TableSpec) -> Option<Table> {
    let rows = doc.pointer(&spec.array)?.as_array()?;
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        id: spec.id.clone(),
        caption: spec.caption.clone(),
        columns: spec.columns.iter().map(|c| c.header.to_string()).collect(),
        formats: spec.columns.iter().map(|c| c.fmt).collect(),
        rows: (0..rows.len())
            .map(|i| {
                spec.columns
                    .iter()
                    .map(|c| Cell::from_json(doc, &format!("{}/{i}/{}", spec.array, c.key), c.fmt))
                    .collect()
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_carry_pointer_value_and_formatted_text() {
        let doc = json!({"o": [{"name": "war", "count": 12, "frequency": 0.123456, "x": null}]});
        let spec = TableSpec {
            id: "t".into(),
            caption: "c".into(),
            array: "/o".into(),
            columns: vec![
                col("name", "Outcome", Fmt::Text),
                col("count", "Runs", Fmt::Int),
                col("frequency", "Share", Fmt::Pct),
                col("frequency", "Share", Fmt::Num),
                col("x", "X", Fmt::Num),
            ],
        };
        let t = table_from_json(&doc, &spec).unwrap();
        let texts: Vec<&str> = t.rows[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["war", "12", "12.3%", "0.1235", "–"]);
        assert_eq!(
            t.rows[0][2].source,
            Some(("/o/0/frequency".into(), "0.123456".into()))
        );
        assert_eq!(t.rows[0][0].source, None);
        assert_eq!(t.rows[0][4].source, None);
        let html = t.to_html();
        assert!(html.contains(
            "<td class=\"n\" data-ptr=\"/o/0/frequency\" data-v=\"0.123456\" data-fmt=\"pct\">12.3%</td>"
        ));
        assert!(html.contains("<th scope=\"row\">war</th>"));
        assert!(
            table_from_json(
                &doc,
                &TableSpec {
                    array: "/missing".into(),
                    ..spec
                }
            )
            .is_none()
        );
    }

    #[test]
    fn pointer_escaping_follows_rfc_6901() {
        assert_eq!(pointer_escape("a/b~c"), "a~1b~0c");
        let doc = json!({"a/b~c": 1});
        assert_eq!(
            doc.pointer(&format!("/{}", pointer_escape("a/b~c"))),
            Some(&json!(1))
        );
    }
}
