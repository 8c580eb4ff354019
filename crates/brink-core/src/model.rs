//! The arithmetic of one round, as plain functions over slices.
//!
//! The ECS systems in [`crate::engine`] call these; so does the plain-struct reference
//! model in `benches/`, which is how the cost of the ECS itself is measured. Nothing
//! here allocates or touches a random number generator: draws are passed in.

use crate::rules::DecisionRule;
use crate::scenario::{AgentSpec, CompiledScenario};

/// Offsets of per-agent blocks in the flat buffers agents keep.
///
/// Beliefs are `[target][type]`, perceptions `[agent][action]`, forecasts
/// `[target][type][action]`, each target's block at the offsets below (an observer's
/// own block is kept for a uniform layout and unused).
#[derive(Clone, Debug)]
pub struct Dims {
    /// Start of each agent's types in a beliefs buffer.
    pub type_offset: Vec<usize>,
    /// Start of each agent's actions in a perception (marginals) buffer.
    pub action_offset: Vec<usize>,
    /// Start of each agent's `[type][action]` block in a forecasts buffer.
    pub forecast_offset: Vec<usize>,
    /// Total types over agents.
    pub types: usize,
    /// Total actions over agents.
    pub actions: usize,
    /// Total `types × actions` over agents.
    pub forecasts: usize,
    /// Start of each agent's `[type][term]` block in an all-agents term-value buffer.
    pub value_offset: Vec<usize>,
    /// Total `types × terms` over agents.
    pub values: usize,
}

impl Dims {
    /// Offsets for a scenario.
    pub fn new(s: &CompiledScenario) -> Self {
        let (mut t, mut a, mut f, mut v) = (0, 0, 0, 0);
        let (mut type_offset, mut action_offset, mut forecast_offset) = (vec![], vec![], vec![]);
        let mut value_offset = vec![];
        for ag in &s.agents {
            type_offset.push(t);
            action_offset.push(a);
            forecast_offset.push(f);
            value_offset.push(v);
            t += ag.types.len();
            a += ag.actions.len();
            f += ag.types.len() * ag.actions.len();
            v += ag.types.len() * ag.terms.len();
        }
        Dims {
            type_offset,
            action_offset,
            forecast_offset,
            types: t,
            actions: a,
            forecasts: f,
            value_offset,
            values: v,
        }
    }
}

/// Evaluates an agent's utility terms in the current frame for each of its types:
/// `out[type * terms + k]`.
pub fn evaluate_terms(agent: &AgentSpec, frame: &[f64], out: &mut [f64]) {
    let n = agent.terms.len();
    for (k, term) in agent.terms.iter().enumerate() {
        if term.shared {
            let v = term.value_by_type[0].eval(frame);
            for ty in 0..term.value_by_type.len() {
                out[ty * n + k] = v;
            }
        } else {
            for (ty, e) in term.value_by_type.iter().enumerate() {
                out[ty * n + k] = e.eval(frame);
            }
        }
    }
}

/// How a deciding agent weighs the other agents' types in utility terms that read
/// their type values (interdependent values, [`crate::scenario::Term::types`]).
/// Unused by ordinary terms.
#[derive(Clone, Copy, Debug)]
pub struct TypeView<'a> {
    /// Probability of each agent-type (flat at [`Dims::type_offset`]): the decider's
    /// beliefs over the others' types.
    pub weights: &'a [f64],
    /// The play the decider predicts of each other agent *given* its type (flat
    /// `[agent][type][action]` at [`Dims::forecast_offset`]), when its model of the
    /// others has one; None: a type and its action are independent (the marginals).
    pub play: Option<&'a [f64]>,
}

/// Expected utility of each action of agent `i` when every other agent `j` plays
/// independently with probabilities `marginals[action_offset[j]..]`; `values` are the
/// agent's term values under the type considered. Exact for the additive-term utility
/// model: a term's weight is the probability that the others meet its conditions.
/// A term with conditions on the others' types (it reads their type values) is
/// weighted by the probability, under `types`, that they are of those types and play
/// as its conditions say: `Π_j w(j, t_j) · P_j(M_j | t_j)`.
pub fn expected_utilities(
    s: &CompiledScenario,
    dims: &Dims,
    i: usize,
    values: &[f64],
    marginals: &[f64],
    types: &TypeView,
    eu: &mut [f64],
) {
    eu.iter_mut().for_each(|x| *x = 0.0);
    let own = low_bits(eu.len());
    if s.agents[i].reads_types {
        return expected_utilities_typed(s, dims, i, values, marginals, types, eu);
    }
    for (term, &v) in s.agents[i].terms.iter().zip(values) {
        let (weight, own_mask) = term_weight(s, dims, i, term, v, marginals);
        add_weight(eu, weight, own_mask & own);
    }
}

