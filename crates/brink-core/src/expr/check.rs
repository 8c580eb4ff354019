//! Resolves names and functions, checks types and lowers the syntax tree to folded [`Ir`].

use super::fold::Ir;
use super::ops::{BinOp, UnOp, bool_f};
use super::parser::{Node, NodeKind};
use super::{ExprError, Span, Symbol, Symbols, ValueType};

#[derive(Clone, Copy, Debug)]
pub(super) enum Func {
    Unary(UnOp),
    Pow,
    Min,
    Max,
    Clamp,
    If,
}

/// Alphabetical, as listed in error messages.
pub(super) const FUNCTIONS: [(&str, Func); 13] = [
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

pub(super) fn find_function(name: &str) -> Option<Func> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

pub(super) fn function_list() -> String {
    FUNCTIONS.map(|(n, _)| n).join(", ")
}

/// Optimal-string-alignment edit distance, ignoring ASCII case.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

/// "`a`", "`a` or `b`" or "`a`, `b` or `c`": the candidates closest to
/// `name` within edit distance 2 (1 for names of up to 3 characters).
pub(super) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
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
pub(super) struct Checker<'a> {
    pub(super) src: &'a str,
    pub(super) symbols: &'a Symbols,
}

/// A lowered sub-formula and its type.
pub(super) type Typed = (Ir, ValueType);

// `lower` recurses once per level of the syntax tree, up to
// `MAX_TREE_DEPTH` deep, so the functions on that path keep their frames
// small, even unoptimised: error messages are built in separate cold
// functions.
impl Checker<'_> {
    pub(super) fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    pub(super) fn lower(&self, node: &Node) -> Result<Typed, ExprError> {
        match &node.kind {
            NodeKind::Num(v) => Ok((Ir::Const(*v), ValueType::Num)),
            NodeKind::Bool(b) => Ok((Ir::Const(bool_f(*b)), ValueType::Bool)),
            NodeKind::Name(span) => self.name(*span),
            NodeKind::Unary { op, op_span, x } => self.lower_unary(*op, *op_span, x),
            NodeKind::Binary { op, op_span, l, r } => self.lower_binary(*op, *op_span, l, r),
            NodeKind::Call { name, args } => self.call(node.span, *name, args),
        }
    }

    pub(super) fn lower_unary(
        &self,
        op: UnOp,
        op_span: Span,
        x: &Node,
    ) -> Result<Typed, ExprError> {
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

    pub(super) fn lower_binary(
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
    pub(super) fn unary_type_error(
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
    pub(super) fn binary_type_error(
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

    pub(super) fn name(&self, span: Span) -> Result<Typed, ExprError> {
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
    pub(super) fn name_error(&self, span: Span) -> ExprError {
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
    pub(super) fn function_error(&self, name_span: Span) -> ExprError {
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
    pub(super) fn arity_error(&self, span: Span, name: &str, func: Func, got: usize) -> ExprError {
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
    pub(super) fn argument_type_error(
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
    pub(super) fn if_error(
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

    pub(super) fn num_arg(&self, func: &str, args: &[Node], i: usize) -> Result<Ir, ExprError> {
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

    pub(super) fn call(
        &self,
        span: Span,
        name_span: Span,
        args: &[Node],
    ) -> Result<Typed, ExprError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::test_util::*;
    use crate::expr::*;
    use ValueType::{Bool, Num};

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
}
