//! Filling a stage game's payoff table term by term: each utility term is added to
//! the profiles that meet its conditions, instead of testing every term at every
//! profile. The sums are those of [`crate::model::utility_at`] to the bit (each
//! profile's matching terms added in term order, from the same −0.0 start as `Iterator::sum`).

use crate::scenario::CompiledScenario;

/// Scratch of [`fill_stage_payoffs`], reused across calls.
#[derive(Clone, Debug, Default)]
pub struct StageFill {
    /// One player's utility at every profile.
    acc: Vec<f64>,
    /// Per agent, the actions a term allows (bit `a` for action `a`).
    allowed: Vec<u64>,
    /// Per agent, the action the walk is at.
    at: Vec<usize>,
    /// Per agent, the flat-index stride (the last agent's action varies fastest).
    strides: Vec<usize>,
}

/// The mask of actions `0..n`.
fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Writes every agent's utility at every pure profile of the stage game into
/// `payoffs` (profile-major in [`brink_solve::NormalFormGame`]'s order, then player),
/// `values[i]` being agent `i`'s term values and `types` the agents' types (a term
/// that reads another agent's type values counts only at its types). Returns false if a payoff is NaN (the
/// table is then fully written).
pub fn fill_stage_payoffs(
    s: &CompiledScenario,
    values: &[Vec<f64>],
    types: &[usize],
    payoffs: &mut [f64],
    f: &mut StageFill,
) -> bool {
    let k = s.agents.len();
    let profiles: usize = s.agents.iter().map(|a| a.actions.len()).product();
    debug_assert_eq!(payoffs.len(), profiles * k);
    f.strides.clear();
    f.strides.resize(k, 1);
    for a in (0..k.saturating_sub(1)).rev() {
        f.strides[a] = f.strides[a + 1] * s.agents[a + 1].actions.len();
    }
    f.allowed.resize(k, 0);
    f.at.resize(k, 0);
    f.acc.resize(profiles, 0.0);
    for (i, agent) in s.agents.iter().enumerate() {
        f.acc.fill(-0.0);
        for (term, &v) in agent.terms.iter().zip(&values[i]) {
            if !term.types_hold(types) {
                continue;
            }
            for (m, a) in f.allowed.iter_mut().zip(&s.agents) {
                *m = low_bits(a.actions.len());
            }
            for c in &term.conditions {
                f.allowed[c.agent] &= c.mask;
            }
            add_on_grid(&f.allowed, &f.strides, &mut f.at, &mut f.acc, v);
        }
        for (row, &u) in payoffs.chunks_exact_mut(k).zip(&f.acc) {
            row[i] = u;
        }
    }
    !payoffs.iter().any(|x| x.is_nan())
}