/// Weight and own-action mask of an ordinary term (no conditions on types): its value
/// times the probability that each other agent meets its action condition.
#[inline]
fn term_weight(
    s: &CompiledScenario,
    dims: &Dims,
    i: usize,
    term: &crate::scenario::Term,
    v: f64,
    marginals: &[f64],
) -> (f64, u64) {
    let mut weight = v;
    let mut own_mask = u64::MAX;
    for c in &term.conditions {
        if c.agent == i {
            own_mask = c.mask;
        } else {
            let n = s.agents[c.agent].actions.len();
            weight *= held_probability(&marginals[dims.action_offset[c.agent]..], c.mask, n);
        }
    }
    (weight, own_mask)
}

/// Probability under `play` (one agent's actions) that it plays an action of `mask`
/// among its `n`: the sum in increasing action order (the order is part of the bits).
#[inline]
fn held_probability(play: &[f64], mask: u64, n: usize) -> f64 {
    set_bits(mask & low_bits(n)).map(|b| play[b]).sum()
}

/// Adds `weight` to the expected utility of each action in `actions` (bit `a` for
/// action `a`, within `eu`); nothing for a zero weight.
#[inline]
fn add_weight(eu: &mut [f64], weight: f64, actions: u64) {
    if weight != 0.0 {
        for a in set_bits(actions) {
            eu[a] += weight;
        }
    }
}

/// The mask of actions `0..n`.
#[inline]
fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// The positions of the set bits of `bits`, in increasing order.
#[inline]
fn set_bits(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            b
        })
    })
}

/// [`expected_utilities`] for an agent with terms that read other agents' type
/// values (`eu` zeroed): ordinary terms as there, the others by [`typed_weight`].
#[cold]
#[inline(never)]
fn expected_utilities_typed(
    s: &CompiledScenario,
    dims: &Dims,
    i: usize,
    values: &[f64],
    marginals: &[f64],
    types: &TypeView,
    eu: &mut [f64],
) {
    let own = low_bits(eu.len());
    for (term, &v) in s.agents[i].terms.iter().zip(values) {
        let (weight, own_mask) = if term.types.is_empty() {
            term_weight(s, dims, i, term, v, marginals)
        } else {
            typed_weight(s, dims, i, term, v, marginals, types)
        };
        add_weight(eu, weight, own_mask & own);
    }
}

/// Weight and own-action mask of a term with conditions on the others' types: its
/// value times the probability that each agent it reads is of the term's type and
/// every other agent meets its action condition (given its type, when `types.play`
/// has per-type play). Zero when a type it needs has probability 0.
fn typed_weight(
    s: &CompiledScenario,
    dims: &Dims,
    i: usize,
    term: &crate::scenario::Term,
    v: f64,
    marginals: &[f64],
    types: &TypeView,
) -> (f64, u64) {
    let mut weight = v;
    for &(j, t) in &term.types {
        let w = types.weights[dims.type_offset[j] + t];
        if w == 0.0 {
            return (0.0, 0);
        }
        weight *= w;
    }
    let mut own_mask = u64::MAX;
    for c in &term.conditions {
        if c.agent == i {
            own_mask = c.mask;
            continue;
        }
        let n = s.agents[c.agent].actions.len();
        let given = term.types.iter().find(|&&(j, _)| j == c.agent);
        let row = match (given, types.play) {
            (Some(&(j, t)), Some(play)) => &play[dims.forecast_offset[j] + t * n..][..n],
            _ => &marginals[dims.action_offset[c.agent]..][..n],
        };
        weight *= held_probability(row, c.mask, n);
    }
    (weight, own_mask)
}

/// What a level-k or cognitive-hierarchy reasoner expects the others to play.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hierarchy {
    /// Level `k` faces everyone at level `k − 1`.
    LevelK,
    /// Level `k` faces levels `0..k` in normalised Poisson(`tau`) proportions.
    Cognitive {
        /// Mean level.
        tau: f64,
    },
}

