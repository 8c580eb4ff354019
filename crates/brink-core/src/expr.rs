//! A tiny, safe and fast formula language for scenario files.
//!
//! Scenario files contain formulas such as `economy - 0.1 * sanctions`.
//! [`compile`] turns one into an [`Expr`] once, at load time, checking every
//! name and every type; [`Expr::eval`] then evaluates it against a slice of
//! variable values as often as needed, without allocating.
//!
//! # Syntax
//!
//! Operators, from the loosest binding to the tightest:
//!
//! | operators                          | operands → result     | notes                                 |
//! |------------------------------------|-----------------------|---------------------------------------|
//! | `or`, `\|\|`                       | true/false → true/false | left-associative                    |
//! | `and`, `&&`                        | true/false → true/false | left-associative                    |
//! | `not`, `!` (prefix)                | true/false → true/false | `not a < b` is `not (a < b)`        |
//! | `<` `<=` `>` `>=` `==` `!=`        | numbers → true/false  | not associative: `a < b < c` is an error |
//! | `+` `-`                            | numbers → number      | left-associative                      |
//! | `*` `/`                            | numbers → number      | left-associative                      |
//! | `-` (prefix)                       | number → number       |                                       |
//! | `^` (power)                        | numbers → number      | right-associative, binds tighter than prefix `-`: `-2^2 == -4`, `2^3^2 == 512`, `2^-1 == 0.5` |
//!
//! Atoms are
//! * numbers: `1`, `1.5`, `.5`, `1.`, `2e-3`, `1.5E+2` (always written without
//!   a sign; `-1` is prefix minus applied to `1` and folds to the constant −1);
//! * `true` and `false`;
//! * names `[A-Za-z_][A-Za-z0-9_]*`, optionally dotted: `usa.strike`,
//!   `self.bomb_value`, `iran.type_x`;
//! * function calls `name(arg, ...)` — a name directly followed by `(` is
//!   always a call;
//! * parenthesised formulas.
//!
//! Whitespace may appear between any two tokens. `and`, `or`, `not`, `true`
//! and `false` are keywords and cannot be names; function names are not
//! reserved (a name not followed by `(` is looked up in the [`Symbols`]).
//!
//! # Functions
//!
//! | function                    | meaning                                                        |
//! |-----------------------------|----------------------------------------------------------------|
//! | `min(a, b, ...)`, `max(a, b, ...)` | at least two arguments; IEEE 754-2019 `minimum`/`maximum`: NaN if any argument is NaN, and −0 < +0 |
//! | `abs(x)`, `sqrt(x)`, `exp(x)`, `ln(x)`, `log10(x)` | as in `f64`                             |
//! | `floor(x)`, `ceil(x)`, `round(x)` | `round` rounds half-way cases away from zero             |
//! | `pow(a, b)`                 | the same as `a ^ b` (`libm::pow`)                              |
//! | `clamp(x, lo, hi)`          | `min(max(x, lo), hi)`: never fails, gives `hi` when `lo > hi`  |
//! | `if(cond, a, b)`            | `a` if `cond` is true, else `b`; `cond` is true/false, `a` and `b` have the same type, which is the result type |
//!
//! # Types
//!
//! There are two types, [`ValueType::Num`] and [`ValueType::Bool`], checked
//! when compiling: `1 + true`, `x and y` for numbers `x` and `y`, or a
//! true/false formula where a number is expected are compile errors. At run
//! time every value is an `f64`: false is `0.0` and true is `1.0`. Comparisons
//! give `1.0`/`0.0`, `not x` is `1 - x`, `and`/`or` give `1.0`/`0.0` and treat
//! any non-zero operand as true; `if` takes the first branch when its
//! condition is non-zero. Variables of type `Bool` must hold `0.0` or `1.0`:
//! other values give unspecified (but never unsafe or panicking) results.
//! `==` is exact `f64` equality. Everything is pure, so `and` and `or` need
//! not short-circuit and simply evaluate both sides (only `if` skips the
//! branch it does not take).
//!
//! # Arithmetic
//!
//! Arithmetic follows IEEE 754 double precision exactly as `f64` does:
//! nothing is checked at run time, so `1 / 0` is `inf`, `0 / 0`, `sqrt(-1)`
//! and `ln(-1)` are NaN, `exp(1000)` is `inf`, and NaN compares unequal to
//! everything (every comparison with NaN is false except `!=`). Callers that
//! care check the result, e.g. with `f64::is_finite`. Constant folding uses
//! the very same operations, so a folded formula gives bit-for-bit the
//! result its unfolded evaluation would.
//!
//! # Names
//!
//! A [`Symbols`] table says what names mean: a constant known at load time
//! ([`Symbols::insert_const`]), which is folded into the compiled code, or a
//! variable read from `vars[slot]` when evaluating ([`Symbols::insert_var`]).
//! Unknown names are errors that say which names are allowed in this context
//! and suggest close matches.
//!
//! # Compilation
//!
//! `compile` tokenizes and parses the formula into a syntax tree with byte
//! spans (for error messages), checks names and types, folds every subtree
//! whose leaves are all constants (an `if` with a constant condition folds to
//! the branch it takes; `x and false` folds to `false`, `x and true` to `x`,
//! likewise for `or`), and emits flat bytecode for a small stack machine
//! whose top of stack lives in a register. Instructions take a constant or a
//! variable operand directly, an operation on two of them (`0.1 * sanctions`,
//! `x < y`) is a single instruction, and operands are evaluated in the order
//! that needs the fewest stack slots, so `a + b + c + ...` and
//! `a*b + (c*d + (e*f + ...))` need one or two slots. `economy - 0.1 *
//! sanctions` is two instructions. A formula that folds to a constant or is a
//! single variable needs no bytecode at all. Evaluating costs a few
//! nanoseconds per instruction.
//!
//! # Limits
//!
//! Compiling never panics and never overflows the stack, whatever the
//! input; instead it rejects formulas longer than [`MAX_SOURCE_LEN`] bytes,
//! nested deeper than [`MAX_NESTING`] levels, chaining more than
//! [`MAX_TREE_DEPTH`] operations, or needing more than [`STACK_SIZE`]
//! evaluation stack slots — all far beyond realistic formulas. Within these
//! limits [`compile`] needs at most about 150 KiB of thread stack (about
//! 600 KiB unoptimised).
//!
//! # Example
//!
//! ```
//! use brink_core::expr::{compile, Symbols, ValueType};
//!
//! let mut symbols = Symbols::new("parameters and state variables");
//! symbols.insert_const("weight", 0.1, ValueType::Num);
//! symbols.insert_var("economy", 0, ValueType::Num);
//! symbols.insert_var("sanctions", 1, ValueType::Num);
//!
//! let expr = compile("economy - weight * sanctions", &symbols, ValueType::Num).unwrap();
//! assert_eq!(expr.eval(&[100.0, 20.0]), 98.0);
//! assert_eq!(expr.max_slot(), Some(1));
//!
//! let err = compile("economy - weight * sanctons", &symbols, ValueType::Num).unwrap_err();
//! assert_eq!((err.offset, err.len), (19, 8));
//! assert!(err.message.contains("did you mean `sanctions`?"));
//! ```

use std::collections::HashMap;
use std::fmt;

// ===================================================================== limits

/// Longest formula source [`compile`] accepts, in bytes.
pub const MAX_SOURCE_LEN: usize = 100_000;

/// Deepest nesting of parentheses, function calls, prefix operators (`-`,
/// `not`) and exponents (`2^2^2...`) that [`compile`] accepts.
pub const MAX_NESTING: usize = 64;

/// Most operations a formula may chain: the depth of its syntax tree, where
/// `a + b + c` counts 2 and every argument of a function call counts 1.
pub const MAX_TREE_DEPTH: usize = 256;

/// Number of evaluation stack slots; [`compile`] rejects formulas needing
/// more. Operands are ordered to need few slots: a sum or product of any
/// length needs at most 2, and needing more than 8 takes at least 256 terms
/// arranged as a balanced tree.
pub const STACK_SIZE: usize = 8;

const STACK_MASK: usize = STACK_SIZE - 1;
const _: () = assert!(STACK_SIZE.is_power_of_two());

// ====================================================================== types

/// The type of a formula or of a value in one, checked when compiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A number (`f64`).
    Num,
    /// A truth value; at run time false is `0.0` and true is `1.0`.
    Bool,
}

impl fmt::Display for ValueType {
    /// `a number` or `true/false`, as used in error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueType::Num => "a number",
            ValueType::Bool => "true/false",
        })
    }
}

/// What a name in a [`Symbols`] table stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Symbol {
    /// A value known at load time, folded into compiled code.
    Const {
        /// The value (`0.0`/`1.0` for [`ValueType::Bool`]).
        value: f64,
        /// Its type.
        ty: ValueType,
    },
    /// A value read from `vars[slot]` by [`Expr::eval`].
    Var {
        /// Index into the `vars` slice.
        slot: usize,
        /// Its type.
        ty: ValueType,
    },
}

impl Symbol {
    /// The type of the constant or variable.
    pub fn value_type(&self) -> ValueType {
        match *self {
            Symbol::Const { ty, .. } | Symbol::Var { ty, .. } => ty,
        }
    }
}

/// The names a formula may use, with what they stand for: a compile-time
/// name table passed to [`compile`].
///
/// Inserting a name again replaces its earlier meaning. Names should follow
/// the formula syntax (`[A-Za-z_][A-Za-z0-9_]*`, optionally dotted) and not
/// be keywords (`and`, `or`, `not`, `true`, `false`); other names can be
/// inserted but never referenced.
#[derive(Clone, Debug)]
pub struct Symbols {
    context: String,
    names: HashMap<String, Symbol>,
}

impl Symbols {
    /// An empty table. `context` describes the names allowed here, for
    /// error messages ("unknown name `x` (known names in this context:
    /// {context})"), e.g. `"parameters and state variables"`.
    pub fn new(context: impl Into<String>) -> Self {
        Symbols {
            context: context.into(),
            names: HashMap::new(),
        }
    }

    /// Defines `name` as a constant known at load time, folded into the
    /// compiled code. For [`ValueType::Bool`], any non-zero `value`
    /// (including NaN) is stored as true (`1.0`) and zero as false (`0.0`).
    pub fn insert_const(&mut self, name: &str, value: f64, ty: ValueType) {
        let value = match ty {
            ValueType::Num => value,
            ValueType::Bool => bool_f(value != 0.0),
        };
        self.names
            .insert(name.to_owned(), Symbol::Const { value, ty });
    }

    /// Defines `name` as a variable that [`Expr::eval`] reads from
    /// `vars[slot]`. A [`ValueType::Bool`] variable must hold `0.0` or `1.0`.
    pub fn insert_var(&mut self, name: &str, slot: usize, ty: ValueType) {
        self.names.insert(name.to_owned(), Symbol::Var { slot, ty });
    }

    /// What `name` stands for, if it is defined.
    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.names.get(name).copied()
    }

    /// The description of the allowed names given to [`Symbols::new`].
    pub fn context(&self) -> &str {
        &self.context
    }

    /// Number of defined names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is defined.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

// ===================================================================== errors

