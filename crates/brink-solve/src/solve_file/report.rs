//! The result of solving a game file and its two renderings: Gambit-style
//! text lines and a JSON document.

use serde_json::{Value, json};

use super::SolveMethod;
use crate::formats::{format_decimal, format_number};
use crate::rational::{Q, from_f64, to_f64};
use crate::{NormalFormGame, expected_payoff, max_regret};

/// A number in a result: exact, or only known in floating point.
#[derive(Clone, Debug)]
pub enum Num {
    /// Known exactly.
    Exact(Q),
    /// Known only in floating point.
    Float(f64),
}

impl Num {
    /// The number in floating point.
    pub fn float(&self) -> f64 {
        match self {
            Num::Exact(q) => to_f64(q),
            Num::Float(f) => *f,
        }
    }

    /// The number as text: a fraction if exact and `exact` is asked for,
    /// otherwise a decimal with `digits` places.
    pub fn text(&self, exact: bool, digits: usize) -> String {
        match self {
            Num::Exact(q) if exact => format_number(q),
            Num::Exact(q) => format_decimal(q, digits),
            Num::Float(f) => format_decimal(&from_f64(*f).unwrap_or_default(), digits),
        }
    }
}

/// One solution: probabilities per player (mixed strategy, or behaviour
/// strategy flattened by information set then action) and payoffs.
#[derive(Clone, Debug)]
pub struct Solution {
    /// Probabilities, per player.
    pub probs: Vec<Vec<Num>>,
    /// Payoffs, per player.
    pub payoffs: Vec<Num>,
}

impl Solution {
    /// A solution known only in floating point.
    pub fn float(strategies: &[Vec<f64>], payoffs: &[f64]) -> Solution {
        Solution {
            probs: strategies
                .iter()
                .map(|s| s.iter().map(|&x| Num::Float(x)).collect())
                .collect(),
            payoffs: payoffs.iter().map(|&x| Num::Float(x)).collect(),
        }
    }
}

/// Everything known about the solutions of a game file.
#[derive(Clone, Debug)]
pub struct SolveReport {
    /// The method that produced the solutions.
    pub method: SolveMethod,
    /// `NE` for equilibria, `QRE` for a quantal response equilibrium at a
    /// given λ, `STATE` for an end point of the replicator dynamics that is
    /// not an equilibrium: the first field of each text line.
    pub tag: &'static str,
    /// `mixed` or `behaviour` strategies.
    pub representation: &'static str,
    /// Player names.
    pub players: Vec<String>,
    /// Labels of the probability entries, per player.
    pub labels: Vec<Vec<String>>,
    /// The solutions.
    pub solutions: Vec<Solution>,
    /// Remarks (degeneracy, truncation, ...).
    pub notes: Vec<String>,
    /// Method-specific top-level JSON fields (key, value).
    pub extra: Vec<(&'static str, Value)>,
}

impl SolveReport {
    /// One line per solution, `TAG,p1,p2,...`, as Gambit prints them:
    /// fractions where exact and `exact` is asked for, otherwise decimals
    /// with `digits` places.
    pub fn text(&self, exact: bool, digits: usize) -> String {
        let mut out = String::new();
        for s in &self.solutions {
            out.push_str(self.tag);
            for p in &s.probs {
                for x in p {
                    out.push(',');
                    out.push_str(&x.text(exact, digits));
                }
            }
            out.push('\n');
        }
        out
    }

    /// The order of the numbers after the tag in [`SolveReport::text`], as
    /// the JSON document labels them: `Alice (J: bet, J: check), Bob (...)`.
    pub fn column_header(&self) -> String {
        let players: Vec<String> = self
            .players
            .iter()
            .zip(&self.labels)
            .map(|(p, l)| format!("{p} ({})", l.join(", ")))
            .collect();
        players.join(", ")
    }

