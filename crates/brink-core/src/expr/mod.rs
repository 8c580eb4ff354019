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

mod bytecode;
mod check;
mod fold;
mod lexer;
mod ops;
mod parser;

use bytecode::{Codegen, Op, run};
use check::Checker;
use fold::Ir;
use ops::bool_f;
use parser::Parser;

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
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
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
    /// Whether `other` computes the same function of the variables as `self`: the
    /// same compiled code, constants equal bit for bit (so `eval` gives the same
    /// bits on any `vars`).
    pub fn same_code(&self, other: &Expr) -> bool {
        match (&self.code, &other.code) {
            (Code::Const(a), Code::Const(b)) => a.to_bits() == b.to_bits(),
            (Code::Var(a), Code::Var(b)) => a == b,
            // The derived `PartialEq` of `Op` takes 0.0 == -0.0; their `Debug` forms
            // differ, and print every other constant exactly (shortest round trip).
            (Code::Ops(a), Code::Ops(b)) => a == b && format!("{a:?}") == format!("{b:?}"),
            _ => false,
        }
    }

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
mod test_util;

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use ValueType::{Bool, Num};
    use proptest::prelude::*;

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
    fn same_code_tells_apart_different_folded_values() {
        let with = |v: f64, src: &str| {
            let mut s = Symbols::new("test");
            s.insert_var("x", 0, Num);
            s.insert_const("self.v", v, Num);
            compile(src, &s, Num).unwrap()
        };
        // A formula that does not read the folded value: the same code for any value.
        assert!(with(1.0, "0.5 * x + 2").same_code(&with(7.0, "0.5 * x + 2")));
        // One that reads it: different code unless the values are equal bit for bit.
        assert!(with(1.0, "self.v * x").same_code(&with(1.0, "self.v * x")));
        assert!(!with(1.0, "self.v * x").same_code(&with(2.0, "self.v * x")));
        assert!(!with(0.0, "x / (self.v + x)").same_code(&with(-0.0, "x / (self.v + x)")));
        assert!(!with(0.0, "self.v").same_code(&with(-0.0, "self.v")));
        assert!(!with(1.0, "x").same_code(&with(1.0, "self.v")));
        // Same results whenever the code is the same.
        let (a, b) = (with(3.0, "x * x - 1"), with(4.0, "x * x - 1"));
        assert!(a.same_code(&b));
        for x in [-2.0, 0.0, 0.3, 1e300] {
            assert_eq!(a.eval(&[x]).to_bits(), b.eval(&[x]).to_bits());
        }
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