/// Why a formula does not compile, and where.
///
/// `offset` and `len` are a byte range of the source (always on `char`
/// boundaries and within the source) covering the offending token or
/// sub-formula; `len` is 0 for "unexpected end of formula", at the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the source of the offending token.
    pub offset: usize,
    /// Length in bytes of the offending token or sub-formula.
    pub len: usize,
    /// A human-readable description of the problem.
    pub message: String,
}

impl ExprError {
    fn new(span: Span, message: impl Into<String>) -> Self {
        ExprError {
            offset: span.start,
            len: span.end.saturating_sub(span.start),
            message: message.into(),
        }
    }

    /// The line of `src` holding the error, then a line marking the
    /// offending part with `^` followed by the message, e.g.
    ///
    /// ```text
    /// economy - 0.1 * sanctons
    ///                 ^^^^^^^^ unknown name `sanctons` (...)
    /// ```
    ///
    /// `src` should be the source the error came from; any other string
    /// gives a garbled picture but no panic.
    pub fn render(&self, src: &str) -> String {
        let mut start = self.offset.min(src.len());
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let mut end = self.offset.saturating_add(self.len).clamp(start, line_end);
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        let line = src[line_start..line_end].trim_end_matches('\r');
        let pad: String = src[line_start..start]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(src[start..end].chars().count().max(1));
        format!("{line}\n{pad}{carets} {}", self.message)
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ExprError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    fn to(self, other: Span) -> Span {
        Span::new(self.start, other.end)
    }
}

// ================================================================= operations

/// One-operand operations, both prefix operators and functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnOp {
    Neg,
    Not,
    Abs,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Floor,
    Ceil,
    Round,
}

/// Two-operand operations, both infix operators and functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// The non-commutative operations with a reversed-operand instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RevOp {
    Sub,
    Div,
    Pow,
}

#[inline(always)]
fn bool_f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// IEEE 754-2019 `minimum`: NaN if either is NaN, −0 < +0; commutative.
#[inline(always)]
fn min_f(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else if b < a {
        b
    } else if a == b {
        // Equal: the same bits, or +0 and −0, where −0 (sign bit set) wins.
        f64::from_bits(a.to_bits() | b.to_bits())
    } else {
        a + b // at least one NaN
    }
}

/// IEEE 754-2019 `maximum`: NaN if either is NaN, −0 < +0; commutative.
#[inline(always)]
fn max_f(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else if b > a {
        b
    } else if a == b {
        f64::from_bits(a.to_bits() & b.to_bits())
    } else {
        a + b
    }
}

/// The one definition of every one-operand operation, shared by constant
/// folding and the interpreter.
#[inline(always)]
fn apply_un(op: UnOp, x: f64) -> f64 {
    match op {
        UnOp::Neg => -x,
        UnOp::Not => 1.0 - x,
        UnOp::Abs => x.abs(),
        UnOp::Sqrt => x.sqrt(),
        UnOp::Exp => libm::exp(x),
        UnOp::Ln => libm::log(x),
        UnOp::Log10 => libm::log10(x),
        UnOp::Floor => x.floor(),
        UnOp::Ceil => x.ceil(),
        UnOp::Round => x.round(),
    }
}

/// The one definition of every two-operand operation, shared by constant
/// folding and the interpreter.
#[inline(always)]
fn apply_bin(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => libm::pow(a, b),
        BinOp::Min => min_f(a, b),
        BinOp::Max => max_f(a, b),
        BinOp::Lt => bool_f(a < b),
        BinOp::Le => bool_f(a <= b),
        BinOp::Gt => bool_f(a > b),
        BinOp::Ge => bool_f(a >= b),
        BinOp::Eq => bool_f(a == b),
        BinOp::Ne => bool_f(a != b),
        BinOp::And => bool_f((a != 0.0) & (b != 0.0)),
        BinOp::Or => bool_f((a != 0.0) | (b != 0.0)),
    }
}

// ===================================================================== lexer

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
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
struct Token {
    tok: Tok,
    span: Span,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Characters that glue onto a number or a name, making it malformed.
fn is_word_char(b: u8) -> bool {
    is_ident_continue(b) || b == b'.'
}

struct Lexer<'s> {
    src: &'s str,
    /// Always on a `char` boundary.
    pos: usize,
}

