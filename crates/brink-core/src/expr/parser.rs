//! Parses tokens into a syntax tree with spans, enforcing the nesting and depth limits.

use super::lexer::{Lexer, Tok, Token};
use super::ops::{BinOp, UnOp};
use super::{ExprError, MAX_NESTING, MAX_SOURCE_LEN, MAX_TREE_DEPTH, Span};

#[derive(Debug)]
pub(super) struct Node {
    pub(super) kind: NodeKind,
    pub(super) span: Span,
    /// Depth of the tree below and including this node (a bound on the
    /// recursion depth of every later pass).
    pub(super) depth: usize,
}

#[derive(Debug)]
pub(super) enum NodeKind {
    Num(f64),
    Bool(bool),
    /// The span of the name itself (the node's span may include
    /// parentheses).
    Name(Span),
    Unary {
        op: UnOp,
        op_span: Span,
        x: Box<Node>,
    },
    Binary {
        op: BinOp,
        op_span: Span,
        l: Box<Node>,
        r: Box<Node>,
    },
    Call {
        name: Span,
        args: Vec<Node>,
    },
}

/// Binding powers of the infix operators: `(operation, left, right)`.
/// Higher binds tighter; right > left makes an operator left-associative.
pub(super) fn infix(tok: Tok) -> Option<(BinOp, u8, u8)> {
    Some(match tok {
        Tok::Or => (BinOp::Or, 1, 2),
        Tok::And => (BinOp::And, 3, 4),
        Tok::Cmp(op) => (op, 7, 8),
        Tok::Plus => (BinOp::Add, 9, 10),
        Tok::Minus => (BinOp::Sub, 9, 10),
        Tok::Star => (BinOp::Mul, 11, 12),
        Tok::Slash => (BinOp::Div, 11, 12),
        // Right-associative, and tighter than prefix `-` on its left.
        Tok::Caret => (BinOp::Pow, 16, 15),
        _ => return None,
    })
}

/// The operand of `not` is a comparison or anything tighter.
pub(super) const NOT_OPERAND: u8 = 5;
/// The operand of prefix `-` is a power or anything tighter.
pub(super) const NEG_OPERAND: u8 = 13;

pub(super) fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
    )
}

/// A Pratt parser. It recurses once per level of parentheses, function
/// call, prefix operator or `^` (bounded by [`MAX_NESTING`]) plus at most
/// once per precedence level, and stops at the first error. Error messages
/// are built in separate cold functions to keep the recursive frames small.
pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) lexer: Lexer<'s>,
    pub(super) peeked: Option<Token>,
    pub(super) nesting: usize,
}

impl<'s> Parser<'s> {
    pub(super) fn parse(src: &'s str) -> Result<Node, ExprError> {
        if src.len() > MAX_SOURCE_LEN {
            return Err(ExprError::new(
                Span::new(0, src.len()),
                format!(
                    "formula is too long ({} bytes; at most {MAX_SOURCE_LEN} are allowed)",
                    src.len()
                ),
            ));
        }
        if src.trim().is_empty() {
            return Err(ExprError::new(Span::new(0, src.len()), "empty formula"));
        }
        let mut p = Parser {
            src,
            lexer: Lexer { src, pos: 0 },
            peeked: None,
            nesting: 0,
        };
        let node = p.expr(0)?;
        let t = p.bump()?;
        match t.tok {
            Tok::End => Ok(node),
            _ => Err(p.trailing_error(t)),
        }
    }

    pub(super) fn peek(&mut self) -> Result<Token, ExprError> {
        match self.peeked {
            Some(t) => Ok(t),
            None => {
                let t = self.lexer.next_token()?;
                self.peeked = Some(t);
                Ok(t)
            }
        }
    }

    pub(super) fn bump(&mut self) -> Result<Token, ExprError> {
        let t = self.peek()?;
        self.peeked = None;
        Ok(t)
    }

    pub(super) fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    pub(super) fn describe(&self, t: Token) -> String {
        match t.tok {
            Tok::End => "the end of the formula".to_owned(),
            _ => format!("`{}`", self.text(t.span)),
        }
    }

