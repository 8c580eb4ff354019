//! The folded intermediate form: constant subtrees are evaluated while it is built.

use super::ops::{BinOp, UnOp, apply_bin, apply_un};

/// A typed, resolved and constant-folded formula. Composite nodes carry the
/// number of stack slots their evaluation needs (Sethi–Ullman numbering,
/// where a constant or variable operand costs nothing because instructions
/// take it directly).
#[derive(Debug)]
pub(super) enum Ir {
    Const(f64),
    Var(u32),
    Unary(UnOp, Box<Ir>, usize),
    Binary(BinOp, Box<Ir>, Box<Ir>, usize),
    If(Box<Ir>, Box<Ir>, Box<Ir>, usize),
}

/// Where an instruction's second operand comes from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Operand {
    Stack,
    Const(f64),
    Var(u32),
}

impl Ir {
    pub(super) fn need(&self) -> usize {
        match self {
            Ir::Const(_) | Ir::Var(_) => 1,
            Ir::Unary(.., n) | Ir::Binary(.., n) | Ir::If(.., n) => *n,
        }
    }

    pub(super) fn operand(&self) -> Option<Operand> {
        match *self {
            Ir::Const(c) => Some(Operand::Const(c)),
            Ir::Var(s) => Some(Operand::Var(s)),
            _ => None,
        }
    }

    pub(super) fn unary(op: UnOp, x: Ir) -> Ir {
        match x {
            Ir::Const(c) => Ir::Const(apply_un(op, c)),
            x => {
                let need = x.need();
                Ir::Unary(op, Box::new(x), need)
            }
        }
    }

    pub(super) fn binary(op: BinOp, l: Ir, r: Ir) -> Ir {
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

    pub(super) fn cond(c: Ir, a: Ir, b: Ir) -> Ir {
        if let Ir::Const(v) = c {
            return if v != 0.0 { a } else { b };
        }
        let need = c.need().max(a.need()).max(b.need());
        Ir::If(Box::new(c), Box::new(a), Box::new(b), need)
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::test_util::*;
    use crate::expr::*;
    use ValueType::{Bool, Num};

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
}
