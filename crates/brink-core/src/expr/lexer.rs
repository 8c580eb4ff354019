//! Splits formula source into tokens with byte spans.

use super::ops::BinOp;
use super::{ExprError, Span};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident,
    True,
    False,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    Comma,
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    Cmp(BinOp),
    End,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Span,
}

pub(super) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(super) fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Characters that glue onto a number or a name, making it malformed.
pub(super) fn is_word_char(b: u8) -> bool {
    is_ident_continue(b) || b == b'.'
}

pub(super) struct Lexer<'s> {
    pub(super) src: &'s str,
    /// Always on a `char` boundary.
    pub(super) pos: usize,
}

impl<'s> Lexer<'s> {
    pub(super) fn next_token(&mut self) -> Result<Token, ExprError> {
        let src = self.src;
        let rest = &src[self.pos..];
        let trimmed = rest.trim_start();
        let start = self.pos + (rest.len() - trimmed.len());
        self.pos = start;
        let Some(c) = trimmed.chars().next() else {
            return Ok(Token {
                tok: Tok::End,
                span: Span::new(src.len(), src.len()),
            });
        };
        let next = src.as_bytes().get(start + 1).copied();
        let error =
            |len: usize, message: &str| Err(ExprError::new(Span::new(start, start + len), message));
        let (tok, len) = match c {
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' if next == Some(b'*') => {
                return error(
                    2,
                    "`**` is not an operator; write powers with `^`, e.g. `x ^ 2`",
                );
            }
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '^' => (Tok::Caret, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            '<' if next == Some(b'=') => (Tok::Cmp(BinOp::Le), 2),
            '<' => (Tok::Cmp(BinOp::Lt), 1),
            '>' if next == Some(b'=') => (Tok::Cmp(BinOp::Ge), 2),
            '>' => (Tok::Cmp(BinOp::Gt), 1),
            '=' if next == Some(b'=') => (Tok::Cmp(BinOp::Eq), 2),
            '=' => return error(1, "unexpected `=`; compare with `==`"),
            '!' if next == Some(b'=') => (Tok::Cmp(BinOp::Ne), 2),
            '!' => (Tok::Not, 1),
            '&' if next == Some(b'&') => (Tok::And, 2),
            '&' => return error(1, "unexpected `&`; write `and` or `&&`"),
            '|' if next == Some(b'|') => (Tok::Or, 2),
            '|' => return error(1, "unexpected `|`; write `or` or `||`"),
            '0'..='9' => return self.number(start),
            '.' if next.is_some_and(|b| b.is_ascii_digit()) => return self.number(start),
            c if c.is_ascii_alphabetic() || c == '_' => return self.word(start),
            c => {
                let message = format!("unexpected character `{}`", c.escape_debug());
                return error(c.len_utf8(), &message);
            }
        };
        self.pos = start + len;
        Ok(Token {
            tok,
            span: Span::new(start, start + len),
        })
    }

    /// End of the run of word characters (`[A-Za-z0-9_.]`) from `i`.
    pub(super) fn word_end(&self, mut i: usize) -> usize {
        let b = self.src.as_bytes();
        while i < b.len() && is_word_char(b[i]) {
            i += 1;
        }
        i
    }

    pub(super) fn digits_end(&self, mut i: usize) -> usize {
        let b = self.src.as_bytes();
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    }

    pub(super) fn malformed_number(&self, start: usize, from: usize) -> ExprError {
        let end = self.word_end(from);
        ExprError::new(
            Span::new(start, end),
            format!("malformed number `{}`", &self.src[start..end]),
        )
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`, or `. digits ...`.
    pub(super) fn number(&mut self, start: usize) -> Result<Token, ExprError> {
        let b = self.src.as_bytes();
        let mut i = self.digits_end(start);
        if b.get(i) == Some(&b'.') {
            i = self.digits_end(i + 1);
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let k = self.digits_end(j);
            if k == j {
                return Err(self.malformed_number(start, j));
            }
            i = k;
        }
        if b.get(i).is_some_and(|&c| is_word_char(c)) {
            return Err(self.malformed_number(start, i));
        }
        let span = Span::new(start, i);
        let text = &self.src[start..i];
        self.pos = i;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Token {
                tok: Tok::Num(v),
                span,
            }),
            Ok(_) => Err(ExprError::new(
                span,
                format!("number `{text}` is too large"),
            )),
            Err(_) => Err(ExprError::new(span, format!("malformed number `{text}`"))),
        }
    }

    /// A keyword or a possibly dotted name.
    pub(super) fn word(&mut self, start: usize) -> Result<Token, ExprError> {
        let b = self.src.as_bytes();
        let mut i = start;
        let mut dotted = false;
        loop {
            while i < b.len() && is_ident_continue(b[i]) {
                i += 1;
            }
            if b.get(i) != Some(&b'.') {
                break;
            }
            if !b.get(i + 1).is_some_and(|&c| is_ident_start(c)) {
                let end = self.word_end(i);
                return Err(ExprError::new(
                    Span::new(start, end),
                    format!(
                        "malformed name `{}`: expected a name after `.`",
                        &self.src[start..end]
                    ),
                ));
            }
            dotted = true;
            i += 1;
        }
        self.pos = i;
        let tok = match &self.src[start..i] {
            _ if dotted => Tok::Ident,
            "and" => Tok::And,
            "or" => Tok::Or,
            "not" => Tok::Not,
            "true" => Tok::True,
            "false" => Tok::False,
            _ => Tok::Ident,
        };
        Ok(Token {
            tok,
            span: Span::new(start, i),
        })
    }
}
