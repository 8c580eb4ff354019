//! Tokenizer for Gambit's `.nfg` and `.efg` files.
//!
//! Tokens are separated by whitespace; `{`, `}` and `,` are tokens of their
//! own; a double-quoted string is a text token (`\"` stands for a quote and
//! `\\` for a backslash; a backslash before any other character is kept); any
//! other run of characters is a *word*: a number if it starts with a digit,
//! a sign or a dot, otherwise a symbol (such as `NFG`, `R`, `c`, `p`, `t`).

use crate::rational::Q;

use super::{FormatError, parse_number};

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A word starting with a digit, `+`, `-` or `.` (not yet validated).
    Number(String),
    /// A quoted string, unescaped.
    Text(String),
    /// Any other word.
    Symbol(String),
    LBrace,
    RBrace,
    Comma,
    Eof,
}

/// A token and where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub line: usize,
    pub column: usize,
}

impl Token {
    /// An error located at this token.
    pub fn error(&self, message: impl Into<String>) -> FormatError {
        FormatError::new(self.line, self.column, message)
    }

    /// `expected <what>, found <this token>`.
    pub fn expected(&self, what: &str) -> FormatError {
        self.error(format!("expected {what}, found {}", self.describe()))
    }

    /// A short description for messages.
    pub fn describe(&self) -> String {
        fn clip(s: &str) -> String {
            let mut out: String = s.chars().take(40).collect();
            if s.chars().count() > 40 {
                out.push('…');
            }
            out
        }
        match &self.tok {
            Tok::Number(s) | Tok::Symbol(s) => format!("{:?}", clip(s)),
            Tok::Text(s) => format!("the string {:?}", clip(s)),
            Tok::LBrace => "'{'".into(),
            Tok::RBrace => "'}'".into(),
            Tok::Comma => "','".into(),
            Tok::Eof => "the end of the file".into(),
        }
    }
}

