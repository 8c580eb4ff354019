//! The stack-machine instruction set, its code generator and its interpreter.

use super::fold::{Ir, Operand};
use super::ops::{BinOp, RevOp, UnOp, apply_bin, apply_un};
use super::{STACK_MASK, STACK_SIZE};

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
        pub(super) enum Op {
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
            pub(super) fn slots(self) -> [Option<u32>; 2] {
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
        pub(super) fn run(ops: &[Op], vars: &[f64]) -> f64 {
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
    pub(super) fn swapped(self) -> Result<BinOp, RevOp> {
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
    pub(super) fn binary_rev(op: BinOp, left: Operand) -> Op {
        match op.swapped() {
            Ok(op) => Op::binary(op, left),
            Err(rev) => Op::reversed(rev, left),
        }
    }

    /// Push `left op right` for two constant or variable operands, unless
    /// both are constants (which folding has removed).
    pub(super) fn leaves(op: BinOp, left: Operand, right: Operand) -> Option<Op> {
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
pub(super) struct Codegen {
    pub(super) ops: Vec<Op>,
    pub(super) depth: usize,
    pub(super) max_depth: usize,
}

impl Codegen {
    pub(super) fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    /// The index the next instruction will have, for jumps.
    pub(super) fn here(&self) -> u32 {
        u32::try_from(self.ops.len()).unwrap_or(u32::MAX)
    }

    pub(super) fn emit(&mut self, ir: &Ir) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::test_util::*;
    use crate::expr::*;
    use ValueType::{Bool, Num};

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
}