/// Adds `v` at every flat index of the grid of profiles whose action of agent `a`
/// is in `allowed[a]`, in any order (each index is visited once).
fn add_on_grid(allowed: &[u64], strides: &[usize], at: &mut [usize], acc: &mut [f64], v: f64) {
    if allowed.contains(&0) {
        return;
    }
    let mut index = 0;
    for ((slot, &m), &stride) in at.iter_mut().zip(allowed).zip(strides) {
        *slot = m.trailing_zeros() as usize;
        index += *slot * stride;
    }
    loop {
        acc[index] += v;
        // Advance the odometer over the allowed actions, the last agent fastest.
        let mut a = at.len();
        loop {
            if a == 0 {
                return;
            }
            a -= 1;
            let rest = allowed[a] & !low_bits(at[a] + 1);
            index -= at[a] * strides[a];
            if rest != 0 {
                at[a] = rest.trailing_zeros() as usize;
                index += at[a] * strides[a];
                break;
            }
            at[a] = allowed[a].trailing_zeros() as usize;
            index += at[a] * strides[a];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::utility_at;
    use brink_solve::NormalFormGame;

    /// Terms of `usa` read `iran.resolve` (two types): compiled per Iran type.
    const READS_TYPES: &str = r#"[scenario]
name = "reads_types"
horizon = 2

[[agents]]
name = "usa"
actions = ["press", "wait", "deal"]
decision = { rule = "best_response" }
  [[agents.utility]]
  when = { usa = "press", iran = "fight" }
  value = "-2 * iran.resolve"
  [[agents.utility]]
  when = { usa = "deal" }
  value = "3 * max(iran.resolve - 0.5, 0)"
  [[agents.utility]]
  value = "1"

[[agents]]
name = "iran"
actions = ["fight", "yield"]
decision = { rule = "best_response" }
  [[agents.types]]
  name = "soft"
  prior = 0.75
  values = { resolve = 0.25 }
  [[agents.types]]
  name = "hard"
  prior = 0.25
  values = { resolve = 0.75 }
  [[agents.utility]]
  when = { iran = "fight" }
  value = "self.resolve - 0.5"

[[outcomes]]
name = "end"
at_horizon = true
"#;

    /// On every shipped scenario and one whose terms read another agent's types, with term values of mixed signs and magnitudes, the
    /// term-wise table equals the profile-by-profile one bit for bit.
    #[test]
    fn equals_the_profile_by_profile_fill() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut scenarios: Vec<(String, crate::CompiledScenario)> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let s = crate::scenario::load(&path, &[]).unwrap();
                scenarios.push((path.display().to_string(), s));
            }
        }
        let typed = crate::scenario::from_str(READS_TYPES, "reads_types.toml", &[]).unwrap();
        assert!(typed.agents[0].terms.iter().any(|t| !t.types.is_empty()));
        scenarios.push(("reads_types.toml".into(), typed));
        let mut checked = 0;
        for (path, s) in &scenarios {
            let counts: Vec<usize> = s.agents.iter().map(|a| a.actions.len()).collect();
            let k = counts.len();
            let mut want = NormalFormGame::new(
                counts.clone(),
                vec![0.0; counts.iter().product::<usize>() * k],
            )
            .unwrap();
            for seed in 0..5u64 {
                // Each agent's type varies with the seed (terms that read types count
                // only at theirs).
                let types: Vec<usize> = s
                    .agents
                    .iter()
                    .map(|a| seed as usize % a.types.len().max(1))
                    .collect();
                let values: Vec<Vec<f64>> = s
                    .agents
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        (0..a.terms.len())
                            .map(|t| {
                                let x = (seed * 131 + i as u64 * 17 + t as u64 * 7) % 23;
                                (x as f64 - 11.0) * 0.37 / (1.0 + t as f64) + 1e-9 * seed as f64
                            })
                            .collect()
                    })
                    .collect();
                let _ = want.reset_from_fn(|p, i| utility_at(&s.agents[i], &values[i], p, &types));
                let mut got = vec![f64::NAN; want.payoffs().len()];
                assert!(fill_stage_payoffs(
                    s,
                    &values,
                    &types,
                    &mut got,
                    &mut StageFill::default()
                ));
                let same = got
                    .iter()
                    .zip(want.payoffs())
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{path}: tables differ");
                checked += 1;
            }
        }
        assert!(checked >= 50, "only {checked} tables checked");
    }

    /// A NaN term value is reported, as `reset_from_fn` does.
    #[test]
    fn nan_is_reported() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/prisoners_dilemma.toml"
        );
        let s = crate::scenario::load(std::path::Path::new(path), &[]).unwrap();
        let mut values: Vec<Vec<f64>> = s.agents.iter().map(|a| vec![1.0; a.terms.len()]).collect();
        values[1][0] = f64::NAN;
        let n: usize = s.agents.iter().map(|a| a.actions.len()).product::<usize>() * s.agents.len();
        let mut got = vec![0.0; n];
        let types = vec![0; s.agents.len()];
        assert!(!fill_stage_payoffs(
            &s,
            &values,
            &types,
            &mut got,
            &mut StageFill::default()
        ));
    }
}
