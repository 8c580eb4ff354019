//! Scenario errors: one line naming the file, line and column, the field and what was
//! expected.

use std::fmt;
use std::ops::Range;

/// A problem with a scenario file or an override, located as precisely as possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters), with `line`.
    pub column: Option<usize>,
    /// Dotted path of the field, e.g. `agents[2].types[0].prior`.
    pub field: Option<String>,
    /// Whether `field` is the name of a parameter whose override (a
    /// `NAME=VALUE` given besides the file) is at fault; `line` is then `None`.
    pub overridden: bool,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        match &self.field {
            Some(name) if self.overridden => write!(f, ": override of {name}")?,
            Some(field) => write!(f, ": {field}")?,
            None => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Why a `NAME=VALUE` parameter override does not parse; each variant
/// holds the override as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// No `=` between name and value.
    #[error("`{0}`: expected NAME=VALUE, e.g. oil_squeeze=0.8")]
    MissingEquals(String),
    /// Nothing (but blanks) before the `=`.
    #[error("`{0}`: the parameter name is empty; expected NAME=VALUE")]
    EmptyName(String),
    /// The value does not parse as a number.
    #[error("`{input}`: `{value}` is not a number; expected NAME=VALUE with a numeric value")]
    NotANumber {
        /// The override as given.
        input: String,
        /// The value part, trimmed.
        value: String,
    },
    /// The value is infinite or NaN.
    #[error("`{0}`: the value must be a finite number")]
    NotFinite(String),
}

/// Maps byte offsets of one source text to line and column and builds errors.
#[derive(Clone, Copy)]
pub(crate) struct Locator<'a> {
    pub file: &'a str,
    pub src: &'a str,
}

impl Locator<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let mut start = offset;
        while !self.src.is_char_boundary(start) {
            start -= 1;
        }
        let before = &self.src[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// An error at `span` (an empty `0..0` span means "no known place").
    pub fn at(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = if span == (0..0) {
            (None, None)
        } else {
            let (l, c) = self.line_col(span.start);
            (Some(l), Some(c))
        };
        let field = field.into();
        ScenarioError {
            file: self.file.to_owned(),
            line,
            column,
            field: (!field.is_empty()).then_some(field),
            overridden: false,
            message: message.into(),
        }
    }

    /// Byte offset of the first character inside a string literal that starts at
    /// `span.start` (skips `"`, `'`, `"""` or `'''` and a newline right after a triple
    /// quote), so offsets inside formulas map to the file.
    pub fn string_body_start(&self, span: &Range<usize>) -> usize {
        let rest = self.src.get(span.start..).unwrap_or("");
        let skip = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let after = &rest[3..];
            3 + if after.starts_with("\r\n") {
                2
            } else if after.starts_with('\n') {
                1
            } else {
                0
            }
        } else if rest.starts_with('"') || rest.starts_with('\'') {
            1
        } else {
            0
        };
        span.start + skip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let loc = Locator {
            file: "f.toml",
            src: "a = 1\nbé = \"x\"\n",
        };
        assert_eq!(loc.line_col(0), (1, 1));
        assert_eq!(loc.line_col(6), (2, 1));
        // 'é' is two bytes; the '=' after "bé " is the 4th character of line 2.
        assert_eq!(loc.line_col(10), (2, 4));
    }

    #[test]
    fn display_is_one_line_with_place_field_and_message() {
        let loc = Locator {
            file: "s.toml",
            src: "x\ny = 2\n",
        };
        let e = loc.at(2..3, "scenario.horizon", "expected at least 1");
        assert_eq!(
            e.to_string(),
            "s.toml:2:1: scenario.horizon: expected at least 1"
        );
        let e = loc.at(0..0, "", "no place");
        assert_eq!(e.to_string(), "s.toml: no place");
    }
}