/// Scratch and result of [`reason`].
#[derive(Clone, Debug, Default)]
pub struct Reasoning {
    /// Aggregate play at each level below the top: `levels[m * actions + offset]`.
    pub levels: Vec<f64>,
    /// The others' play the top level responds to (flat by action offset).
    pub faced: Vec<f64>,
    eu: Vec<f64>,
    policy: Vec<f64>,
    weights: Vec<f64>,
}

/// Level-k / cognitive-hierarchy reasoning: fills `r.faced` with the play (flat by
/// action offset) that a reasoner at `level` expects of every agent.
///
/// Level 0 of agent `a` plays `a.level0`. Level `m ≥ 1` of agent `a` and type `t`
/// responds (best response, or logit with `lambda`) to the play it faces at `m`; an
/// agent's play at level `m` is the mix over its types weighted by `weights` (flat
/// `[agent][type]`, e.g. the reasoner's beliefs, with its own block at its prior).
/// `values` holds every agent's term values (`[type][term]` at
/// [`Dims::value_offset`]). Only blocks of agents other than the responder matter to
/// a response, so one `faced` vector serves every agent. With `mask` (flat by action
/// offset), every level's play is restricted to the available actions.
#[allow(clippy::too_many_arguments)]
pub fn reason(
    s: &CompiledScenario,
    dims: &Dims,
    values: &[f64],
    weights: &[f64],
    level: u32,
    kind: Hierarchy,
    lambda: Option<f64>,
    r: &mut Reasoning,
    mask: Option<&[bool]>,
) {
    let (na, top) = (dims.actions, level as usize);
    r.faced.resize(na, 0.0);
    if top == 0 {
        r.faced.fill(0.0);
        return;
    }
    r.levels.resize(top * na, 0.0);
    for (a, spec) in s.agents.iter().enumerate() {
        let off = dims.action_offset[a];
        let n = spec.actions.len();
        let avail = mask.map(|m| &m[off..off + n]);
        crate::availability::level0(&spec.level0, &mut r.levels[off..off + n], avail);
    }
    for m in 1..=top {
        // What level m faces.
        match kind {
            Hierarchy::LevelK => {
                r.faced.copy_from_slice(&r.levels[(m - 1) * na..m * na]);
            }
            Hierarchy::Cognitive { tau } => {
                crate::rules::poisson_weights(tau, m, &mut r.weights);
                r.faced.fill(0.0);
                for (h, &g) in r.weights.iter().enumerate() {
                    let row = &r.levels[h * na..(h + 1) * na];
                    r.faced.iter_mut().zip(row).for_each(|(x, &p)| *x += g * p);
                }
            }
        }
        if m == top {
            break;
        }
        // Level m's play: each agent's types respond to what level m faces.
        for (a, spec) in s.agents.iter().enumerate() {
            let (off, n, nterms) = (dims.action_offset[a], spec.actions.len(), spec.terms.len());
            r.eu.resize(n, 0.0);
            r.policy.resize(n, 0.0);
            let out = &mut r.levels[m * na + off..m * na + off + n];
            out.fill(0.0);
            for t in 0..spec.types.len() {
                let w = weights[dims.type_offset[a] + t];
                if w == 0.0 {
                    continue;
                }
                let v = &values[dims.value_offset[a] + t * nterms..][..nterms];
                // The hierarchy keeps no per-type play: in terms reading the others'
                // type values, types and actions are independent.
                let view = TypeView {
                    weights,
                    play: None,
                };
                expected_utilities(s, dims, a, v, &r.faced, &view, &mut r.eu);
                if let Some(flags) = mask {
                    crate::availability::mask_expected(&mut r.eu, &flags[off..off + n]);
                }
                crate::rules::respond(lambda, &r.eu, &mut r.policy);
                if let Some(flags) = mask {
                    crate::availability::restrict(&mut r.policy, &flags[off..off + n]);
                }
                out.iter_mut()
                    .zip(&r.policy)
                    .for_each(|(x, &p)| *x += w * p);
            }
        }
    }
}

