//! The operations a formula can apply, defined once for constant folding and the interpreter.

/// One-operand operations, both prefix operators and functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum UnOp {
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
pub(super) enum BinOp {
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
pub(super) enum RevOp {
    Sub,
    Div,
    Pow,
}

#[inline(always)]
pub(super) fn bool_f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// IEEE 754-2019 `minimum`: NaN if either is NaN, −0 < +0; commutative.
#[inline(always)]
pub(super) fn min_f(a: f64, b: f64) -> f64 {
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
pub(super) fn max_f(a: f64, b: f64) -> f64 {
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
pub(super) fn apply_un(op: UnOp, x: f64) -> f64 {
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
pub(super) fn apply_bin(op: BinOp, a: f64, b: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use crate::expr::test_util::*;
    use crate::expr::*;
    use ValueType::{Bool, Num};

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
}