    pub(super) fn enter(&mut self, span: Span) -> Result<(), ExprError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(nesting_error(span));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    pub(super) fn make(
        kind: NodeKind,
        span: Span,
        depth: usize,
        at: Span,
    ) -> Result<Node, ExprError> {
        if depth > MAX_TREE_DEPTH {
            return Err(depth_error(at));
        }
        Ok(Node { kind, span, depth })
    }

    pub(super) fn binary(op: BinOp, op_span: Span, l: Node, r: Node) -> Result<Node, ExprError> {
        let span = l.span.to(r.span);
        let depth = 1 + l.depth.max(r.depth);
        let kind = NodeKind::Binary {
            op,
            op_span,
            l: Box::new(l),
            r: Box::new(r),
        };
        Self::make(kind, span, depth, op_span)
    }

    /// A formula whose infix operators all bind at least `min` tightly.
    pub(super) fn expr(&mut self, min: u8) -> Result<Node, ExprError> {
        let mut lhs = self.prefix()?;
        let mut compared = false;
        loop {
            let t = self.peek()?;
            let Some((op, left, right)) = infix(t.tok) else {
                return Ok(lhs);
            };
            if left < min {
                return Ok(lhs);
            }
            if compared && is_comparison(op) {
                return Err(self.chained_error(t));
            }
            compared = is_comparison(op);
            self.bump()?;
            let rhs = if op == BinOp::Pow {
                self.enter(t.span)?;
                let rhs = self.expr(right)?;
                self.leave();
                rhs
            } else {
                self.expr(right)?
            };
            lhs = Self::binary(op, t.span, lhs, rhs)?;
        }
    }

    /// A prefix operator applied to its operand, or an atom.
    pub(super) fn prefix(&mut self) -> Result<Node, ExprError> {
        let t = self.bump()?;
        let leaf = |kind| Node {
            kind,
            span: t.span,
            depth: 1,
        };
        let (op, operand) = match t.tok {
            Tok::Minus => (UnOp::Neg, NEG_OPERAND),
            Tok::Not => (UnOp::Not, NOT_OPERAND),
            Tok::Num(v) => return Ok(leaf(NodeKind::Num(v))),
            Tok::True => return Ok(leaf(NodeKind::Bool(true))),
            Tok::False => return Ok(leaf(NodeKind::Bool(false))),
            Tok::Ident if self.peek()?.tok == Tok::LParen => return self.call(t.span),
            Tok::Ident => return Ok(leaf(NodeKind::Name(t.span))),
            Tok::LParen => return self.parenthesised(t.span),
            _ => return Err(self.value_error(t)),
        };
        self.enter(t.span)?;
        let x = self.expr(operand)?;
        self.leave();
        let span = t.span.to(x.span);
        let depth = 1 + x.depth;
        let kind = NodeKind::Unary {
            op,
            op_span: t.span,
            x: Box::new(x),
        };
        Self::make(kind, span, depth, t.span)
    }

    pub(super) fn parenthesised(&mut self, open: Span) -> Result<Node, ExprError> {
        self.enter(open)?;
        let inner = self.expr(0)?;
        self.leave();
        let close = self.bump()?;
        match close.tok {
            Tok::RParen => Ok(Node {
                span: open.to(close.span),
                ..inner
            }),
            _ => Err(self.close_error(open, close)),
        }
    }