/// Beliefs of a fictitious player: each agent's empirical action frequencies from
/// `counts` (flat by action offset); an agent with no count yet gets `fallback`'s
/// block (the perception of the status quo).
pub fn empirical_beliefs(
    s: &CompiledScenario,
    dims: &Dims,
    counts: &[f64],
    fallback: &[f64],
    out: &mut [f64],
) {
    for (j, aj) in s.agents.iter().enumerate() {
        let (off, n) = (dims.action_offset[j], aj.actions.len());
        let c = &counts[off..off + n];
        let total: f64 = c.iter().sum();
        let o = &mut out[off..off + n];
        if total > 0.0 {
            o.iter_mut().zip(c).for_each(|(x, &k)| *x = k / total);
        } else {
            o.copy_from_slice(&fallback[off..off + n]);
        }
    }
}

/// A uniformly random point of the simplex (a flat Dirichlet): normalised
/// exponential draws `-ln(1 − u)`, one uniform number per action.
pub fn random_simplex(out: &mut [f64], mut uniform: impl FnMut() -> f64) {
    let mut total = 0.0;
    for x in out.iter_mut() {
        *x = -libm::log(1.0 - uniform());
        total += *x;
    }
    out.iter_mut().for_each(|x| *x /= total);
}

/// Max-norm distance between empirical frequencies `play` (flat by action offset)
/// and a mixed profile (one strategy per agent).
pub fn play_distance(dims: &Dims, play: &[f64], profile: &[Vec<f64>]) -> f64 {
    let mut d = 0.0f64;
    for (j, strat) in profile.iter().enumerate() {
        let off = dims.action_offset[j];
        for (a, &p) in strat.iter().enumerate() {
            d = d.max((play[off + a] - p).abs());
        }
    }
    d
}

/// One step of an agent's estimate of a state variable it reads with Gaussian error
/// (a Kalman filter for a random walk): the prior is `N(mean, var + drift²)` (the
/// variable may have moved by `drift` since the last reading), the reading `y` has
/// error `N(0, sd²)`, and the posterior is Bayes' rule for Gaussians:
/// `K = prior / (prior + sd²)`, `mean += K (y − mean)`, `var = (1 − K) prior`.
pub fn kalman_update(mean: &mut f64, var: &mut f64, reading: f64, sd: f64, drift: f64) {
    let prior = *var + drift * drift;
    let gain = prior / (prior + sd * sd);
    *mean += gain * (reading - *mean);
    *var = (1.0 - gain) * prior;
}

/// The frame an agent with state intelligence decides on: `frame` with each variable
/// it estimates replaced by its estimate's mean, clamped to the variable's bounds.
pub fn perceived_frame(
    s: &CompiledScenario,
    agent: &AgentSpec,
    means: &[f64],
    frame: &[f64],
    out: &mut Vec<f64>,
) {
    out.clear();
    out.extend_from_slice(frame);
    for (intel, &m) in agent.state_intel.iter().zip(means) {
        out[intel.var] = s.state[intel.var].clamp(m);
    }
}

/// Every agent's term values for every type, evaluated on `frame`, into `out` at
/// [`Dims::value_offset`].
pub fn evaluate_all_terms(s: &CompiledScenario, dims: &Dims, frame: &[f64], out: &mut [f64]) {
    for (a, spec) in s.agents.iter().enumerate() {
        let n = spec.types.len() * spec.terms.len();
        evaluate_terms(spec, frame, &mut out[dims.value_offset[a]..][..n]);
    }
}

/// The agents other than `j` whose actions some utility term of `j` is conditioned on
/// (`true` at `k` for agent `k`): the only perceptions a forecast of `j` depends on.
pub fn forecast_inputs(s: &CompiledScenario, j: usize) -> Vec<bool> {
    let mut inputs = vec![false; s.agents.len()];
    for c in s.agents[j].terms.iter().flat_map(|t| &t.conditions) {
        inputs[c.agent] = c.agent != j;
    }
    inputs
}

/// Index of the profile of perceived actions of the agents in `inputs` (see
/// [`forecast_inputs`]), or None when one of them is not perceived as a point mass.
pub fn perceived_key(
    s: &CompiledScenario,
    points: &[Option<usize>],
    inputs: &[bool],
) -> Option<u64> {
    let mut key = 0u64;
    for ((p, agent), &input) in points.iter().zip(&s.agents).zip(inputs) {
        if input {
            key = key * agent.actions.len() as u64 + (*p)? as u64;
        }
    }
    Some(key)
}