/// Streaming tokenizer with one token of lookahead.
pub(crate) struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
    peeked: Option<Result<Token, FormatError>>,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            chars: text.chars().peekable(),
            line: 1,
            column: 1,
            peeked: None,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn lex(&mut self) -> Result<Token, FormatError> {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
        let (line, column) = (self.line, self.column);
        let token = |tok| Token { tok, line, column };
        let Some(c) = self.bump() else {
            return Ok(token(Tok::Eof));
        };
        let tok = match c {
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            ',' => Tok::Comma,
            '"' => {
                let mut s = String::new();
                loop {
                    match self.bump() {
                        None => {
                            return Err(FormatError::new(
                                line,
                                column,
                                "this string is never closed (missing '\"')",
                            ));
                        }
                        Some('"') => break,
                        Some('\\') => match self.chars.peek() {
                            Some('"') | Some('\\') => {
                                if let Some(e) = self.bump() {
                                    s.push(e);
                                }
                            }
                            _ => s.push('\\'),
                        },
                        Some(ch) => s.push(ch),
                    }
                }
                Tok::Text(s)
            }
            _ => {
                let mut word = String::from(c);
                while let Some(&ch) = self.chars.peek() {
                    if ch.is_whitespace() || matches!(ch, '{' | '}' | ',' | '"') {
                        break;
                    }
                    word.push(ch);
                    self.bump();
                }
                if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') {
                    Tok::Number(word)
                } else {
                    Tok::Symbol(word)
                }
            }
        };
        Ok(token(tok))
    }

    /// The next token.
    pub fn next(&mut self) -> Result<Token, FormatError> {
        match self.peeked.take() {
            Some(t) => t,
            None => self.lex(),
        }
    }

    /// The next token without consuming it.
    pub fn peek(&mut self) -> Result<&Token, FormatError> {
        if self.peeked.is_none() {
            let t = self.lex();
            self.peeked = Some(t);
        }
        match &self.peeked {
            Some(Ok(t)) => Ok(t),
            Some(Err(e)) => Err(e.clone()),
            None => unreachable_none(),
        }
    }

    /// Consumes the next token if it is `tok`; returns whether it did.
    pub fn accept(&mut self, tok: &Tok) -> Result<bool, FormatError> {
        if &self.peek()?.tok == tok {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes `tok` or fails with `expected <what>`.
    pub fn expect(&mut self, tok: &Tok, what: &str) -> Result<Token, FormatError> {
        let t = self.next()?;
        if &t.tok == tok {
            Ok(t)
        } else {
            Err(t.expected(what))
        }
    }

    /// Consumes a quoted string.
    pub fn text(&mut self, what: &str) -> Result<String, FormatError> {
        let t = self.next()?;
        match t.tok {
            Tok::Text(s) => Ok(s),
            _ => Err(t.expected(what)),
        }
    }

    /// Consumes a symbol.
    pub fn symbol(&mut self, what: &str) -> Result<(String, Token), FormatError> {
        let t = self.next()?;
        match &t.tok {
            Tok::Symbol(s) => Ok((s.clone(), t)),
            _ => Err(t.expected(what)),
        }
    }

    /// Consumes an exact number.
    pub fn number(&mut self, what: &str) -> Result<(Q, Token), FormatError> {
        let t = self.next()?;
        match &t.tok {
            Tok::Number(s) => match parse_number(s) {
                Ok(x) => Ok((x, t)),
                Err(m) => Err(t.error(format!("{what}: {m}"))),
            },
            _ => Err(t.expected(what)),
        }
    }

    /// Consumes a non-negative integer that fits in `usize`.
    pub fn count(&mut self, what: &str) -> Result<(usize, Token), FormatError> {
        let t = self.next()?;
        match &t.tok {
            Tok::Number(s) => {
                let digits = s.strip_prefix('+').unwrap_or(s);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    match digits.parse::<usize>() {
                        Ok(k) => Ok((k, t)),
                        Err(_) => Err(t.error(format!("{what}: {s} is too large"))),
                    }
                } else {
                    Err(t.error(format!(
                        "{what}: expected a non-negative whole number, found {s:?}"
                    )))
                }
            }
            _ => Err(t.expected(what)),
        }
    }

    /// Expects the end of the input.
    /// The header every Gambit file shares: `MAGIC VERSION R|D "title" { "player" ... }`.
    /// Returns the title and the player names.
    pub fn gambit_header(
        &mut self,
        magic: &str,
        version: usize,
        kind: &str,
    ) -> Result<(String, Vec<String>), FormatError> {
        let what = format!("\"{magic}\" at the start of {kind} file");
        let (found, t) = self.symbol(&what)?;
        if found != magic {
            return Err(t.expected(&what));
        }
        let (v, t) = self.count(&format!("the version number {version}"))?;
        if v != version {
            return Err(t.error(format!(
                "only {magic} version {version} is supported, found {v}"
            )));
        }
        let (rd, t) = self.symbol("'R' (or 'D') after the version")?;
        if rd != "R" && rd != "D" {
            return Err(t.expected("'R' (or 'D') after the version"));
        }
        let title = self.text("the game title (a quoted string)")?;
        self.expect(&Tok::LBrace, "'{' before the list of players")?;
        let mut players = Vec::new();
        loop {
            let t = self.next()?;
            match t.tok {
                Tok::Text(s) => players.push(s),
                Tok::RBrace => {
                    if players.is_empty() {
                        return Err(t.error("a game needs at least one player"));
                    }
                    break;
                }
                _ => return Err(t.expected("a player name (quoted) or '}'")),
            }
        }
        Ok((title, players))
    }

    pub fn expect_eof(&mut self) -> Result<(), FormatError> {
        let t = self.next()?;
        if t.tok == Tok::Eof {
            Ok(())
        } else {
            Err(t.expected("the end of the file"))
        }
    }
}

/// `peek` always fills the slot before reading it.
fn unreachable_none<T>() -> Result<T, FormatError> {
    Err(FormatError::new(1, 1, "internal error in the tokenizer"))
}

/// Escapes `s` as a Gambit quoted string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lx.next().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn tokens() {
        assert_eq!(
            all("NFG 1 R \"a \\\"b\\\" \\\\ \\x\" {1/2,-3}"),
            vec![
                Tok::Symbol("NFG".into()),
                Tok::Number("1".into()),
                Tok::Symbol("R".into()),
                Tok::Text("a \"b\" \\ \\x".into()),
                Tok::LBrace,
                Tok::Number("1/2".into()),
                Tok::Comma,
                Tok::Number("-3".into()),
                Tok::RBrace,
            ]
        );
        let mut lx = Lexer::new("\n  \"open");
        let e = lx.next().unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
    }

    #[test]
    fn quote_round_trips() {
        for s in [
            "",
            "plain",
            "with \"quotes\"",
            "back\\slash",
            "end\\",
            "\\\"",
        ] {
            let q = quote(s);
            assert_eq!(all(&q), vec![Tok::Text(s.to_string())], "{q}");
        }
    }
}