    pub(super) fn call(&mut self, name: Span) -> Result<Node, ExprError> {
        let open = self.bump()?;
        self.enter(open.span)?;
        let mut args = Vec::new();
        let close = if self.peek()?.tok == Tok::RParen {
            self.bump()?
        } else {
            loop {
                args.push(self.expr(0)?);
                let t = self.bump()?;
                match t.tok {
                    Tok::Comma => {}
                    Tok::RParen => break t,
                    _ => return Err(self.arguments_error(name, open.span, t)),
                }
            }
        };
        self.leave();
        // Every argument may add a level once `min`/`max` are unrolled.
        let depth = args.iter().map(|a| a.depth).max().unwrap_or(0) + args.len().max(1);
        let span = name.to(close.span);
        Self::make(NodeKind::Call { name, args }, span, depth, name)
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trailing_error(&self, t: Token) -> ExprError {
        if t.tok == Tok::RParen {
            return ExprError::new(
                t.span,
                "unbalanced parentheses: this `)` has no matching `(`",
            );
        }
        ExprError::new(
            t.span,
            format!(
                "expected an operator or the end of the formula, found {}",
                self.describe(t)
            ),
        )
    }

    #[cold]
    #[inline(never)]
    pub(super) fn value_error(&self, t: Token) -> ExprError {
        const EXPECTED: &str = "a number, a name or `(`";
        match t.tok {
            Tok::End => ExprError::new(
                t.span,
                format!("unexpected end of formula, expected {EXPECTED}"),
            ),
            _ => ExprError::new(
                t.span,
                format!("expected {EXPECTED}, found {}", self.describe(t)),
            ),
        }
    }

    #[cold]
    #[inline(never)]
    pub(super) fn chained_error(&self, t: Token) -> ExprError {
        ExprError::new(
            t.span,
            format!(
                "comparisons cannot be chained: `{}` follows another comparison; combine \
                 them with `and`, e.g. `a < b and b < c`",
                self.text(t.span)
            ),
        )
    }

    #[cold]
    #[inline(never)]
    pub(super) fn close_error(&self, open: Span, found: Token) -> ExprError {
        match found.tok {
            Tok::End => ExprError::new(open, "unbalanced parentheses: this `(` is never closed"),
            _ => ExprError::new(
                found.span,
                format!(
                    "expected `)` or an operator, found {}",
                    self.describe(found)
                ),
            ),
        }
    }

    #[cold]
    #[inline(never)]
    pub(super) fn arguments_error(&self, name: Span, open: Span, found: Token) -> ExprError {
        let name = self.text(name);
        match found.tok {
            Tok::End => ExprError::new(
                open,
                format!("unbalanced parentheses: the `(` after `{name}` is never closed"),
            ),
            _ => ExprError::new(
                found.span,
                format!(
                    "expected `,` or `)` in the arguments of `{name}`, found {}",
                    self.describe(found)
                ),
            ),
        }
    }
}

#[cold]
#[inline(never)]
pub(super) fn nesting_error(at: Span) -> ExprError {
    ExprError::new(
        at,
        format!(
            "formula is nested too deeply (more than {MAX_NESTING} levels of parentheses, \
             function calls, prefix operators or powers)"
        ),
    )
}

#[cold]
#[inline(never)]
pub(super) fn depth_error(at: Span) -> ExprError {
    ExprError::new(
        at,
        format!(
            "formula is too long: more than {MAX_TREE_DEPTH} operations are chained here; \
             split it into smaller formulas"
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::expr::test_util::*;
    use crate::expr::*;
    use ValueType::{Bool, Num};

    #[test]
    fn precedence_and_associativity() {
        let table: &[(&str, f64)] = &[
            ("1 + 2 * 3", 7.0),
            ("(1 + 2) * 3", 9.0),
            ("10 - 4 - 3", 3.0),
            ("10 - (4 - 3)", 9.0),
            ("48 / 4 / 2", 6.0),
            ("10 / 4 * 2", 5.0),
            ("2 ^ 3 ^ 2", 512.0),
            ("(2 ^ 3) ^ 2", 64.0),
            ("-2 ^ 2", -4.0),
            ("-2^2", -4.0),
            ("(-2) ^ 2", 4.0),
            ("2 ^ -1", 0.5),
            ("2 * 3 ^ 2", 18.0),
            ("2 ^ 2 * 3", 12.0),
            ("- - 2", 2.0),
            ("--2", 2.0),
            ("2 * -3", -6.0),
            ("2 - -3", 5.0),
            ("-2 * 3 + 1", -5.0),
            (".5 + 2e-3", 0.5 + 2e-3),
            ("1.5E+2", 150.0),
            ("1.", 1.0),
            ("  3\t*\n( 1+1 )  ", 6.0),
            ("-x ^ 2", -4.0),
            ("x - y - z", -5.0),
            ("z / x / x", 1.0),
            ("x * y + z", 10.0),
            ("x + y * z", 14.0),
            ("x ^ y ^ x", 512.0),
            ("-x * y", -6.0),
            ("x - -y", 5.0),
            ("economy - 0.1 * sanctions", 99.0),
            ("self.bomb_value * usa.strike_cost", -0.5),
            ("k * x", 5.0),
        ];
        for &(src, want) in table {
            let got = num(src);
            assert!(same(got, want), "{src}: got {got}, want {want}");
        }
        let truths: &[(&str, f64)] = &[
            ("1 < 2", 1.0),
            ("1 + 2 < 2 * 2", 1.0),
            ("not 1 < 2", 0.0),
            ("!(1 > 2)", 1.0),
            ("true or false and false", 1.0),
            ("(true or false) and false", 0.0),
            ("not true or true", 1.0),
            ("not (true or true)", 0.0),
            ("not false and false", 0.0),
            ("!false && !false", 1.0),
            ("false || !false", 1.0),
            ("not not true", 1.0),
            ("x < y and y < z", 1.0),
            ("x == 2 && y != 3", 0.0),
            ("x <= 2 and x >= 2", 1.0),
            ("flag or iran.type_x", 1.0),
            ("flag and iran.type_x", 0.0),
            ("not flag", 0.0),
            ("!iran.type_x", 1.0),
            ("on and not off", 1.0),
            ("-x < -y", 0.0),
        ];
        for &(src, want) in truths {
            let got = truth(src);
            assert!(same(got, want), "{src}: got {got}, want {want}");
        }
    }

    #[test]
    fn syntax_errors() {
        fails("", Num, "empty formula", "");
        fails("   ", Num, "empty formula", "   ");
        fails("x $ y", Num, "unexpected character `$`", "$");
        fails("x × y", Num, "unexpected character `×`", "×");
        fails("x = y", Bool, "unexpected `=`; compare with `==`", "=");
        fails("x & y", Bool, "`and` or `&&`", "&");
        fails("x | y", Bool, "`or` or `||`", "|");
        fails("x ** 2", Num, "`^`", "**");
        fails(
            "x +",
            Num,
            "unexpected end of formula, expected a number",
            "",
        );
        fails("min(x,", Num, "unexpected end of formula", "");
        fails(
            "x + * y",
            Num,
            "expected a number, a name or `(`, found `*`",
            "*",
        );
        fails(
            "x y",
            Num,
            "expected an operator or the end of the formula, found `y`",
            "y",
        );
        fails(
            "(x + y",
            Num,
            "unbalanced parentheses: this `(` is never closed",
            "(",
        );
        fails("((x + y)", Num, "unbalanced parentheses", "(");
        fails(
            "x + y)",
            Num,
            "unbalanced parentheses: this `)` has no matching `(`",
            ")",
        );
        fails(
            "(x + y z)",
            Num,
            "expected `)` or an operator, found `z`",
            "z",
        );
        fails("min(x, y", Num, "the `(` after `min` is never closed", "(");
        fails(
            "min(x y)",
            Num,
            "expected `,` or `)` in the arguments of `min`, found `y`",
            "y",
        );
        fails("min(x,)", Num, "found `)`", ")");
        fails("()", Num, "found `)`", ")");
        fails("x < y < z", Bool, "comparisons cannot be chained", "<");
        fails(
            "x == y != z",
            Bool,
            "comparisons cannot be chained: `!=`",
            "!=",
        );
        let e = fails("x < y + 1 < z", Bool, "comparisons cannot be chained", "<");
        assert_eq!(e.offset, 10);
        let e = fails(
            "not x < y >= z",
            Bool,
            "comparisons cannot be chained",
            ">=",
        );
        assert_eq!(e.offset, 10);
        // Parenthesised comparisons are not chained, just mistyped.
        fails(
            "(x < y) < z",
            Bool,
            "`<` expects numbers, but the left side",
            "(x < y)",
        );
        // `not` and `-` only apply to their own operand.
        fails(
            "x + not flag",
            Num,
            "`+` expects numbers, but the right side",
            "not flag",
        );
        fails("1.2.3", Num, "malformed number `1.2.3`", "1.2.3");
        fails("2x + 1", Num, "malformed number `2x`", "2x");
        fails("1e + 1", Num, "malformed number `1e`", "1e");
        fails("1e+ 1", Num, "malformed number `1e+`", "1e+");
        fails("x + 1e999", Num, "number `1e999` is too large", "1e999");
        fails("usa. + 1", Num, "malformed name `usa.`", "usa.");
        fails("usa.5", Num, "malformed name `usa.5`", "usa.5");
        fails("x + and", Num, "found `and`", "and");
    }
}