/// Utility of agent `i` (term `values` of one type) at a pure action profile, the
/// agents being of `types` (one per agent: a term that reads another agent's type
/// values counts only at that agent's type).
#[inline]
pub fn utility_at(agent: &AgentSpec, values: &[f64], profile: &[usize], types: &[usize]) -> f64 {
    if agent.reads_types {
        return utility_at_typed(agent, values, profile, types);
    }
    agent
        .terms
        .iter()
        .zip(values)
        .filter(|(t, _)| t.conditions.iter().all(|c| c.holds(profile[c.agent])))
        .map(|(_, &v)| v)
        .sum()
}

/// [`utility_at`] for an agent with terms that read other agents' type values.
#[cold]
#[inline(never)]
fn utility_at_typed(agent: &AgentSpec, values: &[f64], profile: &[usize], types: &[usize]) -> f64 {
    agent
        .terms
        .iter()
        .zip(values)
        .filter(|(t, _)| {
            t.conditions.iter().all(|c| c.holds(profile[c.agent])) && t.types_hold(types)
        })
        .map(|(_, &v)| v)
        .sum()
}

/// Probability that intelligence of the given accuracy reports action `signal` when
/// the target played `action` among `n`: `accuracy` if they agree, otherwise the
/// remaining mass spread evenly over the `n − 1` wrong reports.
#[inline]
pub fn signal_likelihood(signal: usize, action: usize, n: usize, accuracy: f64) -> f64 {
    if n == 1 {
        1.0
    } else if signal == action {
        accuracy
    } else {
        (1.0 - accuracy) / (n - 1) as f64
    }
}

/// The report intelligence gives about `action` (of `n`), from one uniform draw `u`:
/// the truth with probability `accuracy`, otherwise a uniformly chosen wrong action.
pub fn draw_signal(action: usize, n: usize, accuracy: f64, u: f64) -> usize {
    if n == 1 || u < accuracy {
        return action;
    }
    let v = ((u - accuracy) / (1.0 - accuracy) * (n - 1) as f64) as usize;
    let k = v.min(n - 2);
    if k >= action { k + 1 } else { k }
}

/// Bayes' rule for an observer's beliefs about one target's type after a signal.
///
/// `forecasts[type * n + a]` is the observer's prediction of what each type would have
/// played. Returns false and leaves `beliefs` unchanged when the signal has zero (or
/// non-finite) probability under every type the observer still considers possible:
/// evidence the model calls impossible is ignored rather than turned into NaN.
pub fn bayes_update(
    beliefs: &mut [f64],
    forecasts: &[f64],
    n: usize,
    signal: usize,
    accuracy: f64,
) -> bool {
    // The signal's likelihood under each type (computed once; at most a few types
    // live on the stack).
    let wrong = (1.0 - accuracy) / n.saturating_sub(1).max(1) as f64;
    let likelihood = |ty: usize| -> f64 {
        forecasts[ty * n..(ty + 1) * n]
            .iter()
            .enumerate()
            // `signal_likelihood`, with the wrong-report mass computed once.
            .map(|(a, &p)| {
                p * if n == 1 {
                    1.0
                } else if a == signal {
                    accuracy
                } else {
                    wrong
                }
            })
            .sum()
    };
    let mut stack = [0.0f64; 8];
    let mut heap = Vec::new();
    let likes: &mut [f64] = if beliefs.len() <= stack.len() {
        &mut stack[..beliefs.len()]
    } else {
        heap.resize(beliefs.len(), 0.0);
        &mut heap
    };
    for (ty, l) in likes.iter_mut().enumerate() {
        *l = likelihood(ty);
    }
    let total: f64 = beliefs.iter().zip(likes.iter()).map(|(b, &l)| b * l).sum();
    if !(total > 0.0 && total.is_finite()) {
        return false;
    }
    let mut floored = false;
    for (b, &like) in beliefs.iter_mut().zip(likes.iter()) {
        let before = *b;
        *b = *b * like / total;
        // A type the evidence does not rule out never reaches exactly 0 by underflow
        // (it could then never recover): it is kept at the smallest normal number.
        if *b < BELIEF_FLOOR && before > 0.0 && like > 0.0 {
            *b = BELIEF_FLOOR;
            floored = true;
        }
    }
    if floored {
        let sum: f64 = beliefs.iter().sum();
        beliefs.iter_mut().for_each(|b| *b /= sum);
    }
    true
}

/// Smallest probability a type keeps while the evidence allows it
/// (`f64::MIN_POSITIVE`, about 2.2e-308).
pub const BELIEF_FLOOR: f64 = f64::MIN_POSITIVE;