impl<'s> Lexer<'s> {
    fn next_token(&mut self) -> Result<Token, ExprError> {
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
    fn word_end(&self, mut i: usize) -> usize {
        let b = self.src.as_bytes();
        while i < b.len() && is_word_char(b[i]) {
            i += 1;
        }
        i
    }

    fn digits_end(&self, mut i: usize) -> usize {
        let b = self.src.as_bytes();
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    }

    fn malformed_number(&self, start: usize, from: usize) -> ExprError {
        let end = self.word_end(from);
        ExprError::new(
            Span::new(start, end),
            format!("malformed number `{}`", &self.src[start..end]),
        )
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`, or `. digits ...`.
    fn number(&mut self, start: usize) -> Result<Token, ExprError> {
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
    fn word(&mut self, start: usize) -> Result<Token, ExprError> {
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

// ==================================================================== parser

#[derive(Debug)]
struct Node {
    kind: NodeKind,
    span: Span,
    /// Depth of the tree below and including this node (a bound on the
    /// recursion depth of every later pass).
    depth: usize,
}

#[derive(Debug)]
enum NodeKind {
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
fn infix(tok: Tok) -> Option<(BinOp, u8, u8)> {
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
const NOT_OPERAND: u8 = 5;
/// The operand of prefix `-` is a power or anything tighter.
const NEG_OPERAND: u8 = 13;

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
    )
}

/// A Pratt parser. It recurses once per level of parentheses, function
/// call, prefix operator or `^` (bounded by [`MAX_NESTING`]) plus at most
/// once per precedence level, and stops at the first error. Error messages
/// are built in separate cold functions to keep the recursive frames small.
struct Parser<'s> {
    src: &'s str,
    lexer: Lexer<'s>,
    peeked: Option<Token>,
    nesting: usize,
}

impl<'s> Parser<'s> {
    fn parse(src: &'s str) -> Result<Node, ExprError> {
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

    fn peek(&mut self) -> Result<Token, ExprError> {
        match self.peeked {
            Some(t) => Ok(t),
            None => {
                let t = self.lexer.next_token()?;
                self.peeked = Some(t);
                Ok(t)
            }
        }
    }

    fn bump(&mut self) -> Result<Token, ExprError> {
        let t = self.peek()?;
        self.peeked = None;
        Ok(t)
    }

    fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    fn describe(&self, t: Token) -> String {
        match t.tok {
            Tok::End => "the end of the formula".to_owned(),
            _ => format!("`{}`", self.text(t.span)),
        }
    }

    fn enter(&mut self, span: Span) -> Result<(), ExprError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(nesting_error(span));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    fn make(kind: NodeKind, span: Span, depth: usize, at: Span) -> Result<Node, ExprError> {
        if depth > MAX_TREE_DEPTH {
            return Err(depth_error(at));
        }
        Ok(Node { kind, span, depth })
    }

    fn binary(op: BinOp, op_span: Span, l: Node, r: Node) -> Result<Node, ExprError> {
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
    fn expr(&mut self, min: u8) -> Result<Node, ExprError> {
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
    fn prefix(&mut self) -> Result<Node, ExprError> {
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

    fn parenthesised(&mut self, open: Span) -> Result<Node, ExprError> {
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

    fn call(&mut self, name: Span) -> Result<Node, ExprError> {
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
    fn trailing_error(&self, t: Token) -> ExprError {
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
    fn value_error(&self, t: Token) -> ExprError {
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
    fn chained_error(&self, t: Token) -> ExprError {
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
    fn close_error(&self, open: Span, found: Token) -> ExprError {
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
    fn arguments_error(&self, name: Span, open: Span, found: Token) -> ExprError {
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
fn nesting_error(at: Span) -> ExprError {
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
fn depth_error(at: Span) -> ExprError {
    ExprError::new(
        at,
        format!(
            "formula is too long: more than {MAX_TREE_DEPTH} operations are chained here; \
             split it into smaller formulas"
        ),
    )
}

// ========================================================== names and types

#[derive(Clone, Copy, Debug)]
enum Func {
    Unary(UnOp),
    Pow,
    Min,
    Max,
    Clamp,
    If,
}

/// Alphabetical, as listed in error messages.
const FUNCTIONS: [(&str, Func); 13] = [
    ("abs", Func::Unary(UnOp::Abs)),
    ("ceil", Func::Unary(UnOp::Ceil)),
    ("clamp", Func::Clamp),
    ("exp", Func::Unary(UnOp::Exp)),
    ("floor", Func::Unary(UnOp::Floor)),
    ("if", Func::If),
    ("ln", Func::Unary(UnOp::Ln)),
    ("log10", Func::Unary(UnOp::Log10)),
    ("max", Func::Max),
    ("min", Func::Min),
    ("pow", Func::Pow),
    ("round", Func::Unary(UnOp::Round)),
    ("sqrt", Func::Unary(UnOp::Sqrt)),
];

fn find_function(name: &str) -> Option<Func> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

fn function_list() -> String {
    FUNCTIONS.map(|(n, _)| n).join(", ")
}

/// Optimal-string-alignment edit distance, ignoring ASCII case.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "`a`", "`a` or `b`" or "`a`, `b` or `c`": the candidates closest to
/// `name` within edit distance 2 (1 for names of up to 3 characters).
fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    if name.len() > 64 {
        return None;
    }
    let limit = if name.chars().count() <= 3 { 1 } else { 2 };
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(name.len()) <= limit && *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .collect();
    close.sort_unstable();
    close.dedup();
    let best = close.first()?.0;
    let names: Vec<String> = close
        .iter()
        .take_while(|(d, _)| *d == best)
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect();
    Some(match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    })
}

/// Resolves names, checks types and builds the folded [`Ir`].
struct Checker<'a> {
    src: &'a str,
    symbols: &'a Symbols,
}

/// A lowered sub-formula and its type.
type Typed = (Ir, ValueType);

// `lower` recurses once per level of the syntax tree, up to
// `MAX_TREE_DEPTH` deep, so the functions on that path keep their frames
// small, even unoptimised: error messages are built in separate cold
// functions.
impl Checker<'_> {
    fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    fn lower(&self, node: &Node) -> Result<Typed, ExprError> {
        match &node.kind {
            NodeKind::Num(v) => Ok((Ir::Const(*v), ValueType::Num)),
            NodeKind::Bool(b) => Ok((Ir::Const(bool_f(*b)), ValueType::Bool)),
            NodeKind::Name(span) => self.name(*span),
            NodeKind::Unary { op, op_span, x } => self.lower_unary(*op, *op_span, x),
            NodeKind::Binary { op, op_span, l, r } => self.lower_binary(*op, *op_span, l, r),
            NodeKind::Call { name, args } => self.call(node.span, *name, args),
        }
    }

    fn lower_unary(&self, op: UnOp, op_span: Span, x: &Node) -> Result<Typed, ExprError> {
        let want = if op == UnOp::Not {
            ValueType::Bool
        } else {
            ValueType::Num
        };
        let (ir, ty) = self.lower(x)?;
        if ty != want {
            return Err(self.unary_type_error(op_span, want, ty, x.span));
        }
        Ok((Ir::unary(op, ir), want))
    }

    fn lower_binary(
        &self,
        op: BinOp,
        op_span: Span,
        l: &Node,
        r: &Node,
    ) -> Result<Typed, ExprError> {
        let (operands, result) = match op {
            BinOp::And | BinOp::Or => (ValueType::Bool, ValueType::Bool),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                (ValueType::Num, ValueType::Bool)
            }
            _ => (ValueType::Num, ValueType::Num),
        };
        let (l_ir, l_ty) = self.lower(l)?;
        if l_ty != operands {
            return Err(self.binary_type_error(op_span, operands, "left", l_ty, l.span));
        }
        let (r_ir, r_ty) = self.lower(r)?;
        if r_ty != operands {
            return Err(self.binary_type_error(op_span, operands, "right", r_ty, r.span));
        }
        Ok((Ir::binary(op, l_ir, r_ir), result))
    }

    #[cold]
    #[inline(never)]
    fn unary_type_error(
        &self,
        op_span: Span,
        want: ValueType,
        got: ValueType,
        at: Span,
    ) -> ExprError {
        let op = self.text(op_span);
        ExprError::new(
            at,
            format!("`{op}` expects {want}, but its operand is {got}"),
        )
    }

    #[cold]
    #[inline(never)]
    fn binary_type_error(
        &self,
        op_span: Span,
        want: ValueType,
        side: &str,
        got: ValueType,
        at: Span,
    ) -> ExprError {
        let op = self.text(op_span);
        let what = match want {
            ValueType::Num => "numbers",
            ValueType::Bool => "true/false operands",
        };
        ExprError::new(
            at,
            format!("`{op}` expects {what}, but the {side} side is {got}"),
        )
    }

    fn name(&self, span: Span) -> Result<Typed, ExprError> {
        let name = self.text(span);
        match self.symbols.get(name) {
            Some(Symbol::Const { value, ty }) => Ok((Ir::Const(value), ty)),
            Some(Symbol::Var { slot, ty }) => match u32::try_from(slot) {
                Ok(slot) => Ok((Ir::Var(slot), ty)),
                Err(_) => Err(self.name_error(span)),
            },
            None => Err(self.name_error(span)),
        }
    }

    #[cold]
    #[inline(never)]
    fn name_error(&self, span: Span) -> ExprError {
        let name = self.text(span);
        if let Some(Symbol::Var { slot, .. }) = self.symbols.get(name) {
            let message = format!(
                "`{name}` is variable slot {slot}, but slots above {} are not supported",
                u32::MAX
            );
            return ExprError::new(span, message);
        }
        if find_function(name).is_some() {
            let message =
                format!("`{name}` is a function; call it with arguments, e.g. `{name}(...)`");
            return ExprError::new(span, message);
        }
        let mut message = format!(
            "unknown name `{name}` (known names in this context: {}",
            self.symbols.context
        );
        let candidates = self.symbols.names.keys().map(String::as_str);
        if let Some(s) = did_you_mean(name, candidates.chain(["true", "false"])) {
            message += &format!("; did you mean {s}?");
        }
        message.push(')');
        ExprError::new(span, message)
    }

    #[cold]
    #[inline(never)]
    fn function_error(&self, name_span: Span) -> ExprError {
        let name = self.text(name_span);
        let mut message = if self.symbols.get(name).is_some() {
            format!(
                "`{name}` is not a function (known functions: {}",
                function_list()
            )
        } else {
            format!(
                "unknown function `{name}` (known functions: {}",
                function_list()
            )
        };
        if let Some(s) = did_you_mean(name, FUNCTIONS.map(|(n, _)| n)) {
            message += &format!("; did you mean {s}?");
        }
        message.push(')');
        ExprError::new(name_span, message)
    }

    #[cold]
    #[inline(never)]
    fn arity_error(&self, span: Span, name: &str, func: Func, got: usize) -> ExprError {
        let expects = match func {
            Func::Unary(_) => "1 argument",
            Func::Pow => "2 arguments",
            Func::Clamp | Func::If => "3 arguments",
            Func::Min | Func::Max => "at least 2 arguments",
        };
        ExprError::new(span, format!("`{name}` expects {expects}, got {got}"))
    }

    #[cold]
    #[inline(never)]
    fn argument_type_error(
        &self,
        func: &str,
        args: &[Node],
        i: usize,
        got: ValueType,
    ) -> ExprError {
        let message = if args.len() == 1 {
            format!("`{func}` expects a number, but its argument is {got}")
        } else {
            format!("`{func}` expects numbers, but argument {} is {got}", i + 1)
        };
        let span = args.get(i).map_or(Span::new(0, 0), |a| a.span);
        ExprError::new(span, message)
    }

    #[cold]
    #[inline(never)]
    fn if_error(
        &self,
        span: Span,
        cond: Option<ValueType>,
        branches: (ValueType, ValueType),
    ) -> ExprError {
        match cond {
            Some(got) => ExprError::new(
                span,
                format!(
                    "`if` expects a condition (true/false) as its first argument, but it is {got}"
                ),
            ),
            None => ExprError::new(
                span,
                format!(
                    "`if` branches must have the same type, but the second argument is {} and \
                     the third is {}",
                    branches.0, branches.1
                ),
            ),
        }
    }

    fn num_arg(&self, func: &str, args: &[Node], i: usize) -> Result<Ir, ExprError> {
        let Some(arg) = args.get(i) else {
            // Unreachable: callers check the number of arguments first.
            return Err(self.argument_type_error(func, args, i, ValueType::Bool));
        };
        let (ir, ty) = self.lower(arg)?;
        if ty != ValueType::Num {
            return Err(self.argument_type_error(func, args, i, ty));
        }
        Ok(ir)
    }

    fn call(&self, span: Span, name_span: Span, args: &[Node]) -> Result<Typed, ExprError> {
        let name = self.text(name_span);
        let Some(func) = find_function(name) else {
            return Err(self.function_error(name_span));
        };
        let num = ValueType::Num;
        match (func, args) {
            (Func::Unary(op), [_]) => Ok((Ir::unary(op, self.num_arg(name, args, 0)?), num)),
            (Func::Pow, [_, _]) => {
                let a = self.num_arg(name, args, 0)?;
                let b = self.num_arg(name, args, 1)?;
                Ok((Ir::binary(BinOp::Pow, a, b), num))
            }
            (Func::Min | Func::Max, [_, _, ..]) => {
                let op = if matches!(func, Func::Min) {
                    BinOp::Min
                } else {
                    BinOp::Max
                };
                let mut acc = self.num_arg(name, args, 0)?;
                for i in 1..args.len() {
                    acc = Ir::binary(op, acc, self.num_arg(name, args, i)?);
                }
                Ok((acc, num))
            }
            (Func::Clamp, [_, _, _]) => {
                let x = self.num_arg(name, args, 0)?;
                let lo = self.num_arg(name, args, 1)?;
                let hi = self.num_arg(name, args, 2)?;
                let max = Ir::binary(BinOp::Max, x, lo);
                Ok((Ir::binary(BinOp::Min, max, hi), num))
            }
            (Func::If, [c, a, b]) => {
                let (c_ir, c_ty) = self.lower(c)?;
                if c_ty != ValueType::Bool {
                    return Err(self.if_error(c.span, Some(c_ty), (num, num)));
                }
                let (a_ir, a_ty) = self.lower(a)?;
                let (b_ir, b_ty) = self.lower(b)?;
                if a_ty != b_ty {
                    return Err(self.if_error(span, None, (a_ty, b_ty)));
                }
                Ok((Ir::cond(c_ir, a_ir, b_ir), a_ty))
            }
            _ => Err(self.arity_error(span, name, func, args.len())),
        }
    }
}

// ======================================================= folded intermediate

/// A typed, resolved and constant-folded formula. Composite nodes carry the
/// number of stack slots their evaluation needs (Sethi–Ullman numbering,
/// where a constant or variable operand costs nothing because instructions
/// take it directly).
#[derive(Debug)]
enum Ir {
    Const(f64),
    Var(u32),
    Unary(UnOp, Box<Ir>, usize),
    Binary(BinOp, Box<Ir>, Box<Ir>, usize),
    If(Box<Ir>, Box<Ir>, Box<Ir>, usize),
}

/// Where an instruction's second operand comes from.
#[derive(Clone, Copy, Debug)]
enum Operand {
    Stack,
    Const(f64),
    Var(u32),
}

impl Ir {
    fn need(&self) -> usize {
        match self {
            Ir::Const(_) | Ir::Var(_) => 1,
            Ir::Unary(.., n) | Ir::Binary(.., n) | Ir::If(.., n) => *n,
        }
    }

    fn operand(&self) -> Option<Operand> {
        match *self {
            Ir::Const(c) => Some(Operand::Const(c)),
            Ir::Var(s) => Some(Operand::Var(s)),
            _ => None,
        }
    }

    fn unary(op: UnOp, x: Ir) -> Ir {
        match x {
            Ir::Const(c) => Ir::Const(apply_un(op, c)),
            x => {
                let need = x.need();
                Ir::Unary(op, Box::new(x), need)
            }
        }
    }

    fn binary(op: BinOp, l: Ir, r: Ir) -> Ir {
        match (op, l.operand(), r.operand()) {
            (_, Some(Operand::Const(a)), Some(Operand::Const(b))) => {
                return Ir::Const(apply_bin(op, a, b));
            }
            // Boolean operands are 0/1, so these are exact.
            (BinOp::And, Some(Operand::Const(a)), _) => {
                return if a != 0.0 { r } else { Ir::Const(0.0) };
            }
            (BinOp::And, _, Some(Operand::Const(b))) => {
                return if b != 0.0 { l } else { Ir::Const(0.0) };
            }
            (BinOp::Or, Some(Operand::Const(a)), _) => {
                return if a != 0.0 { Ir::Const(1.0) } else { r };
            }
            (BinOp::Or, _, Some(Operand::Const(b))) => {
                return if b != 0.0 { Ir::Const(1.0) } else { l };
            }
            _ => {}
        }
        let need = match (l.operand(), r.operand()) {
            (_, Some(_)) => l.need(),
            (Some(_), None) => r.need(),
            (None, None) => {
                let (a, b) = (l.need(), r.need());
                if a == b { a + 1 } else { a.max(b) }
            }
        };
        Ir::Binary(op, Box::new(l), Box::new(r), need)
    }

    fn cond(c: Ir, a: Ir, b: Ir) -> Ir {
        if let Ir::Const(v) = c {
            return if v != 0.0 { a } else { b };
        }
        let need = c.need().max(a.need()).max(b.need());
        Ir::If(Box::new(c), Box::new(a), Box::new(b), need)
    }
}

// ================================================================== bytecode

/// Defines the instruction set, the mapping from operations to instructions
/// and the interpreter from one list, so that they cannot disagree.
///
/// The machine keeps the top of its stack in a register (`acc`) and the
/// rest in `stack[..sp]`. Each two-operand operation `B` has five forms:
///
/// * `B`: pops the left operand; the right one is the top (`acc`);
/// * `BC(c)`, `BV(s)`: the left operand is the top, the right one a
///   constant or `vars[s]`;
/// * `BVC(s, c)`, `BVV(s, t)`: pushes `vars[s] B c` or `vars[s] B vars[t]`.
///
/// The non-commutative `Sub`, `Div` and `Pow` also have reversed forms
/// (`RSub`: top minus popped; `RSubC(c)`: `c - top`; `RSubV(s)`:
/// `vars[s] - top`; `RSubVC(s, c)`: pushes `c - vars[s]`).
macro_rules! bytecode {
    (
        unary: [$($U:ident),* $(,)?],
        binary: [$($B:ident => $BS:ident $BC:ident $BV:ident $BVC:ident $BVV:ident),* $(,)?],
        reversed: [$($R:ident => $RS:ident $RC:ident $RV:ident $RVC:ident),* $(,)?] $(,)?
    ) => {
        /// One bytecode instruction.
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Op {
            /// Push a constant.
            PushC(f64),
            /// Push `vars[slot]`.
            PushV(u32),
            /// Pop the condition; jump to the index if it is zero.
            JumpIfFalse(u32),
            /// Jump to the index.
            Jump(u32),
            $($U,)*
            $($BS, $BC(f64), $BV(u32), $BVC(u32, f64), $BVV(u32, u32),)*
            $($RS, $RC(f64), $RV(u32), $RVC(u32, f64),)*
        }

        impl Op {
            fn unary(op: UnOp) -> Op {
                match op {
                    $(UnOp::$U => Op::$U,)*
                }
            }

            /// `top op right`, or `popped op top` for [`Operand::Stack`].
            fn binary(op: BinOp, right: Operand) -> Op {
                match (op, right) {
                    $(
                        (BinOp::$B, Operand::Stack) => Op::$BS,
                        (BinOp::$B, Operand::Const(c)) => Op::$BC(c),
                        (BinOp::$B, Operand::Var(s)) => Op::$BV(s),
                    )*
                }
            }

            /// Push `vars[s] op c`.
            fn binary_vc(op: BinOp, s: u32, c: f64) -> Op {
                match op {
                    $(BinOp::$B => Op::$BVC(s, c),)*
                }
            }

            /// Push `vars[s] op vars[t]`.
            fn binary_vv(op: BinOp, s: u32, t: u32) -> Op {
                match op {
                    $(BinOp::$B => Op::$BVV(s, t),)*
                }
            }

            /// `left op top`, or `top op popped` for [`Operand::Stack`].
            fn reversed(op: RevOp, left: Operand) -> Op {
                match (op, left) {
                    $(
                        (RevOp::$R, Operand::Stack) => Op::$RS,
                        (RevOp::$R, Operand::Const(c)) => Op::$RC(c),
                        (RevOp::$R, Operand::Var(s)) => Op::$RV(s),
                    )*
                }
            }

            /// Push `c op vars[s]`.
            fn reversed_vc(op: RevOp, s: u32, c: f64) -> Op {
                match op {
                    $(RevOp::$R => Op::$RVC(s, c),)*
                }
            }

            /// The variable slots the instruction reads.
            fn slots(self) -> [Option<u32>; 2] {
                match self {
                    Op::PushV(s) $(| Op::$BV(s) | Op::$BVC(s, _))* $(| Op::$RV(s) | Op::$RVC(s, _))* => {
                        [Some(s), None]
                    }
                    $(Op::$BVV(s, t) => [Some(s), Some(t)],)*
                    _ => [None, None],
                }
            }
        }

        /// Runs bytecode whose stack depth [`Codegen`] has checked.
        ///
        /// Indexing `stack` with `sp & STACK_MASK` costs no bounds check and
        /// cannot panic; since the code never needs more than `STACK_SIZE`
        /// slots, the mask never changes the index. Only `vars[slot]` can
        /// panic, when `vars` is too short.
        fn run(ops: &[Op], vars: &[f64]) -> f64 {
            let mut stack = [0.0_f64; STACK_SIZE];
            let mut sp = 0_usize;
            let mut acc = 0.0_f64;
            let mut code = ops.iter();
            macro_rules! push {
                ($value:expr) => {{
                    let value = $value;
                    stack[sp & STACK_MASK] = acc;
                    sp = sp.wrapping_add(1);
                    acc = value;
                }};
            }
            macro_rules! pop {
                () => {{
                    sp = sp.wrapping_sub(1);
                    stack[sp & STACK_MASK]
                }};
            }
            macro_rules! var {
                ($s:expr) => {
                    vars[$s as usize]
                };
            }
            while let Some(&op) = code.next() {
                match op {
                    Op::PushC(c) => push!(c),
                    Op::PushV(s) => push!(var!(s)),
                    Op::JumpIfFalse(target) => {
                        let c = acc;
                        acc = pop!();
                        if c == 0.0 {
                            code = ops.get(target as usize..).unwrap_or_default().iter();
                        }
                    }
                    Op::Jump(target) => {
                        code = ops.get(target as usize..).unwrap_or_default().iter();
                    }
                    $(Op::$U => acc = apply_un(UnOp::$U, acc),)*
                    $(
                        Op::$BS => acc = apply_bin(BinOp::$B, pop!(), acc),
                        Op::$BC(c) => acc = apply_bin(BinOp::$B, acc, c),
                        Op::$BV(s) => acc = apply_bin(BinOp::$B, acc, var!(s)),
                        Op::$BVC(s, c) => push!(apply_bin(BinOp::$B, var!(s), c)),
                        Op::$BVV(s, t) => push!(apply_bin(BinOp::$B, var!(s), var!(t))),
                    )*
                    $(
                        Op::$RS => acc = apply_bin(BinOp::$R, acc, pop!()),
                        Op::$RC(c) => acc = apply_bin(BinOp::$R, c, acc),
                        Op::$RV(s) => acc = apply_bin(BinOp::$R, var!(s), acc),
                        Op::$RVC(s, c) => push!(apply_bin(BinOp::$R, c, var!(s))),
                    )*
                }
            }
            acc
        }
    };
}

bytecode! {
    unary: [Neg, Not, Abs, Sqrt, Exp, Ln, Log10, Floor, Ceil, Round],
    binary: [
        Add => Add AddC AddV AddVC AddVV,
        Sub => Sub SubC SubV SubVC SubVV,
        Mul => Mul MulC MulV MulVC MulVV,
        Div => Div DivC DivV DivVC DivVV,
        Pow => Pow PowC PowV PowVC PowVV,
        Min => Min MinC MinV MinVC MinVV,
        Max => Max MaxC MaxV MaxVC MaxVV,
        Lt => Lt LtC LtV LtVC LtVV,
        Le => Le LeC LeV LeVC LeVV,
        Gt => Gt GtC GtV GtVC GtVV,
        Ge => Ge GeC GeV GeVC GeVV,
        Eq => Eq EqC EqV EqVC EqVV,
        Ne => Ne NeC NeV NeVC NeVV,
        And => And AndC AndV AndVC AndVV,
        Or => Or OrC OrV OrVC OrVV,
    ],
    reversed: [
        Sub => RSub RSubC RSubV RSubVC,
        Div => RDiv RDivC RDivV RDivVC,
        Pow => RPow RPowC RPowV RPowVC,
    ],
}

impl BinOp {
    /// `Ok(swapped)` such that `a op b == b swapped a` for all `a` and `b`
    /// (bit for bit, NaN payloads aside), or `Err` naming the reversed
    /// instructions to use instead.
    fn swapped(self) -> Result<BinOp, RevOp> {
        match self {
            BinOp::Add
            | BinOp::Mul
            | BinOp::Min
            | BinOp::Max
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::And
            | BinOp::Or => Ok(self),
            BinOp::Lt => Ok(BinOp::Gt),
            BinOp::Le => Ok(BinOp::Ge),
            BinOp::Gt => Ok(BinOp::Lt),
            BinOp::Ge => Ok(BinOp::Le),
            BinOp::Sub => Err(RevOp::Sub),
            BinOp::Div => Err(RevOp::Div),
            BinOp::Pow => Err(RevOp::Pow),
        }
    }
}

impl Op {
    /// `left op top`, or `top op popped` for [`Operand::Stack`].
    fn binary_rev(op: BinOp, left: Operand) -> Op {
        match op.swapped() {
            Ok(op) => Op::binary(op, left),
            Err(rev) => Op::reversed(rev, left),
        }
    }

    /// Push `left op right` for two constant or variable operands, unless
    /// both are constants (which folding has removed).
    fn leaves(op: BinOp, left: Operand, right: Operand) -> Option<Op> {
        match (left, right) {
            (Operand::Var(s), Operand::Const(c)) => Some(Op::binary_vc(op, s, c)),
            (Operand::Var(s), Operand::Var(t)) => Some(Op::binary_vv(op, s, t)),
            (Operand::Const(c), Operand::Var(s)) => Some(match op.swapped() {
                Ok(op) => Op::binary_vc(op, s, c),
                Err(rev) => Op::reversed_vc(rev, s, c),
            }),
            _ => None,
        }
    }
}

/// Emits bytecode for an [`Ir`], tracking the exact stack depth.
#[derive(Default)]
struct Codegen {
    ops: Vec<Op>,
    depth: usize,
    max_depth: usize,
}

impl Codegen {
    fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    /// The index the next instruction will have, for jumps.
    fn here(&self) -> u32 {
        u32::try_from(self.ops.len()).unwrap_or(u32::MAX)
    }

    fn emit(&mut self, ir: &Ir) {
        match ir {
            Ir::Const(c) => self.push(Op::PushC(*c)),
            Ir::Var(s) => self.push(Op::PushV(*s)),
            Ir::Unary(op, x, _) => {
                self.emit(x);
                self.ops.push(Op::unary(*op));
            }
            Ir::Binary(op, l, r, _) => match (l.operand(), r.operand()) {
                (Some(left), Some(right)) => match Op::leaves(*op, left, right) {
                    Some(fused) => self.push(fused),
                    None => {
                        self.emit(l);
                        self.ops.push(Op::binary(*op, right));
                    }
                },
                (None, Some(right)) => {
                    self.emit(l);
                    self.ops.push(Op::binary(*op, right));
                }
                (Some(left), None) => {
                    self.emit(r);
                    self.ops.push(Op::binary_rev(*op, left));
                }
                (None, None) => {
                    if l.need() >= r.need() {
                        self.emit(l);
                        self.emit(r);
                        self.ops.push(Op::binary(*op, Operand::Stack));
                    } else {
                        self.emit(r);
                        self.emit(l);
                        self.ops.push(Op::binary_rev(*op, Operand::Stack));
                    }
                    self.depth -= 1;
                }
            },
            Ir::If(c, a, b, _) => {
                self.emit(c);
                let jump_if_false = self.ops.len();
                self.ops.push(Op::JumpIfFalse(0));
                self.depth -= 1;
                self.emit(a);
                let jump = self.ops.len();
                self.ops.push(Op::Jump(0));
                self.depth -= 1;
                self.ops[jump_if_false] = Op::JumpIfFalse(self.here());
                self.emit(b);
                self.ops[jump] = Op::Jump(self.here());
            }
        }
    }
}

// ============================================================ compiled form

#[derive(Clone, Debug)]
enum Code {
    Const(f64),
    Var(usize),
    Ops(Box<[Op]>),
}

/// A compiled formula, ready to be evaluated with [`Expr::eval`].
///
/// Made by [`compile`]; `Clone`, `Send` and `Sync`. Its `Debug` output
/// shows the source and the bytecode.
#[derive(Clone, Debug)]
pub struct Expr {
    source: Box<str>,
    ty: ValueType,
    code: Code,
    /// Distinct variable slots read, ascending.
    slots: Box<[usize]>,
    /// Stack slots used by `code` (0 for a constant); shown by `Debug`.
    #[allow(dead_code)]
    stack_depth: usize,
}

/// Compiles the formula `src`, whose names are looked up in `symbols` and
/// whose type must be `expected`.
///
/// # Errors
///
/// An [`ExprError`] locating and describing the first problem found: a
/// syntax error, an unknown name or function, a wrong number of function
/// arguments, a type error, a formula of the wrong type, or a formula
/// beyond the [limits](self#limits). Never panics.
pub fn compile(src: &str, symbols: &Symbols, expected: ValueType) -> Result<Expr, ExprError> {
    compile_with_stack(src, symbols, expected, STACK_SIZE)
}

fn compile_with_stack(
    src: &str,
    symbols: &Symbols,
    expected: ValueType,
    stack_size: usize,
) -> Result<Expr, ExprError> {
    let node = Parser::parse(src)?;
    let (ir, ty) = Checker { src, symbols }.lower(&node)?;
    if ty != expected {
        return Err(ExprError::new(
            node.span,
            format!("expected {expected} but this formula is {ty}"),
        ));
    }
    let (code, stack_depth) = match ir {
        Ir::Const(c) => (Code::Const(c), 0),
        Ir::Var(s) => (Code::Var(s as usize), 1),
        ir => {
            let mut g = Codegen::default();
            g.emit(&ir);
            if g.max_depth > stack_size.min(STACK_SIZE) {
                return Err(ExprError::new(
                    node.span,
                    format!(
                        "formula is too complex: evaluating it needs {} stack slots but only \
                         {} are available; split it into smaller formulas",
                        g.max_depth,
                        stack_size.min(STACK_SIZE)
                    ),
                ));
            }
            (Code::Ops(g.ops.into_boxed_slice()), g.max_depth)
        }
    };
    let mut slots: Vec<usize> = match &code {
        Code::Const(_) => Vec::new(),
        Code::Var(s) => vec![*s],
        Code::Ops(ops) => ops
            .iter()
            .flat_map(|op| op.slots())
            .flatten()
            .map(|s| s as usize)
            .collect(),
    };
    slots.sort_unstable();
    slots.dedup();
    Ok(Expr {
        source: src.into(),
        ty,
        code,
        slots: slots.into_boxed_slice(),
        stack_depth,
    })
}

impl Expr {
    /// Evaluates the formula, reading variable `slot` from `vars[slot]`.
    ///
    /// For a [`ValueType::Bool`] formula the result is `0.0` or `1.0`
    /// (given `Bool` variables holding `0.0` or `1.0`). Arithmetic follows
    /// IEEE 754: the result may be infinite or NaN, and checking it is up to
    /// the caller. Does not allocate.
    ///
    /// # Panics
    ///
    /// Only if `vars` is too short: it never panics when
    /// `vars.len() > max_slot()` (any slice will do when `max_slot()` is
    /// `None`).
    #[inline]
    pub fn eval(&self, vars: &[f64]) -> f64 {
        match &self.code {
            Code::Const(c) => *c,
            Code::Var(s) => vars[*s],
            Code::Ops(ops) => run(ops, vars),
        }
    }

    /// [`Expr::eval`] for a true/false formula: whether the result is
    /// non-zero.
    ///
    /// # Panics
    ///
    /// As [`Expr::eval`].
    #[inline]
    pub fn eval_bool(&self, vars: &[f64]) -> bool {
        self.eval(vars) != 0.0
    }

    /// `Some(value)` if the whole formula folded to a constant (it reads no
    /// variable).
    pub fn as_const(&self) -> Option<f64> {
        match self.code {
            Code::Const(c) => Some(c),
            _ => None,
        }
    }

    /// The largest variable slot the formula reads, if it reads any.
    /// [`Expr::eval`] needs `vars.len() > max_slot`.
    pub fn max_slot(&self) -> Option<usize> {
        self.slots.last().copied()
    }

    /// The distinct variable slots the formula reads, ascending (after
    /// folding: a variable in a branch of an `if` with a constant condition
    /// that is not taken is not read). For dependency analysis.
    pub fn slots(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots.iter().copied()
    }

    /// The type of the formula, as checked against `expected` by
    /// [`compile`].
    pub fn value_type(&self) -> ValueType {
        self.ty
    }

    /// The source the formula was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValueType::{Bool, Num};
    use proptest::prelude::*;

    const NUM_VARS: [&str; 5] = ["x", "y", "z", "self.bomb_value", "usa.strike_cost"];
    const BOOL_VARS: [&str; 2] = ["flag", "iran.type_x"];
    /// x=2, y=3, z=4, self.bomb_value=0.5, usa.strike_cost=-1, flag=true,
    /// iran.type_x=false, sanctions=10, economy=100.
    const VARS: [f64; 9] = [2.0, 3.0, 4.0, 0.5, -1.0, 1.0, 0.0, 10.0, 100.0];

    fn symbols() -> Symbols {
        let mut s = Symbols::new("parameters and state variables");
        for (i, n) in NUM_VARS.iter().enumerate() {
            s.insert_var(n, i, Num);
        }
        for (i, n) in BOOL_VARS.iter().enumerate() {
            s.insert_var(n, NUM_VARS.len() + i, Bool);
        }
        s.insert_var("sanctions", 7, Num);
        s.insert_var("economy", 8, Num);
        s.insert_const("k", 2.5, Num);
        s.insert_const("big", 1e300, Num);
        s.insert_const("on", 1.0, Bool);
        s.insert_const("off", 0.0, Bool);
        s
    }

    fn compiled(src: &str, ty: ValueType) -> Expr {
        compile(src, &symbols(), ty).unwrap_or_else(|e| panic!("{src:?}:\n{}", e.render(src)))
    }

    fn num(src: &str) -> f64 {
        compiled(src, Num).eval(&VARS)
    }

    fn truth(src: &str) -> f64 {
        compiled(src, Bool).eval(&VARS)
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Asserts that compiling fails with a message containing `needle`,
    /// pointing at the source text `at`; returns the error.
    #[track_caller]
    fn fails(src: &str, ty: ValueType, needle: &str, at: &str) -> ExprError {
        let e = match compile(src, &symbols(), ty) {
            Ok(e) => panic!("{src:?} compiled to {e:?}"),
            Err(e) => e,
        };
        assert!(
            e.message.contains(needle),
            "{src:?}: message {:?} lacks {needle:?}",
            e.message
        );
        let got = &src[e.offset..e.offset + e.len];
        assert_eq!(got, at, "{src:?}: error points at {got:?}: {}", e.message);
        e
    }

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
    fn functions() {
        let table: &[(&str, f64)] = &[
            ("abs(-3)", 3.0),
            ("abs(usa.strike_cost)", 1.0),
            ("sqrt(16)", 4.0),
            ("sqrt(z)", 2.0),
            ("exp(0)", 1.0),
            ("exp(x)", libm::exp(2.0)),
            ("ln(1)", 0.0),
            ("ln(z)", libm::log(4.0)),
            ("log10(1000)", 3.0),
            ("log10(sanctions)", 1.0),
            ("floor(-1.5)", -2.0),
            ("floor(self.bomb_value)", 0.0),
            ("ceil(-1.5)", -1.0),
            ("ceil(self.bomb_value)", 1.0),
            ("round(2.5)", 3.0),
            ("round(-2.5)", -3.0),
            ("round(self.bomb_value)", 1.0),
            ("pow(2, 10)", 1024.0),
            ("pow(x, y)", 8.0),
            ("min(3, 1, 2)", 1.0),
            ("min(z, y, x)", 2.0),
            ("max(3, 1, 2)", 3.0),
            ("max(x, z, y)", 4.0),
            ("min(x, 1)", 1.0),
            ("clamp(5, 0, 1)", 1.0),
            ("clamp(-5, 0, 1)", 0.0),
            ("clamp(0.5, 0, 1)", 0.5),
            ("clamp(z, x, y)", 3.0),
            ("clamp(self.bomb_value, 0, 1)", 0.5),
            ("clamp(x, 5, 1)", 1.0),
            ("if(true, 1, 2)", 1.0),
            ("if(1 > 2, 1, 2)", 2.0),
            ("if(x > 1, x, y)", 2.0),
            ("if(x > 2, x, y)", 3.0),
            ("if(flag, 10, 20) + if(iran.type_x, 1, 2)", 12.0),
            ("min (x , y)", 2.0),
        ];
        for &(src, want) in table {
            let got = num(src);
            assert!(same(got, want), "{src}: got {got}, want {want}");
        }
        assert!(same(truth("if(flag, x < y, false)"), 1.0));
        // IEEE 754-2019 minimum/maximum: NaN wins, -0 < +0, either order.
        assert!(num("min(0/0, 1)").is_nan());
        assert!(num("max(1, 0/0)").is_nan());
        assert!(num("min(x, 0/0)").is_nan());
        assert!(num("min(0, -0)").is_sign_negative());
        assert!(num("min(-0, 0)").is_sign_negative());
        assert!(num("max(0, -0)").is_sign_positive());
        assert!(num("max(-0, 0)").is_sign_positive());
        // IEEE 754 arithmetic, unchecked.
        assert_eq!(num("1 / 0"), f64::INFINITY);
        assert_eq!(num("-1 / (x - 2)"), f64::NEG_INFINITY);
        assert!(num("sqrt(-1)").is_nan());
        assert!(num("0 / (x - 2)").is_nan());
        assert_eq!(num("big * big"), f64::INFINITY);
        // Comparisons with NaN.
        let nan = [f64::NAN; 2];
        let mut s = Symbols::new("test");
        s.insert_var("a", 0, Num);
        s.insert_var("b", 1, Num);
        for (src, want) in [
            ("a < b", 0.0),
            ("a == a", 0.0),
            ("a != b", 1.0),
            ("not a >= b", 1.0),
        ] {
            assert_eq!(compile(src, &s, Bool).unwrap().eval(&nan), want, "{src}");
        }
    }

    #[test]
    fn constant_folding() {
        let folded: &[(&str, f64)] = &[
            ("1 + 2 * 3", 7.0),
            ("k * 2", 5.0),
            ("-(2 ^ 2)", -4.0),
            ("if(true, 1, x)", 1.0),
            ("if(1 < 2, 5, x)", 5.0),
            ("if(off, x, 7)", 7.0),
            ("min(1, 2, 3) + abs(-1)", 2.0),
            ("clamp(k, 0, 1)", 1.0),
        ];
        for &(src, want) in folded {
            assert_eq!(compiled(src, Num).as_const(), Some(want), "{src}");
        }
        let folded_bool: &[(&str, f64)] = &[
            ("false and x > 1", 0.0),
            ("x > 1 and off", 0.0),
            ("flag or true", 1.0),
            ("on or flag", 1.0),
            ("not on", 0.0),
            ("k > 2", 1.0),
        ];
        for &(src, want) in folded_bool {
            assert_eq!(compiled(src, Bool).as_const(), Some(want), "{src}");
        }
        for src in ["x + 1", "if(x > 0, 1, 1)", "min(x, 1, 2)"] {
            assert_eq!(compiled(src, Num).as_const(), None, "{src}");
        }
        // `if` with a constant condition keeps only the branch taken.
        let e = compiled("if(on, x, y)", Num);
        assert_eq!(e.slots().collect::<Vec<_>>(), [0]);
        assert!(matches!(e.code, Code::Var(0)));
        let e = compiled("if(1 > 2, x, y * 2)", Num);
        assert_eq!(e.slots().collect::<Vec<_>>(), [1]);
        // `x and true` is `x`; `true and x` too.
        assert!(matches!(compiled("flag and on", Bool).code, Code::Var(5)));
        assert!(matches!(compiled("off or flag", Bool).code, Code::Var(5)));
        // A constant tail of min/max folds only when its operands are constant.
        let e = compiled("min(1, 2, x)", Num);
        assert_eq!(e.eval(&VARS), 1.0);
        let Code::Ops(ops) = &e.code else { panic!() };
        assert_eq!(&ops[..], [Op::MinVC(0, 1.0)]);
    }

    #[test]
    fn bytecode_shapes() {
        let ops = |src: &str, ty: ValueType| match compiled(src, ty).code {
            Code::Ops(ops) => ops.to_vec(),
            other => panic!("{src}: {other:?}"),
        };
        // Constant and variable operands are immediate; two of them make
        // one pushing instruction.
        assert_eq!(
            ops("economy - 0.1 * sanctions", Num),
            [Op::MulVC(7, 0.1), Op::RSubV(8)]
        );
        assert_eq!(ops("1 - x", Num), [Op::RSubVC(0, 1.0)]);
        assert_eq!(ops("x - 1", Num), [Op::SubVC(0, 1.0)]);
        assert_eq!(ops("2 * x", Num), [Op::MulVC(0, 2.0)]);
        assert_eq!(ops("x / y", Num), [Op::DivVV(0, 1)]);
        assert_eq!(ops("2 < x", Bool), [Op::GtVC(0, 2.0)]);
        assert_eq!(ops("flag and iran.type_x", Bool), [Op::AndVV(5, 6)]);
        assert_eq!(ops("x * y - 1", Num), [Op::MulVV(0, 1), Op::SubC(1.0)]);
        assert_eq!(ops("1 - x * y", Num), [Op::MulVV(0, 1), Op::RSubC(1.0)]);
        assert_eq!(ops("-x", Num), [Op::PushV(0), Op::Neg]);
        assert_eq!(
            ops("if(2 < x, y, 1)", Num),
            [
                Op::GtVC(0, 2.0),
                Op::JumpIfFalse(4),
                Op::PushV(1),
                Op::Jump(5),
                Op::PushC(1.0),
            ]
        );
        assert_eq!(
            ops("(x + y) - (z * x)", Num),
            [Op::AddVV(0, 1), Op::MulVV(2, 0), Op::Sub]
        );
        // The deeper right operand goes first, with a reversed instruction.
        assert_eq!(
            ops("(x - y) / ((x + y) * (z - x))", Num),
            [
                Op::AddVV(0, 1),
                Op::SubVV(2, 0),
                Op::Mul,
                Op::SubVV(0, 1),
                Op::RDiv,
            ]
        );
        assert_eq!(ops("2 ^ (x + 1)", Num), [Op::AddVC(0, 1.0), Op::RPowC(2.0)]);
        assert_eq!(ops("-abs(x)", Num), [Op::PushV(0), Op::Abs, Op::Neg]);
    }

    #[test]
    fn expr_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + std::fmt::Debug>(_: &T) {}
        let e = compiled("x * y + 1", Num);
        check(&e);
        check(&symbols());
        let copy = e.clone();
        drop(e);
        assert_eq!(copy.eval(&VARS), 7.0);
        assert!(format!("{copy:?}").contains("x * y + 1"));
        let err: Box<dyn std::error::Error + Send + Sync> =
            Box::new(compile("", &symbols(), Num).unwrap_err());
        assert_eq!(err.to_string(), "empty formula (at byte 0)");
    }

    #[test]
    fn variables_and_slots() {
        let e = compiled("x + y * x - usa.strike_cost", Num);
        assert_eq!(e.slots().collect::<Vec<_>>(), [0, 1, 4]);
        assert_eq!(e.max_slot(), Some(4));
        assert_eq!(e.value_type(), Num);
        assert_eq!(e.source(), "x + y * x - usa.strike_cost");
        assert_eq!(e.eval(&[1.0, 2.0, 0.0, 0.0, 10.0]), -7.0);
        assert_eq!(e.eval(&[0.5, 0.5, 9.0, 9.0, 0.0]), 0.75);

        let e = compiled("economy", Num);
        assert_eq!(e.slots().collect::<Vec<_>>(), [8]);
        assert_eq!(e.eval(&VARS), 100.0);
        assert_eq!(e.as_const(), None);

        let e = compiled("2", Num);
        assert_eq!(e.max_slot(), None);
        assert_eq!(e.slots().count(), 0);
        assert_eq!(e.eval(&[]), 2.0);

        let e = compiled("flag and x < 3", Bool);
        assert_eq!(e.value_type(), Bool);
        assert!(e.eval_bool(&VARS));
        assert!(!e.eval_bool(&[5.0, 0.0, 0.0, 0.0, 0.0, 1.0]));

        // Redefining a name replaces it; Bool constants are normalised.
        let mut s = Symbols::new("test");
        s.insert_var("a", 3, Num);
        s.insert_const("a", 4.0, Num);
        s.insert_const("t", 0.25, Bool);
        assert_eq!(s.len(), 2);
        assert!(!s.is_empty());
        assert_eq!(s.context(), "test");
        assert_eq!(
            s.get("t"),
            Some(Symbol::Const {
                value: 1.0,
                ty: Bool
            })
        );
        assert_eq!(s.get("a").map(|s| s.value_type()), Some(Num));
        assert_eq!(compile("a", &s, Num).unwrap().as_const(), Some(4.0));
        assert_eq!(compile("t", &s, Bool).unwrap().as_const(), Some(1.0));
        assert_eq!(s.get("nope"), None);
    }

    #[test]
    fn stack_depth_stays_small() {
        let sum = (0..60)
            .map(|i| NUM_VARS[i % 5])
            .collect::<Vec<_>>()
            .join(" + ");
        let e = compiled(&sum, Num);
        assert_eq!(e.stack_depth, 1);
        assert_eq!(e.eval(&VARS), 12.0 * (2.0 + 3.0 + 4.0 + 0.5 - 1.0));

        let products = (0..30)
            .map(|i| format!("{} * {}", NUM_VARS[i % 5], NUM_VARS[(i + 1) % 5]))
            .collect::<Vec<_>>()
            .join(" - ");
        assert_eq!(compiled(&products, Num).stack_depth, 2);

        // Right-nested: a - (b - (c - ...)) with non-leaf operands.
        let mut nested = String::from("x * y");
        for i in 0..40 {
            nested = format!(
                "{} * {} - ({nested})",
                NUM_VARS[i % 5],
                NUM_VARS[(i + 2) % 5]
            );
        }
        let e = compiled(&nested, Num);
        assert_eq!(e.stack_depth, 2);
        let mut want = 2.0 * 3.0;
        for i in 0..40 {
            want = VARS[i % 5] * VARS[(i + 2) % 5] - want;
        }
        assert_eq!(e.eval(&VARS), want);

        // Only balanced trees need many slots: 2^(n-1) terms for n slots.
        fn balanced(n: u32) -> String {
            match n {
                1 => "x * y".to_owned(),
                _ => format!("({} + {})", balanced(n - 1), balanced(n - 1)),
            }
        }
        let e = compiled(&balanced(STACK_SIZE as u32), Num);
        assert_eq!(e.stack_depth, STACK_SIZE);
        assert_eq!(e.eval(&VARS), 6.0 * f64::from(1 << (STACK_SIZE - 1)));
        let too_deep = balanced(STACK_SIZE as u32 + 1);
        let err = compile(&too_deep, &symbols(), Num).unwrap_err();
        assert!(
            err.message.contains(
                "formula is too complex: evaluating it needs 9 stack slots but only 8 are available"
            ),
            "{}",
            err.message
        );

        // A balanced tree of 8 products needs 4 slots; more than allowed is
        // an error, not a panic.
        let balanced = "((x*y + y*z) * (z*x + x*x)) / ((y*y + z*z) - (x*z + y*x))";
        let e = compiled(balanced, Num);
        assert_eq!(e.stack_depth, 4);
        let r = compile_with_stack(balanced, &symbols(), Num, 3);
        let err = r.unwrap_err();
        assert!(
            err.message.contains("needs 4 stack slots but only 3"),
            "{}",
            err.message
        );
        assert_eq!((err.offset, err.len), (0, balanced.len()));
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

    #[test]
    fn name_errors() {
        let e = fails(
            "economy - 0.1 * sanctons",
            Num,
            "unknown name `sanctons` (known names in this context: parameters and state \
             variables; did you mean `sanctions`?)",
            "sanctons",
        );
        assert_eq!((e.offset, e.len), (16, 8));
        fails("Economy", Num, "did you mean `economy`?", "Economy");
        fails(
            "self.bomb_valeu",
            Num,
            "did you mean `self.bomb_value`?",
            "self.bomb_valeu",
        );
        fails("True", Bool, "did you mean `true`?", "True");
        let e = fails("w + 1", Num, "unknown name `w`", "w");
        assert!(
            e.message.contains("did you mean `k`, `x` or `y`?"),
            "{}",
            e.message
        );
        let e = fails(
            "nothing_like_it",
            Num,
            "unknown name `nothing_like_it`",
            "nothing_like_it",
        );
        assert!(!e.message.contains("did you mean"), "{}", e.message);
        assert!(
            e.message
                .ends_with("(known names in this context: parameters and state variables)")
        );

        let e = fails(
            "foo(x)",
            Num,
            "unknown function `foo` (known functions: abs, ceil, clamp",
            "foo",
        );
        assert!(e.message.contains("sqrt"));
        fails("mni(x, y)", Num, "did you mean `min`?", "mni");
        fails("x(y)", Num, "`x` is not a function", "x");
        fails("sqrt + 1", Num, "`sqrt` is a function", "sqrt");
        // A symbol may shadow a function name when not called.
        let mut s = symbols();
        s.insert_var("min", 0, Num);
        assert_eq!(
            compile("min + min(min, 1)", &s, Num).unwrap().eval(&VARS),
            3.0
        );
    }

    #[test]
    fn arity_errors() {
        fails(
            "min(x)",
            Num,
            "`min` expects at least 2 arguments, got 1",
            "min(x)",
        );
        fails(
            "max()",
            Num,
            "`max` expects at least 2 arguments, got 0",
            "max()",
        );
        fails(
            "clamp(x, 1)",
            Num,
            "`clamp` expects 3 arguments, got 2",
            "clamp(x, 1)",
        );
        fails(
            "sqrt(x, y)",
            Num,
            "`sqrt` expects 1 argument, got 2",
            "sqrt(x, y)",
        );
        fails("pow(x)", Num, "`pow` expects 2 arguments, got 1", "pow(x)");
        fails(
            "if(flag, x)",
            Num,
            "`if` expects 3 arguments, got 2",
            "if(flag, x)",
        );
        fails("1 + abs()", Num, "`abs` expects 1 argument, got 0", "abs()");
    }

    #[test]
    fn type_errors() {
        fails(
            "flag + 1",
            Num,
            "`+` expects numbers, but the left side is true/false",
            "flag",
        );
        fails(
            "x + (y < z)",
            Num,
            "`+` expects numbers, but the right side is true/false",
            "(y < z)",
        );
        fails(
            "x and flag",
            Bool,
            "`and` expects true/false operands, but the left side is a number",
            "x",
        );
        fails(
            "flag && x",
            Bool,
            "`&&` expects true/false operands, but the right side is a number",
            "x",
        );
        fails(
            "flag < 1",
            Bool,
            "`<` expects numbers, but the left side is true/false",
            "flag",
        );
        fails(
            "(x < y) == (y < z)",
            Bool,
            "`==` expects numbers",
            "(x < y)",
        );
        fails(
            "not x",
            Bool,
            "`not` expects true/false, but its operand is a number",
            "x",
        );
        fails("!x", Bool, "`!` expects true/false", "x");
        fails(
            "-flag",
            Num,
            "`-` expects a number, but its operand is true/false",
            "flag",
        );
        fails(
            "2 ^ on",
            Num,
            "`^` expects numbers, but the right side is true/false",
            "on",
        );
        fails(
            "sqrt(flag)",
            Num,
            "`sqrt` expects a number, but its argument is true/false",
            "flag",
        );
        fails(
            "min(x, 1, on)",
            Num,
            "`min` expects numbers, but argument 3 is true/false",
            "on",
        );
        fails(
            "if(x, 1, 2)",
            Num,
            "`if` expects a condition (true/false) as its first argument, but it is a number",
            "x",
        );
        fails(
            "if(flag, 1, true)",
            Num,
            "`if` branches must have the same type, but the second argument is a number and the third is true/false",
            "if(flag, 1, true)",
        );
        fails(
            "x + 1",
            Bool,
            "expected true/false but this formula is a number",
            "x + 1",
        );
        fails(
            " x < 1 ",
            Num,
            "expected a number but this formula is true/false",
            "x < 1",
        );
        fails(
            "(flag)",
            Num,
            "expected a number but this formula is true/false",
            "(flag)",
        );
        assert_eq!(Num.to_string(), "a number");
        assert_eq!(Bool.to_string(), "true/false");
    }

    #[test]
    fn error_display_and_render() {
        let src = "economy - 0.1 * sanctons";
        let e = compile(src, &symbols(), Num).unwrap_err();
        assert!(e.to_string().starts_with("unknown name `sanctons`"));
        assert!(e.to_string().ends_with("(at byte 16)"));
        let r = e.render(src);
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[0], src);
        assert!(
            lines[1].starts_with("                ^^^^^^^^ unknown name"),
            "{r}"
        );
        // Multi-line sources show the offending line; end-of-formula errors
        // show one caret after the end.
        let src = "x +\n  y *";
        let e = compile(src, &symbols(), Num).unwrap_err();
        assert_eq!(
            e.render(src).lines().collect::<Vec<_>>(),
            ["  y *", &format!("     ^ {}", e.message)]
        );
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().contains("unexpected end"));
        // Rendering against an unrelated string does not panic.
        let _ = ExprError {
            offset: 99,
            len: 7,
            message: "m".into(),
        }
        .render("é");
    }

    #[test]
    fn limits_are_errors_not_crashes() {
        let s = symbols();
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = compile(&deep, &s, Num).unwrap_err();
        assert!(e.message.contains("too long"), "{}", e.message);
        let deep = format!("{}x{}", "(".repeat(20_000), ")".repeat(20_000));
        let e = compile(&deep, &s, Num).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        assert_eq!(e.offset, MAX_NESTING);
        let ok = format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(compile(&ok, &s, Num).unwrap().eval(&VARS), 2.0);
        for src in [
            format!("{}x", "-".repeat(50_000)),
            format!("{}flag", "not ".repeat(20_000)),
            format!("{}flag", "!".repeat(50_000)),
            format!("{}2", "2^".repeat(30_000)),
            format!("{}x{}", "abs(".repeat(10_000), ")".repeat(10_000)),
        ] {
            let e = compile(&src, &s, Num).unwrap_err();
            assert!(e.message.contains("nested too deeply"), "{}", e.message);
        }
        let long_sum = format!("{}x", "x+".repeat(40_000));
        let e = compile(&long_sum, &s, Num).unwrap_err();
        assert!(
            e.message.contains("more than 256 operations"),
            "{}",
            e.message
        );
        let wide = format!("min({}x)", "x,".repeat(10_000));
        let e = compile(&wide, &s, Num).unwrap_err();
        assert!(
            e.message.contains("more than 256 operations"),
            "{}",
            e.message
        );
        // Just below the limits still compiles, and evaluates.
        let sum = format!("{}x", "x + ".repeat(MAX_TREE_DEPTH - 1));
        assert_eq!(
            compile(&sum, &s, Num).unwrap().eval(&VARS),
            2.0 * MAX_TREE_DEPTH as f64
        );
        let wide = format!("max({}y)", "x, ".repeat(MAX_TREE_DEPTH - 2));
        assert_eq!(compile(&wide, &s, Num).unwrap().eval(&VARS), 3.0);
        let long = " ".repeat(MAX_SOURCE_LEN - 1) + "x";
        assert_eq!(compile(&long, &s, Num).unwrap().eval(&VARS), 2.0);
        let long_name = "a".repeat(MAX_SOURCE_LEN);
        let e = compile(&long_name, &s, Num).unwrap_err();
        assert!(e.message.starts_with("unknown name"));
    }

    /// The worst cases the limits allow compile within a small stack, even
    /// unoptimised.
    #[test]
    fn worst_cases_fit_in_a_small_stack() {
        let worst = [
            format!("{}x", "x + ".repeat(MAX_TREE_DEPTH - 1)),
            format!("{}x", "-".repeat(MAX_NESTING)),
            format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING)),
            format!("{}x{}", "abs(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING)),
            format!("{}2", "2 ^ ".repeat(MAX_NESTING)),
            // Nesting and long chains combined.
            format!(
                "{}x{}",
                "(x + x * x - ".repeat(MAX_NESTING - 1),
                ")".repeat(MAX_NESTING - 1)
            ),
            format!(
                "{}x{}",
                "(x + ".repeat(MAX_NESTING),
                ")".repeat(MAX_NESTING)
            ),
            format!(
                "{}x{}",
                "min(x, y, z, x, y, z, ".repeat(MAX_NESTING / 2),
                ")".repeat(MAX_NESTING / 2)
            ),
        ];
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let s = symbols();
                worst
                    .iter()
                    .map(|src| compile(src, &s, Num).map(|e| e.eval(&VARS)))
                    .collect::<Vec<_>>()
            })
            .unwrap();
        for r in handle.join().unwrap() {
            let v = r.unwrap_or_else(|e| panic!("{e}"));
            assert!(!v.is_nan());
        }
    }

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("sanctons", "sanctions"), 1);
        assert_eq!(edit_distance("abcd", "abdc"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("Economy", "economy"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("mni", ["min", "max"]),
            Some("`min`".to_owned())
        );
        assert_eq!(did_you_mean("zzzz", ["min", "max"]), None);
        assert_eq!(
            did_you_mean("ab", ["ax", "ay"]),
            Some("`ax` or `ay`".to_owned())
        );
    }

    // ----------------------------------------------------------- proptests

    /// A well-typed formula, built by the strategies below.
    #[derive(Clone, Debug)]
    enum T {
        Lit(f64),
        NVar(usize),
        NConst(&'static str, f64),
        BLit(bool),
        BVar(usize),
        BConst(&'static str, bool),
        Neg(Box<T>),
        /// `+ - * / ^`
        Arith(&'static str, Box<T>, Box<T>),
        Cmp(&'static str, Box<T>, Box<T>),
        /// `true` renders as `!`, `false` as `not`.
        Not(bool, Box<T>),
        /// `and && or ||`
        Logic(&'static str, Box<T>, Box<T>),
        F1(&'static str, Box<T>),
        PowF(Box<T>, Box<T>),
        MinMax(&'static str, Vec<T>),
        Clamp(Box<T>, Box<T>, Box<T>),
        If(Box<T>, Box<T>, Box<T>),
    }

    fn prec(t: &T) -> u8 {
        match t {
            T::Logic("or" | "||", ..) => 1,
            T::Logic(..) => 2,
            T::Not(..) => 3,
            T::Cmp(..) => 4,
            T::Arith("+" | "-", ..) => 5,
            T::Arith("*" | "/", ..) => 6,
            T::Neg(..) => 7,
            T::Arith(..) => 8,
            _ => 9,
        }
    }

    /// Renders `t`, parenthesised where precedence needs it (or around
    /// every composite when `full`).
    fn render(t: &T, min: u8, full: bool) -> String {
        let r = |t: &T, min: u8| render(t, min, full);
        let s = match t {
            T::Lit(v) => format!("{v:?}"),
            T::NVar(i) => NUM_VARS[*i].to_owned(),
            T::BVar(i) => BOOL_VARS[*i].to_owned(),
            T::NConst(n, _) | T::BConst(n, _) => (*n).to_owned(),
            T::BLit(b) => b.to_string(),
            T::Neg(x) => format!("-{}", r(x, 7)),
            T::Arith(op, a, b) => {
                let (pa, pb) = match *op {
                    "+" | "-" => (5, 6),
                    "*" | "/" => (6, 7),
                    _ => (9, 7),
                };
                format!("{} {op} {}", r(a, pa), r(b, pb))
            }
            T::Cmp(op, a, b) => format!("{} {op} {}", r(a, 5), r(b, 5)),
            T::Not(bang, x) => format!("{}{}", if *bang { "!" } else { "not " }, r(x, 3)),
            T::Logic(op, a, b) => {
                let (pa, pb) = if matches!(*op, "or" | "||") {
                    (1, 2)
                } else {
                    (2, 3)
                };
                format!("{} {op} {}", r(a, pa), r(b, pb))
            }
            T::F1(f, x) => format!("{f}({})", r(x, 0)),
            T::PowF(a, b) => format!("pow({}, {})", r(a, 0), r(b, 0)),
            T::MinMax(f, xs) => {
                let args: Vec<String> = xs.iter().map(|x| r(x, 0)).collect();
                format!("{f}({})", args.join(", "))
            }
            T::Clamp(a, b, c) => format!("clamp({}, {}, {})", r(a, 0), r(b, 0), r(c, 0)),
            T::If(a, b, c) => format!("if({}, {}, {})", r(a, 0), r(b, 0), r(c, 0)),
        };
        if prec(t) < min || full {
            format!("({s})")
        } else {
            s
        }
    }

    fn ref_min(a: f64, b: f64) -> f64 {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else if a == b {
            if a.is_sign_negative() { a } else { b }
        } else if a < b {
            a
        } else {
            b
        }
    }

    fn ref_max(a: f64, b: f64) -> f64 {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else if a == b {
            if a.is_sign_positive() { a } else { b }
        } else if a > b {
            a
        } else {
            b
        }
    }

    /// The reference semantics: a direct recursive evaluator.
    fn reference(t: &T, v: &[f64]) -> f64 {
        let f = |b: bool| if b { 1.0 } else { 0.0 };
        let e = |t: &T| reference(t, v);
        match t {
            T::Lit(x) | T::NConst(_, x) => *x,
            T::NVar(i) => v[*i],
            T::BVar(i) => v[NUM_VARS.len() + i],
            T::BLit(b) | T::BConst(_, b) => f(*b),
            T::Neg(x) => -e(x),
            T::Arith(op, a, b) => {
                let (a, b) = (e(a), e(b));
                match *op {
                    "+" => a + b,
                    "-" => a - b,
                    "*" => a * b,
                    "/" => a / b,
                    "^" => libm::pow(a, b),
                    _ => unreachable!(),
                }
            }
            T::Cmp(op, a, b) => {
                let (a, b) = (e(a), e(b));
                f(match *op {
                    "<" => a < b,
                    "<=" => a <= b,
                    ">" => a > b,
                    ">=" => a >= b,
                    "==" => a == b,
                    "!=" => a != b,
                    _ => unreachable!(),
                })
            }
            T::Not(_, x) => 1.0 - e(x),
            T::Logic(op, a, b) => {
                let (a, b) = (e(a) != 0.0, e(b) != 0.0);
                f(if matches!(*op, "and" | "&&") {
                    a && b
                } else {
                    a || b
                })
            }
            T::F1(name, x) => {
                let x = e(x);
                match *name {
                    "abs" => x.abs(),
                    "sqrt" => x.sqrt(),
                    "exp" => libm::exp(x),
                    "ln" => libm::log(x),
                    "log10" => libm::log10(x),
                    "floor" => x.floor(),
                    "ceil" => x.ceil(),
                    "round" => x.round(),
                    _ => unreachable!(),
                }
            }
            T::PowF(a, b) => libm::pow(e(a), e(b)),
            T::MinMax(name, xs) => {
                let fold = if *name == "min" { ref_min } else { ref_max };
                xs.iter().map(e).reduce(fold).unwrap()
            }
            T::Clamp(x, lo, hi) => ref_min(ref_max(e(x), e(lo)), e(hi)),
            T::If(c, a, b) => {
                if e(c) != 0.0 {
                    e(a)
                } else {
                    e(b)
                }
            }
        }
    }

    /// The slots of the variables `t` mentions.
    fn slots_of(t: &T, out: &mut Vec<usize>) {
        match t {
            T::NVar(i) => out.push(*i),
            T::BVar(i) => out.push(NUM_VARS.len() + i),
            T::Lit(_) | T::NConst(..) | T::BLit(_) | T::BConst(..) => {}
            T::Neg(x) | T::Not(_, x) | T::F1(_, x) => slots_of(x, out),
            T::Arith(_, a, b) | T::Cmp(_, a, b) | T::Logic(_, a, b) | T::PowF(a, b) => {
                slots_of(a, out);
                slots_of(b, out);
            }
            T::MinMax(_, xs) => xs.iter().for_each(|x| slots_of(x, out)),
            T::Clamp(a, b, c) | T::If(a, b, c) => {
                slots_of(a, out);
                slots_of(b, out);
                slots_of(c, out);
            }
        }
    }

    fn num_leaf() -> BoxedStrategy<T> {
        prop_oneof![
            1 => prop::sample::select(vec![0.0, 1.0, 2.0, 0.5, 3.0, 10.0, 1e-3, 0.1, 1e300])
                .prop_map(T::Lit),
            1 => (0.0..1e6f64).prop_map(T::Lit),
            2 => (0..NUM_VARS.len()).prop_map(T::NVar),
            1 => Just(T::NConst("k", 2.5)),
            1 => Just(T::NConst("big", 1e300)),
        ]
        .boxed()
    }

    fn bool_leaf() -> BoxedStrategy<T> {
        prop_oneof![
            1 => any::<bool>().prop_map(T::BLit),
            2 => (0..BOOL_VARS.len()).prop_map(T::BVar),
            1 => Just(T::BConst("on", true)),
            1 => Just(T::BConst("off", false)),
        ]
        .boxed()
    }

    /// Strategies for number and true/false formulas, `levels` deep.
    fn trees(levels: usize) -> (BoxedStrategy<T>, BoxedStrategy<T>) {
        use prop::sample::select;
        let bx = Box::new;
        let (mut n, mut b) = (num_leaf(), bool_leaf());
        for _ in 0..levels {
            let (pn, pb) = (n.clone(), b.clone());
            let num = prop_oneof![
                1 => pn.clone().prop_map(move |x| T::Neg(bx(x))),
                3 => (select(vec!["+", "-", "*", "/", "^"]), pn.clone(), pn.clone())
                    .prop_map(move |(op, l, r)| T::Arith(op, bx(l), bx(r))),
                1 => (
                    select(vec!["abs", "sqrt", "exp", "ln", "log10", "floor", "ceil", "round"]),
                    pn.clone()
                )
                    .prop_map(move |(f, x)| T::F1(f, bx(x))),
                1 => (pn.clone(), pn.clone()).prop_map(move |(l, r)| T::PowF(bx(l), bx(r))),
                1 => (select(vec!["min", "max"]), prop::collection::vec(pn.clone(), 2..5))
                    .prop_map(|(f, xs)| T::MinMax(f, xs)),
                1 => (pn.clone(), pn.clone(), pn.clone())
                    .prop_map(move |(x, lo, hi)| T::Clamp(bx(x), bx(lo), bx(hi))),
                1 => (pb.clone(), pn.clone(), pn.clone())
                    .prop_map(move |(c, x, y)| T::If(bx(c), bx(x), bx(y))),
            ];
            let boolean = prop_oneof![
                2 => (select(vec!["<", "<=", ">", ">=", "==", "!="]), pn.clone(), pn.clone())
                    .prop_map(move |(op, l, r)| T::Cmp(op, bx(l), bx(r))),
                1 => (any::<bool>(), pb.clone()).prop_map(move |(bang, x)| T::Not(bang, bx(x))),
                2 => (select(vec!["and", "&&", "or", "||"]), pb.clone(), pb.clone())
                    .prop_map(move |(op, l, r)| T::Logic(op, bx(l), bx(r))),
                1 => (pb.clone(), pb.clone(), pb.clone())
                    .prop_map(move |(c, x, y)| T::If(bx(c), bx(x), bx(y))),
            ];
            n = prop_oneof![1 => num_leaf(), 2 => num].boxed();
            b = prop_oneof![1 => bool_leaf(), 2 => boolean].boxed();
        }
        (n, b)
    }

    /// A formula and its type.
    fn typed_tree() -> impl Strategy<Value = (T, ValueType)> {
        let (n, b) = trees(4);
        prop_oneof![n.prop_map(|t| (t, Num)), b.prop_map(|t| (t, Bool))]
    }

    /// Values for all 9 slots: numbers (specials included), then 0/1 for
    /// the Bool variables, then sanctions and economy.
    fn var_values() -> impl Strategy<Value = Vec<f64>> {
        let number = prop_oneof![
            2 => any::<f64>(),
            2 => (-4i32..5).prop_map(f64::from),
            1 => Just(-0.0),
            1 => Just(0.5),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
        ];
        (
            prop::collection::vec(number, NUM_VARS.len()),
            prop::collection::vec(any::<bool>(), BOOL_VARS.len()),
        )
            .prop_map(|(mut v, b)| {
                v.extend(b.into_iter().map(|b| if b { 1.0 } else { 0.0 }));
                v.extend([10.0, 100.0]);
                v
            })
    }

    /// Compiles `src` as both types; whatever happens must not panic, errors
    /// must point inside `src`, and compiled formulas must evaluate.
    fn never_panics(src: &str) {
        let s = symbols();
        for ty in [Num, Bool] {
            match compile(src, &s, ty) {
                Ok(e) => {
                    assert!(e.max_slot().is_none_or(|m| m < VARS.len()));
                    let _ = e.eval(&VARS);
                }
                Err(e) => {
                    let end = e.offset + e.len;
                    assert!(end <= src.len(), "{src:?}: {e:?}");
                    assert!(src.is_char_boundary(e.offset) && src.is_char_boundary(end));
                    assert!(!e.message.is_empty());
                    let _ = e.render(src);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn compiled_matches_reference((t, ty) in typed_tree(), vars in var_values()) {
            let s = symbols();
            let want = reference(&t, &vars);
            for full in [false, true] {
                let src = render(&t, 0, full);
                let e = match compile(&src, &s, ty) {
                    Ok(e) => e,
                    Err(e) => return Err(TestCaseError::fail(e.render(&src))),
                };
                let got = e.eval(&vars);
                prop_assert!(same(got, want), "{}: got {:?}, want {:?}", src, got, want);
                if let Some(c) = e.as_const() {
                    prop_assert!(same(c, want), "{}: folded to {:?}, want {:?}", src, c, want);
                }
                prop_assert!(e.max_slot().is_none_or(|m| m < vars.len()));
                let mut read = Vec::new();
                slots_of(&t, &mut read);
                prop_assert!(e.slots().all(|s| read.contains(&s)), "{}: {:?}", src, e);
                prop_assert!(e.slots().is_sorted());
                prop_assert_eq!(e.value_type(), ty);
                prop_assert!(e.stack_depth <= 4, "{}: {} slots", src, e.stack_depth);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn arbitrary_strings_never_panic(src in any::<String>()) {
            never_panics(&src);
        }

        #[test]
        fn ascii_strings_never_panic(src in "[ -~\t\n]{0,60}") {
            never_panics(&src);
        }

        #[test]
        fn token_soup_never_panics(
            tokens in prop::collection::vec(prop::sample::select(vec![
                "(", ")", ",", "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "!",
                "=", "&", "|", "&&", "||", "and", "or", "not", "true", "false", "x", "y",
                "flag", "usa.strike_cost", "usa.", "k", "on", "sanctons", "1", "2.5", ".5",
                "1e3", "1e", "2e-3", "1e999", "min", "max", "clamp", "if", "sqrt", "pow",
                "foo", "$", "é", "**", "..", "_",
            ]), 0..40),
            glue in prop::sample::select(vec!["", " ", "\t"]),
        ) {
            never_panics(&tokens.join(glue));
        }

        #[test]
        fn truncations_never_panic((t, _) in typed_tree()) {
            let src = render(&t, 0, false);
            for (i, _) in src.char_indices() {
                never_panics(&src[..i]);
                never_panics(&src[i..]);
                let mut cut = src.clone();
                cut.remove(i);
                never_panics(&cut);
            }
        }
    }
}