    /// The JSON document: exact and floating-point probabilities and
    /// payoffs, labels, notes and method-specific fields; `file` names the
    /// game file.
    pub fn json(&self, file: &str) -> Value {
        let equilibria: Vec<Value> = self
            .solutions
            .iter()
            .map(|s| solution_json(s, &self.players))
            .collect();
        let mut doc = json!({
            "file": file,
            "method": self.method.name(),
            "kind": self.tag,
            "representation": self.representation,
            "players": self.players,
            "labels": self.labels,
            "notes": self.notes,
            "equilibria": equilibria,
        });
        if let Value::Object(map) = &mut doc {
            for (key, value) in &self.extra {
                map.insert((*key).to_string(), value.clone());
            }
        }
        doc
    }
}

/// The exact values as fractions, or null if any is not exact.
fn exact_list(v: &[Num]) -> Value {
    let all: Option<Vec<String>> = v
        .iter()
        .map(|x| match x {
            Num::Exact(q) => Some(format_number(q)),
            Num::Float(_) => None,
        })
        .collect();
    all.map_or(Value::Null, |v| json!(v))
}

/// One solution in the JSON document.
fn solution_json(s: &Solution, names: &[String]) -> Value {
    let is_exact = s
        .probs
        .iter()
        .flatten()
        .chain(&s.payoffs)
        .all(|x| matches!(x, Num::Exact(_)));
    let players: Vec<Value> = s
        .probs
        .iter()
        .enumerate()
        .map(|(p, probs)| {
            json!({
                "player": names.get(p).cloned().unwrap_or_default(),
                "probabilities": exact_list(probs),
                "probabilities_float": json!(probs.iter().map(Num::float).collect::<Vec<_>>()),
                "payoff": match &s.payoffs[p] {
                    Num::Exact(q) => json!(format_number(q)),
                    Num::Float(_) => Value::Null,
                },
                "payoff_float": s.payoffs[p].float(),
            })
        })
        .collect();
    json!({ "exact": is_exact, "players": players })
}

/// A floating-point equilibrium, made exact if its probabilities are (close
/// to) small fractions that form an exact equilibrium of `g`.
pub(super) fn float_solution(
    g: &NormalFormGame<Q>,
    strategies: &[Vec<f64>],
    payoffs: &[f64],
) -> Solution {
    let exact: Option<Vec<Vec<Q>>> = strategies
        .iter()
        .map(|s| {
            let v: Option<Vec<Q>> = s.iter().map(|&x| rationalize(x)).collect();
            v.filter(|v| v.iter().sum::<Q>() == Q::from_integer(1.into()))
        })
        .collect();
    if let Some(x) = exact
        && max_regret(g, &x).is_ok_and(|r| r == Q::default())
    {
        let payoffs = (0..g.num_players())
            .map(|p| expected_payoff(g, p, &x).map(Num::Exact))
            .collect::<Result<Vec<_>, _>>();
        if let Ok(payoffs) = payoffs {
            return Solution {
                probs: x
                    .into_iter()
                    .map(|s| s.into_iter().map(Num::Exact).collect())
                    .collect(),
                payoffs,
            };
        }
    }
    Solution::float(strategies, payoffs)
}

/// The fraction with the smallest denominator (at most 10^6) within 1e-9 of
/// `x`, by continued fractions; `None` if there is none.
///
/// Hand-written rather than `num_rational::Ratio::approximate_float`: that
/// one has a fixed error bound of 1e-19 and no denominator limit, so a
/// solver's 0.33333333337 would become a huge fraction instead of 1/3 and
/// the equilibrium would no longer be confirmed exactly.
pub(super) fn rationalize(x: f64) -> Option<Q> {
    if !x.is_finite() {
        return None;
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0i128, 1i128, 1i128, 0i128);
    let mut r = x;
    for _ in 0..40 {
        let a = r.floor();
        if a.abs() > 1e12 {
            return None;
        }
        let a = a as i128;
        (h0, h1) = (h1, a * h1 + h0);
        (k0, k1) = (k1, a * k1 + k0);
        if k1 > 1_000_000 {
            return None;
        }
        if (h1 as f64 / k1 as f64 - x).abs() <= 1e-9 {
            return Some(Q::new(
                i64::try_from(h1).ok()?.into(),
                i64::try_from(k1).ok()?.into(),
            ));
        }
        let frac = r - r.floor();
        if frac == 0.0 {
            return None;
        }
        r = 1.0 / frac;
    }
    None
}