/// Index drawn from priors with one uniform number (see [`crate::rules::sample`]).
pub fn draw_type(agent: &AgentSpec, u: f64) -> usize {
    let mut acc = 0.0;
    let mut last = 0;
    for (i, t) in agent.types.iter().enumerate() {
        if t.prior > 0.0 {
            acc += t.prior;
            last = i;
            if u < acc {
                return i;
            }
        }
    }
    last
}

/// Scratch of [`modelled_play`], holding the last model it computed.
#[derive(Default)]
pub struct OthersScratch {
    empirical: Vec<f64>,
    reasoning: Reasoning,
}

impl OthersScratch {
    /// The play the last [`modelled_play`] call for a rule like `rule` left here
    /// (fictitious play: the empirical frequencies; level-k and cognitive hierarchy:
    /// the hierarchy's `faced`).
    pub fn last(&self, rule: DecisionRule) -> &[f64] {
        match rule {
            DecisionRule::FictitiousPlay { .. } => &self.empirical,
            _ => &self.reasoning.faced,
        }
    }
}

/// What an agent with `rule` expects the others to play (flat by action offset), for
/// the rules whose model of the others is not the forecasts: fictitious play (the
/// empirical frequencies of `counts`, the perceived status quo `perceived` before any
/// count) and level-k / cognitive hierarchy (the hierarchy over term `values`, types
/// weighted by `weights`). None for best response and logit. Shared by the engine's
/// forecasts and decisions and by the lookahead's predicted nodes.
#[allow(clippy::too_many_arguments)]
pub fn modelled_play<'a>(
    rule: DecisionRule,
    s: &CompiledScenario,
    d: &Dims,
    counts: &[f64],
    perceived: &[f64],
    values: &[f64],
    weights: &[f64],
    scratch: &'a mut OthersScratch,
    mask: Option<&[bool]>,
) -> Option<&'a [f64]> {
    match rule {
        DecisionRule::BestResponse | DecisionRule::Logit { .. } => None,
        DecisionRule::FictitiousPlay { .. } => {
            scratch.empirical.resize(d.actions, 0.0);
            empirical_beliefs(s, d, counts, perceived, &mut scratch.empirical);
            if let Some(m) = mask {
                crate::availability::restrict_all(s, d, &mut scratch.empirical, m);
            }
            Some(&scratch.empirical)
        }
        DecisionRule::LevelK { level, lambda }
        | DecisionRule::CognitiveHierarchy { level, lambda, .. } => {
            let kind = match rule {
                DecisionRule::CognitiveHierarchy { tau, .. } => Hierarchy::Cognitive { tau },
                _ => Hierarchy::LevelK,
            };
            reason(
                s,
                d,
                values,
                weights,
                level,
                kind,
                lambda,
                &mut scratch.reasoning,
                mask,
            );
            Some(&scratch.reasoning.faced)
        }
    }
}

/// Moves the world state: every effect whose condition holds in the frame (state at
/// the start of the round, this round's action indicators set) contributes; then
/// `new = (last set value, or old) + sum of increments + noise`, clamped to bounds
/// (a NaN is left as it is, so a formula that breaks shows in the results).
/// `normal` returns one standard-normal draw; it is called once per noise entry of
/// each effect that fires, in file order.
pub fn apply_effects(
    s: &CompiledScenario,
    frame: &mut [f64],
    delta: &mut [f64],
    set: &mut [Option<f64>],
    mut normal: impl FnMut() -> f64,
) {
    let n = s.state.len();
    delta[..n].iter_mut().for_each(|x| *x = 0.0);
    set[..n].iter_mut().for_each(|x| *x = None);
    for e in &s.effects {
        if let Some(w) = &e.when
            && w.eval(frame) < 0.5
        {
            continue;
        }
        for (idx, x) in &e.add {
            delta[*idx] += x.eval(frame);
        }
        for (idx, x) in &e.set {
            set[*idx] = Some(x.eval(frame));
        }
        for &(idx, sd) in &e.noise {
            delta[idx] += sd * normal();
        }
    }
    for (k, var) in s.state.iter().enumerate() {
        frame[k] = var.clamp(set[k].unwrap_or(frame[k]) + delta[k]);
    }
}

