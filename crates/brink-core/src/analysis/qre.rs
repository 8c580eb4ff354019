//! The logit QRE of the stage game with each agent's own precision, cached per
//! distinct stage game.
//!
//! `brink-solve`'s tracer takes one λ. With heterogeneous precisions the QRE
//! conditions `p_i(a) ∝ exp(λ_i u_i(a, p_{-i}))` are those of the game with payoffs
//! `(λ_i / λ_max) u_i` at the common precision `λ_max`, which is what is solved.

use brink_solve::NormalFormGame;
use brink_solve::qre::logit_qre;

/// The last stage game solved and its QRE.
#[derive(Default)]
pub struct QreCache {
    key: Vec<f64>,
    lambdas: Vec<f64>,
    qre: Option<Vec<Vec<f64>>>,
    scaled: Option<NormalFormGame<f64>>,
}

impl QreCache {
    /// The logit QRE of `game` (players are agents) with precisions `lambdas`; None
    /// when the tracer fails. Solved once per distinct game.
    pub fn solve(&mut self, game: &NormalFormGame<f64>, lambdas: &[f64]) -> Option<&[Vec<f64>]> {
        if self.key.as_slice() != game.payoffs() || self.lambdas.as_slice() != lambdas {
            self.key.clear();
            self.key.extend_from_slice(game.payoffs());
            self.lambdas.clear();
            self.lambdas.extend_from_slice(lambdas);
            self.qre = heterogeneous_qre(game, lambdas, &mut self.scaled);
        }
        self.qre.as_deref()
    }
}

/// The logit QRE with precision `lambdas[i]` for player `i` (see the module docs).
pub fn heterogeneous_qre(
    game: &NormalFormGame<f64>,
    lambdas: &[f64],
    scratch: &mut Option<NormalFormGame<f64>>,
) -> Option<Vec<Vec<f64>>> {
    let top = lambdas.iter().copied().fold(0.0f64, f64::max);
    let sizes = game.strategy_counts();
    if top == 0.0 {
        return Some(sizes.iter().map(|&n| vec![1.0 / n as f64; n]).collect());
    }
    let n = sizes.len();
    let scaled = scratch.get_or_insert_with(|| game.clone());
    if scaled.strategy_counts() != sizes {
        *scaled = game.clone();
    }
    for (k, (x, &u)) in scaled
        .payoffs_mut()
        .iter_mut()
        .zip(game.payoffs())
        .enumerate()
    {
        *x = u * (lambdas[k % n] / top);
    }
    logit_qre(scaled, top).ok().map(|e| e.strategies)
}