/// The outcome the run ends in after `round`, if any: the first every-round outcome
/// whose condition holds; at the horizon, otherwise, the first at-horizon outcome
/// whose condition holds (the last one has none).
pub fn check_outcome(s: &CompiledScenario, frame: &[f64], round: u32) -> Option<usize> {
    let holds =
        |o: &crate::scenario::OutcomeSpec| o.when.as_ref().is_none_or(|w| w.eval(frame) >= 0.5);
    if let Some(i) = s.outcomes.iter().position(|o| !o.at_horizon && holds(o)) {
        return Some(i);
    }
    if round >= s.horizon {
        return s.outcomes.iter().position(|o| o.at_horizon && holds(o));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_draws_match_their_likelihoods() {
        // With u spread evenly over [0, 1), the share of each report equals its likelihood.
        let (n, acc, truth) = (4, 0.7, 2);
        let mut counts = [0usize; 4];
        let m = 100_000;
        for k in 0..m {
            counts[draw_signal(truth, n, acc, (k as f64 + 0.5) / m as f64)] += 1;
        }
        for (s, &c) in counts.iter().enumerate() {
            let want = signal_likelihood(s, truth, n, acc);
            assert!((c as f64 / m as f64 - want).abs() < 1e-4, "signal {s}: {c}");
        }
    }

    #[test]
    fn bayes_update_matches_hand_computation() {
        // Two types; type 0 plays action 0 w.p. 0.9, type 1 w.p. 0.2; prior 0.5/0.5;
        // accuracy 0.8 over 2 actions; signal 0.
        // P(s=0|t0) = 0.9*0.8 + 0.1*0.2 = 0.74; P(s=0|t1) = 0.2*0.8 + 0.8*0.2 = 0.32.
        // Posterior t0 = 0.74 / (0.74 + 0.32) = 0.698113...
        let mut b = [0.5, 0.5];
        let f = [0.9, 0.1, 0.2, 0.8];
        assert!(bayes_update(&mut b, &f, 2, 0, 0.8));
        assert!((b[0] - 0.74 / 1.06).abs() < 1e-15);
        assert!((b[0] + b[1] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn beliefs_never_underflow_to_zero_and_can_recover() {
        // Type 0 always plays action 0, type 1 action 1; intelligence is 0.99
        // accurate; 2000 signals of action 1 drive type 0's probability below any
        // double, but not to 0 — and evidence the other way brings it back.
        let f = [1.0, 0.0, 0.0, 1.0];
        let mut b = [0.5, 0.5];
        for _ in 0..2000 {
            assert!(bayes_update(&mut b, &f, 2, 1, 0.99));
            assert!(b[0] > 0.0 && b[0].is_finite() && b[1].is_finite());
            assert!((b[0] + b[1] - 1.0).abs() < 1e-15);
        }
        assert_eq!(b[0], BELIEF_FLOOR);
        for _ in 0..400 {
            assert!(bayes_update(&mut b, &f, 2, 0, 0.99));
        }
        assert!(b[0] > 0.99, "type 0 recovered to {}", b[0]);
    }

    #[test]
    fn kalman_update_is_bayes_for_gaussians() {
        // Prior N(0.5, 0.01 + 0.05^2), reading 0.7 with sd 0.1:
        // K = 0.0125 / (0.0125 + 0.01) = 5/9; mean = 0.5 + 5/9 * 0.2; var = 4/9 * 0.0125.
        let (mut m, mut v) = (0.5, 0.01);
        kalman_update(&mut m, &mut v, 0.7, 0.1, 0.05);
        assert!((m - (0.5 + 0.2 * 5.0 / 9.0)).abs() < 1e-15);
        assert!((v - 0.0125 * 4.0 / 9.0).abs() < 1e-15);
        // No drift and no prior variance: readings carry no weight.
        let (mut m, mut v) = (0.5, 0.0);
        kalman_update(&mut m, &mut v, 0.9, 0.1, 0.0);
        assert_eq!((m, v), (0.5, 0.0));
    }

    #[test]
    fn impossible_evidence_leaves_beliefs_unchanged() {
        let mut b = [1.0, 0.0];
        // The only possible type never plays action 1 and intelligence is perfect.
        let f = [1.0, 0.0, 0.0, 1.0];
        assert!(!bayes_update(&mut b, &f, 2, 1, 1.0));
        assert_eq!(b, [1.0, 0.0]);
    }
}
