//! Forward-looking decisions: an agent with `lookahead = H` values action `a` by this
//! round's expected utility plus the `discount`-discounted expected utility of the next
//! `H` rounds along the path its model predicts (`docs/SCENARIO.md` §6.8).
//!
//! The model is a tree of *nodes*, each a (state, previous play, remaining depth `k`)
//! seen by one observer:
//!
//! - at a node every agent's predicted play is its rule's response to its rule's model
//!   of the others, as the engine forecasts it (best response and logit: the previous
//!   play; level-k and cognitive hierarchy: the hierarchy recomputed on the node's
//!   state; fictitious play: the empirical frequencies of the observer's counts, to
//!   which each transition adds its predicted play), with action values that look
//!   ahead `min(H, k)` rounds by the same model; the others' types are weighted by the
//!   observer's current beliefs (held fixed along the tree), the observer's own type is
//!   its true one;
//! - the state moves by the effects with every noise term at its mean, 0
//!   (certainty equivalence: no draws, so the tree is seed-free and
//!   thread-independent); a mixed profile moves the state to its expectation over the
//!   profiles in its support, conditional on no outcome being reached;
//! - an outcome reached by a transition ends that branch and pays the agents' terminal
//!   payoffs (`payoffs`, evaluated on the state it ends in), one discount factor later
//!   like the next round's utility.
//!
//! Nodes are memoised per observer and round (keyed by the exact bits of the state,
//! the round, the previous play, the counts and `k`), so a finite game whose states
//! recur is evaluated once per node. With `H = 0` none of this runs.

use std::collections::HashMap;

use crate::availability;
use crate::model::{self, Dims};
use crate::rules::{DecisionRule, Plan};
use crate::scenario::CompiledScenario;

/// What the observer knows that the tree depends on.
pub struct View<'a> {
    /// The observer's index.
    pub observer: usize,
    /// Its true type.
    pub own_type: usize,
    /// Its beliefs over every agent's type (flat at [`Dims::type_offset`]).
    pub beliefs: &'a [f64],
    /// The frame it decides on (the true one, or its estimate).
    pub frame: &'a [f64],
    /// The current round.
    pub round: u32,
    /// Its perception of the last round (flat by action offset).
    pub prev: &'a [f64],
    /// Its action counts (flat by action offset: the signals it received of each other
    /// agent, its own actions, and a fictitious player's prior pseudo-counts): the
    /// empirical frequencies it predicts a fictitious player responds to.
    pub counts: &'a [f64],
}

/// One evaluated node.
struct Node {
    /// `k`: how many more transitions the node's values may look through.
    depth: u32,
    /// `values[slot * (depth + 1) + d]`: expected discounted utility of the agent-type
    /// at `slot` over this round and `d` more, along the predicted path.
    values: Vec<f64>,
}

/// The memo of one observer.
#[derive(Default)]
struct Memo {
    round: u32,
    valid: bool,
    frame: Vec<f64>,
    weights: Vec<f64>,
    counts: Vec<f64>,
    index: HashMap<Vec<u64>, usize>,
    nodes: Vec<Node>,
}

/// Lookahead state kept across rounds (one per engine): per-observer memos and
/// buffers.
#[derive(Default)]
pub struct Planner {
    memos: Vec<Memo>,
    /// Weight of each agent-type in the observer's model (flat by type offset).
    weights: Vec<f64>,
    /// The observer's beliefs, its own block at its prior: how the models of the
    /// others of level-k, cognitive-hierarchy and fictitious-play agent-types weigh
    /// types, as in the engine's forecasts and decisions.
    beliefs: Vec<f64>,
    /// Whether some weighted agent-type plays fictitious play: only then are action
    /// counts carried along the predicted path (and part of node keys).
    fp: bool,
    /// The observer's action counts at the root (empty unless `fp`).
    root_counts: Vec<f64>,
    /// Scratch of the model of the others of level-k, cognitive-hierarchy and
    /// fictitious-play agent-types.
    others: model::OthersScratch,
    /// Number of state variables plus the round slot: the part of a frame in keys.
    key_len: usize,
    /// Whether some utility term names another agent's action (only then does the
    /// previous play change a node, and belong in its key).
    cross_terms: bool,
    /// The others' myopic play at the root (flat by action offset).
    root_myopic: Vec<f64>,
    /// Whether the scenario has action masks.
    masks: bool,
    /// Availability at the root (when it has masks).
    root_flags: Option<Vec<bool>>,
    /// Transitions from the root since [`Planner::begin`] (key: the profile
    /// distribution and the depth).
    root_cache: Vec<(Vec<u64>, Step)>,
    /// Buffers of the transitions.
    scratch: Scratch,
}

/// The transition of a node under a (possibly mixed) profile.
#[derive(Clone)]
struct Step {
    /// Expected terminal payoff of each weighted agent-type (flat by type offset) over
    /// the profiles that end the game.
    terminal: Vec<f64>,
    /// Probability of no outcome.
    p_continue: f64,
    /// The child node, when the branch continues (the tree).
    child: Option<usize>,
    /// The next frame and previous play, when the branch continues (a rollout).
    next: Option<(Vec<f64>, Vec<f64>)>,
}

/// How the rounds below a node are looked through.
#[derive(Clone, Copy)]
struct Look {
    /// Depth of the child nodes.
    k: u32,
    /// The pruning threshold of the transitions.
    prune: f64,
    /// Whether a rollout (no child nodes) rather than the tree.
    rollout: bool,
}

/// Buffers of [`Planner::transition`].
#[derive(Default)]
struct Scratch {
    support: Vec<usize>,
    start: Vec<usize>,
    idx: Vec<usize>,
    f: Vec<f64>,
    delta: Vec<f64>,
    set: Vec<Option<f64>>,
    next: Vec<f64>,
    prev: Vec<f64>,
}

impl Planner {
    /// Prepares the observer's tree for this round: its memo is kept while the
    /// observer, round and root frame are unchanged.
    pub fn begin(&mut self, s: &CompiledScenario, d: &Dims, view: &View) {
        self.key_len = s.layout.round + 1;
        if self.memos.len() < s.agents.len() {
            self.memos.resize_with(s.agents.len(), Memo::default);
        }
        self.weights.clear();
        self.weights.resize(d.types, 0.0);
        for (j, aj) in s.agents.iter().enumerate() {
            for t in 0..aj.types.len() {
                self.weights[d.type_offset[j] + t] = if j == view.observer {
                    f64::from(u8::from(t == view.own_type))
                } else {
                    view.beliefs[d.type_offset[j] + t]
                };
            }
        }
        self.beliefs.clear();
        self.beliefs.extend_from_slice(&view.beliefs[..d.types]);
        self.fp = s.agents.iter().enumerate().any(|(j, aj)| {
            aj.types.iter().enumerate().any(|(t, ty)| {
                self.weights[d.type_offset[j] + t] > 0.0
                    && matches!(ty.rule, DecisionRule::FictitiousPlay { .. })
            })
        });
        self.root_counts.clear();
        if self.fp {
            self.root_counts
                .extend_from_slice(&view.counts[..d.actions]);
        }
        // The root frame: the others' type values at their belief-weighted means (the
        // observer does not know their true types), its own at its true type.
        let mut frame = view.frame.to_vec();
        frame[s.layout.indicators[0]..s.layout.values[0]].fill(0.0);
        for (j, aj) in s.agents.iter().enumerate() {
            let off = s.layout.values[j];
            for v in 0..aj.value_names.len() {
                frame[off + v] = aj
                    .types
                    .iter()
                    .enumerate()
                    .map(|(t, ty)| self.weights[d.type_offset[j] + t] * ty.values[v])
                    .sum();
            }
        }
        self.cross_terms = s.agents.iter().enumerate().any(|(i, a)| {
            a.terms
                .iter()
                .any(|t| t.conditions.iter().any(|c| c.agent != i))
        });
        // The others' myopic play at the root, which a forecast target expects of them.
        let mut values_all = vec![0.0; d.values];
        model::evaluate_all_terms(s, d, &frame, &mut values_all);
        let mut eus = vec![0.0; d.forecasts];
        let mut policies = vec![0.0; d.forecasts];
        let mut play = vec![0.0; d.actions];
        self.masks = s.has_masks();
        let flags = self.flags(s, d, &frame);
        let counts = std::mem::take(&mut self.root_counts);
        self.myopic(
            s,
            d,
            &values_all,
            view.prev,
            &counts,
            flags.as_deref(),
            &mut eus,
            &mut policies,
            &mut play,
        );
        self.root_counts = counts;
        self.root_myopic = play;
        self.root_flags = flags;
        self.root_cache.clear();
        let memo = &mut self.memos[view.observer];
        let same = memo.valid
            && memo.round == view.round
            && memo.weights == self.weights
            && memo.counts.len() == self.root_counts.len()
            && memo
                .counts
                .iter()
                .zip(&self.root_counts)
                .all(|(a, b)| a.to_bits() == b.to_bits())
            && memo.frame.len() == frame.len()
            && memo
                .frame
                .iter()
                .zip(&frame)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        if !same {
            memo.index.clear();
            memo.nodes.clear();
            memo.frame = frame;
            memo.round = view.round;
            memo.weights.clone_from(&self.weights);
            memo.counts.clone_from(&self.root_counts);
            memo.valid = true;
        }
    }

    /// Values of agent `j`'s actions under type `t` from the root of the observer's tree
    /// (after [`Planner::begin`]): `stage[a]` (this round's expected utility) plus the
    /// discounted expected utility of the next `H` rounds when `j` plays `a` and the
    /// others `faced` (flat by action offset; None: their myopic play at the root, as
    /// the observer forecasts them), into `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn action_values(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        observer: usize,
        j: usize,
        t: usize,
        stage: &[f64],
        faced: Option<&[f64]>,
        out: &mut [f64],
    ) {
        let la = s.agents[j].types[t].lookahead;
        out.copy_from_slice(stage);
        if !la.active() {
            return;
        }
        let frame = self.memos[observer].frame.clone();
        let mut dist = faced.unwrap_or(&self.root_myopic).to_vec();
        let (off, n) = (d.action_offset[j], s.agents[j].actions.len());
        let slot = d.type_offset[j] + t;
        let rollout = la.plan == Plan::Rollout;
        for (a, x) in out.iter_mut().enumerate() {
            if x.is_nan() || self.root_flags.as_ref().is_some_and(|f| !f[off + a]) {
                continue; // unavailable: the caller masks it to -inf
            }
            dist[off..off + n].fill(0.0);
            dist[off + a] = 1.0;
            // Types of one target share the transitions of an action (same depth,
            // plan and pruning).
            let mut cache = std::mem::take(&mut self.root_cache);
            dist.extend([f64::from(la.rounds), f64::from(u8::from(rollout)), la.prune]);
            let look = Look {
                k: la.rounds - 1,
                prune: la.prune,
                rollout,
            };
            let counts = std::mem::take(&mut self.root_counts);
            let at = (frame.as_slice(), counts.as_slice());
            let step = self.cached_step(s, d, observer, at, &dist, look, &mut cache);
            dist.truncate(d.actions);
            self.root_cache = cache;
            let cont = if rollout {
                let mut v = step.terminal[slot];
                if let Some((f, prev)) = &step.next {
                    let c = advance(&counts, prev);
                    let path = self.rollout(s, d, (j, t), (f, prev, &c), la.rounds - 1, la.prune);
                    v += step.p_continue * path;
                }
                v
            } else {
                self.continuation(observer, &step, slot, la.rounds - 1)
            };
            self.root_counts = counts;
            *x += la.discount * cont;
        }
    }

    /// Expected terminal payoff plus continuation value `V^(h)` of the agent-type at
    /// `slot` after `step`.
    fn continuation(&self, observer: usize, step: &Step, slot: usize, h: u32) -> f64 {
        let mut v = step.terminal[slot];
        if let Some(c) = step.child {
            let node = &self.memos[observer].nodes[c];
            v += step.p_continue * node.values[slot * (node.depth as usize + 1) + h as usize];
        }
        v
    }

    /// [`Planner::step`], remembered in `cache` for the node being evaluated (`at`: its
    /// frame and action counts; `dist` is the profile distribution, possibly followed
    /// by more key entries).
    #[allow(clippy::too_many_arguments)]
    fn cached_step(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        observer: usize,
        at: (&[f64], &[f64]),
        dist: &[f64],
        look: Look,
        cache: &mut Vec<(Vec<u64>, Step)>,
    ) -> Step {
        let key: Vec<u64> = dist.iter().map(|x| x.to_bits()).collect();
        if let Some((_, st)) = cache.iter().find(|(k2, _)| *k2 == key) {
            return st.clone();
        }
        let st = self.step(s, d, observer, at, &dist[..d.actions], look);
        cache.push((key, st.clone()));
        st
    }

    /// Moves the node with `frame` and action counts `counts` under the profile
    /// distribution `dist`; in the tree, evaluates the child node (depth `look.k`), in
    /// a rollout keeps its frame and play.
    fn step(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        observer: usize,
        (frame, counts): (&[f64], &[f64]),
        dist: &[f64],
        look: Look,
    ) -> Step {
        let mut st = self.transition(s, d, frame, dist, look.prune);
        if !look.rollout {
            st.child = st.next.take().map(|(f, prev)| {
                let c = advance(counts, &prev);
                self.node(s, d, observer, (&f, &prev, &c), look)
            });
        }
        st
    }

    /// The predicted transition of the node with `frame` under the profile
    /// distribution `dist` (a [`Step`] without a child node): expected terminal
    /// payoffs, probability of continuing, and the next frame and previous play
    /// (conditional on continuing). Profiles less
    /// likely than `prune` times the most likely one are left out, and the transition
    /// is conditioned on the profiles kept (with `prune = 0` every profile counts).
    fn transition(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        frame: &[f64],
        dist: &[f64],
        prune: f64,
    ) -> Step {
        let na = s.agents.len();
        let nstate = s.state.len();
        let round = frame[s.layout.round] as u32;
        // Supports of each agent's play, flat, with each agent's start.
        let sc = &mut self.scratch;
        sc.support.clear();
        sc.start.clear();
        let mut p_max = 1.0;
        for (m, am) in s.agents.iter().enumerate() {
            let off = d.action_offset[m];
            sc.start.push(sc.support.len());
            let mut best: f64 = 0.0;
            for a in 0..am.actions.len() {
                if dist[off + a] > 0.0 {
                    sc.support.push(a);
                    best = best.max(dist[off + a]);
                }
            }
            p_max *= best;
        }
        sc.start.push(sc.support.len());
        let mut terminal = vec![0.0; d.types];
        if (0..na).any(|m| sc.start[m] == sc.start[m + 1]) {
            return Step {
                terminal,
                p_continue: 0.0,
                child: None,
                next: None,
            };
        }
        let floor = prune * p_max;
        let mut sc = std::mem::take(&mut self.scratch);
        sc.idx.clear();
        sc.idx.resize(na, 0);
        sc.f.clear();
        sc.f.extend_from_slice(frame);
        sc.delta.resize(nstate, 0.0);
        sc.set.resize(nstate, None);
        sc.next.clear();
        sc.next.resize(nstate, 0.0);
        sc.prev.clear();
        sc.prev.resize(d.actions, 0.0);
        let (mut p_cont, mut kept, mut pruned) = (0.0, 0.0, false);
        loop {
            let mut p = 1.0;
            for m in 0..na {
                p *= dist[d.action_offset[m] + sc.support[sc.start[m] + sc.idx[m]]];
            }
            if p < floor {
                pruned = true;
            } else {
                kept += p;
                sc.f.copy_from_slice(frame);
                for (m, am) in s.agents.iter().enumerate() {
                    let a = sc.support[sc.start[m] + sc.idx[m]];
                    let io = s.layout.indicators[m];
                    for b in 0..am.actions.len() {
                        sc.f[io + b] = f64::from(u8::from(a == b));
                    }
                }
                model::apply_effects(s, &mut sc.f, &mut sc.delta, &mut sc.set, || 0.0);
                match model::check_outcome(s, &sc.f, round) {
                    Some(o) => {
                        for (m, am) in s.agents.iter().enumerate() {
                            for (t, pay) in am.payoffs.iter().enumerate() {
                                let slot = d.type_offset[m] + t;
                                if self.weights[slot] > 0.0 {
                                    terminal[slot] += p * self.payoff(s, d, m, &pay[o], &mut sc.f);
                                }
                            }
                        }
                    }
                    None => {
                        p_cont += p;
                        sc.next
                            .iter_mut()
                            .zip(&sc.f)
                            .for_each(|(x, &y)| *x += p * y);
                        for m in 0..na {
                            sc.prev[d.action_offset[m] + sc.support[sc.start[m] + sc.idx[m]]] += p;
                        }
                    }
                }
            }
            // Next profile in the supports (mixed radix, last agent fastest).
            let mut m = na;
            let done = loop {
                if m == 0 {
                    break true;
                }
                m -= 1;
                sc.idx[m] += 1;
                if sc.idx[m] < sc.start[m + 1] - sc.start[m] {
                    break false;
                }
                sc.idx[m] = 0;
            };
            if done {
                break;
            }
        }
        if pruned {
            // Conditional on the profiles kept.
            terminal.iter_mut().for_each(|x| *x /= kept);
            p_cont /= kept;
        }
        let next = (p_cont > 0.0).then(|| {
            let mut f = frame.to_vec();
            let norm = if pruned { p_cont * kept } else { p_cont };
            for (x, y) in f.iter_mut().zip(&sc.next) {
                *x = y / norm;
            }
            f[s.layout.round] = f64::from(round + 1);
            let prev: Vec<f64> = sc.prev.iter().map(|x| x / norm).collect();
            (f, prev)
        });
        self.scratch = sc;
        Step {
            terminal,
            p_continue: p_cont,
            child: None,
            next,
        }
    }

    /// The value to the agent-type `(j, t)` of the `k + 1` rounds from the node
    /// (`frame`, previous play `prev`, action counts `counts`) when everyone, itself
    /// included, plays its myopic rule (the rollout plan): this round's expected
    /// utility plus the discounted terminal payoffs and values of the rounds after,
    /// along one predicted path.
    fn rollout(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        (j, t): (usize, usize),
        (frame, prev, counts): (&[f64], &[f64], &[f64]),
        k: u32,
        prune: f64,
    ) -> f64 {
        let aj = &s.agents[j];
        let n = aj.actions.len();
        let (off, fo) = (d.action_offset[j], d.forecast_offset[j]);
        let slot = d.type_offset[j] + t;
        let delta = aj.types[t].lookahead.discount;
        let mut values_all = vec![0.0; d.values];
        let mut eus = vec![0.0; d.forecasts];
        let mut policies = vec![0.0; d.forecasts];
        let mut play = vec![0.0; d.actions];
        let mut eu = vec![0.0; n];
        let mut dist = vec![0.0; d.actions];
        // (stage value, terminal payoff, probability of continuing) of each level.
        let mut levels: Vec<(f64, f64, f64)> = Vec::with_capacity(k as usize + 1);
        let (mut f, mut p, mut c) = (frame.to_vec(), prev.to_vec(), counts.to_vec());
        for level in 0..=k {
            model::evaluate_all_terms(s, d, &f, &mut values_all);
            let flags = self.flags(s, d, &f);
            self.myopic(
                s,
                d,
                &values_all,
                &p,
                &c,
                flags.as_deref(),
                &mut eus,
                &mut policies,
                &mut play,
            );
            let stage = self.stage_value(s, d, (j, t), &values_all, &policies, &play, &mut eu);
            let pol = &policies[fo + t * n..fo + (t + 1) * n];
            if level == k {
                levels.push((stage, 0.0, 0.0));
                break;
            }
            dist.copy_from_slice(&play);
            dist[off..off + n].copy_from_slice(pol);
            let tr = self.transition(s, d, &f, &dist, prune);
            levels.push((stage, tr.terminal[slot], tr.p_continue));
            match tr.next {
                Some((nf, np)) => {
                    c = advance(&c, &np);
                    (f, p) = (nf, np);
                }
                None => break,
            }
        }
        // Back up the path: V = stage + δ · (terminal + P(continue) · V(next)).
        let last = levels.len() - 1;
        let mut v = levels[last].0;
        if (last as u32) < k {
            // The path ended in an outcome at its last transition.
            v += delta * levels[last].1;
        }
        for &(stage, term, p_cont) in levels[..last].iter().rev() {
            v = stage + delta * (term + p_cont * v);
        }
        v
    }

    /// The node (frame, previous play, action counts, depth `k`) of the observer's
    /// tree, evaluated once and memoised.
    fn node(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        observer: usize,
        (frame, prev, counts): (&[f64], &[f64], &[f64]),
        look: Look,
    ) -> usize {
        let k = look.k;
        let mut key: Vec<u64> = frame[..self.key_len].iter().map(|x| x.to_bits()).collect();
        if self.cross_terms {
            key.extend(prev.iter().map(|x| x.to_bits()));
        }
        // Fictitious players respond to the counts (empty unless some agent-type is one).
        key.extend(counts.iter().map(|x| x.to_bits()));
        key.extend([u64::from(k), look.prune.to_bits()]);
        let below = Look {
            k: k.saturating_sub(1),
            ..look
        };
        if let Some(&id) = self.memos[observer].index.get(&key) {
            return id;
        }
        let mut values_all = vec![0.0; d.values];
        model::evaluate_all_terms(s, d, frame, &mut values_all);
        let mut eus = vec![0.0; d.forecasts];
        let mut policies = vec![0.0; d.forecasts];
        let mut myopic = vec![0.0; d.actions];
        // Availability on the predicted state.
        let flags = self.flags(s, d, frame);
        self.myopic(
            s,
            d,
            &values_all,
            prev,
            counts,
            flags.as_deref(),
            &mut eus,
            &mut policies,
            &mut myopic,
        );
        // Forward-looking agent-types: this round against the previous play, plus the
        // rounds ahead when they play `a` and the others their myopic forecasts,
        // looking ahead min(H, k) rounds. One transition per action serves every type.
        let mut cache: Vec<(Vec<u64>, Step)> = Vec::new();
        let mut dist = myopic.clone();
        for (j, aj) in s.agents.iter().enumerate() {
            let (n, off, fo) = (aj.actions.len(), d.action_offset[j], d.forecast_offset[j]);
            let fwd: Vec<usize> = (0..aj.types.len())
                .filter(|&t| {
                    let ty = &aj.types[t];
                    self.weights[d.type_offset[j] + t] > 0.0
                        && ty.lookahead.rounds.min(k) > 0
                        && ty.lookahead.plan == Plan::Tree
                        && !is_level0(ty.rule)
                })
                .collect();
            if fwd.is_empty() {
                continue;
            }
            dist.copy_from_slice(&myopic);
            for a in 0..n {
                if flags.as_ref().is_some_and(|f| !f[off + a]) {
                    continue; // unavailable: its value stays -inf
                }
                dist[off..off + n].fill(0.0);
                dist[off + a] = 1.0;
                let step =
                    self.cached_step(s, d, observer, (frame, counts), &dist, below, &mut cache);
                for &t in &fwd {
                    let ty = &aj.types[t];
                    let h = ty.lookahead.rounds.min(k);
                    let slot = d.type_offset[j] + t;
                    let cont = self.continuation(observer, &step, slot, h - 1);
                    eus[fo + t * n + a] += ty.lookahead.discount * cont;
                }
            }
            for &t in &fwd {
                let r = fo + t * n..fo + (t + 1) * n;
                let mask = flags.as_ref().map(|f| &f[off..off + n]);
                availability::respond(
                    &aj.types[t].rule,
                    &mut eus[r.clone()],
                    &mut policies[r],
                    mask,
                );
            }
        }
        // The predicted play: each agent's types mixed by the observer's weights.
        let mut play = vec![0.0; d.actions];
        for (j, aj) in s.agents.iter().enumerate() {
            let (n, off, fo) = (aj.actions.len(), d.action_offset[j], d.forecast_offset[j]);
            for t in 0..aj.types.len() {
                let w = self.weights[d.type_offset[j] + t];
                if w == 0.0 {
                    continue;
                }
                for a in 0..n {
                    play[off + a] += w * policies[fo + t * n + a];
                }
            }
        }
        // Values along the predicted path: for each agent-type, its own policy against
        // the others' predicted play.
        let width = k as usize + 1;
        let mut values = vec![0.0; d.types * width];
        let mut eu = Vec::new();
        for (j, aj) in s.agents.iter().enumerate() {
            let n = aj.actions.len();
            let (off, fo) = (d.action_offset[j], d.forecast_offset[j]);
            eu.resize(n, 0.0);
            for (t, ty) in aj.types.iter().enumerate() {
                let slot = d.type_offset[j] + t;
                if self.weights[slot] == 0.0 {
                    continue;
                }
                let stage = self.stage_value(s, d, (j, t), &values_all, &policies, &play, &mut eu);
                let pol = &policies[fo + t * n..fo + (t + 1) * n];
                values[slot * width..(slot + 1) * width].fill(stage);
                // Only agent-types that look ahead by the tree read values beyond this
                // round (a rollout agent-type plays its myopic rule inside a tree).
                if k == 0 || !ty.lookahead.active() || ty.lookahead.plan != Plan::Tree {
                    continue;
                }
                dist.copy_from_slice(&play);
                dist[off..off + n].copy_from_slice(pol);
                let delta = ty.lookahead.discount;
                let step =
                    self.cached_step(s, d, observer, (frame, counts), &dist, below, &mut cache);
                for h in 0..k {
                    let cont = self.continuation(observer, &step, slot, h);
                    values[slot * width + h as usize + 1] = stage + delta * cont;
                }
            }
        }
        let memo = &mut self.memos[observer];
        let id = memo.nodes.len();
        memo.nodes.push(Node { depth: k, values });
        memo.index.insert(key, id);
        id
    }

    /// Agent `m`'s terminal payoff `pay` on frame `f`. A payoff that reads other
    /// agents' type values is the expectation over their types (the observer's
    /// weights) of the payoff with their values in the frame, not the payoff at their
    /// belief-weighted mean values: exact however non-linear the formula is. `f`'s
    /// value slots are restored.
    fn payoff(
        &self,
        s: &CompiledScenario,
        d: &Dims,
        m: usize,
        pay: &crate::expr::Expr,
        f: &mut [f64],
    ) -> f64 {
        let read = &s.agents[m].payoff_reads;
        if read.is_empty() {
            return pay.eval(f);
        }
        let combos: usize = read.iter().map(|&j| s.agents[j].types.len()).product();
        let saved: Vec<f64> = f[s.layout.values[0]..].to_vec();
        let mut total = 0.0;
        for mut c in 0..combos {
            let mut w = 1.0;
            for &j in read.iter().rev() {
                let aj = &s.agents[j];
                let t = c % aj.types.len();
                c /= aj.types.len();
                w *= self.weights[d.type_offset[j] + t];
                let off = s.layout.values[j];
                f[off..off + aj.value_names.len()].copy_from_slice(&aj.types[t].values);
            }
            if w > 0.0 {
                total += w * pay.eval(f);
            }
        }
        f[s.layout.values[0]..].copy_from_slice(&saved);
        total
    }

    /// This round's expected utility of agent `j`'s type `t` playing its predicted
    /// policy (in `policies`) against the predicted play `play`; terms reading the
    /// others' type values weigh each type by the observer's weights, with that type's
    /// predicted play. `eu` is scratch of the agent's action count.
    #[allow(clippy::too_many_arguments)]
    fn stage_value(
        &self,
        s: &CompiledScenario,
        d: &Dims,
        (j, t): (usize, usize),
        values_all: &[f64],
        policies: &[f64],
        play: &[f64],
        eu: &mut [f64],
    ) -> f64 {
        let aj = &s.agents[j];
        let (n, nterms) = (aj.actions.len(), aj.terms.len());
        let fo = d.forecast_offset[j];
        let pol = &policies[fo + t * n..fo + (t + 1) * n];
        let vals = &values_all[d.value_offset[j] + t * nterms..][..nterms];
        let view = model::TypeView {
            weights: &self.weights,
            play: Some(policies),
        };
        model::expected_utilities(s, d, j, vals, play, &view, eu);
        pol.iter()
            .zip(eu.iter())
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, u)| p * u)
            .sum()
    }

    /// Which actions are available on `frame` (None for a scenario without masks).
    fn flags(&self, s: &CompiledScenario, d: &Dims, frame: &[f64]) -> Option<Vec<bool>> {
        self.masks.then(|| {
            let mut f = vec![true; d.actions];
            availability::evaluate(s, d, frame, &mut f);
            f
        })
    }

    /// Each weighted agent-type's myopic play into `policies` (flat
    /// `[agent][type][action]`), and their mixture by the observer's weights into
    /// `play`: its rule's response to this round's expected utilities `eus` under its
    /// rule's model of the others, as the engine forecasts it at the root of a round
    /// (`engine/forecast.rs`):
    ///
    /// - best response and logit: the previous play `prev`;
    /// - level-k and cognitive hierarchy (level `m ≥ 1`): the others in the hierarchy
    ///   recomputed on this node's term values `values_all` (level `m − 1`, or the
    ///   Poisson mix of levels `0 … m − 1`), types weighted by the observer's beliefs
    ///   with its own types at its prior, as the engine's hierarchy is;
    /// - fictitious play: the empirical frequencies of `counts` (the observer's counts
    ///   at the root plus the predicted play of every transition since), `prev` for an
    ///   agent not counted yet;
    /// - level 0: its `level0` play.
    #[allow(clippy::too_many_arguments)]
    fn myopic(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        values_all: &[f64],
        prev: &[f64],
        counts: &[f64],
        flags: Option<&[bool]>,
        eus: &mut [f64],
        policies: &mut [f64],
        play: &mut [f64],
    ) {
        let Planner {
            weights,
            beliefs,
            others,
            ..
        } = self;
        // The rule whose model of the others `others` holds (it serves every agent).
        let mut modelled: Option<DecisionRule> = None;
        play.fill(0.0);
        for (j, aj) in s.agents.iter().enumerate() {
            let (n, nterms) = (aj.actions.len(), aj.terms.len());
            let (off, fo) = (d.action_offset[j], d.forecast_offset[j]);
            for (t, ty) in aj.types.iter().enumerate() {
                let w = weights[d.type_offset[j] + t];
                if w == 0.0 {
                    continue;
                }
                let r = fo + t * n..fo + (t + 1) * n;
                let mask = flags.map(|m| &m[off..off + n]);
                if is_level0(ty.rule) {
                    availability::level0(&aj.level0, &mut policies[r.clone()], mask);
                } else {
                    let vals = &values_all[d.value_offset[j] + t * nterms..][..nterms];
                    let (faced, view) = match ty.rule {
                        DecisionRule::BestResponse | DecisionRule::Logit { .. } => {
                            let view = model::TypeView {
                                weights,
                                play: None,
                            };
                            (prev, view)
                        }
                        rule => {
                            if modelled != Some(rule) {
                                model::modelled_play(
                                    rule, s, d, counts, prev, values_all, beliefs, others, flags,
                                );
                                modelled = Some(rule);
                            }
                            let view = model::TypeView {
                                weights: beliefs,
                                play: None,
                            };
                            (others.last(rule), view)
                        }
                    };
                    model::expected_utilities(s, d, j, vals, faced, &view, &mut eus[r.clone()]);
                    availability::respond(
                        &ty.rule,
                        &mut eus[r.clone()],
                        &mut policies[r.clone()],
                        mask,
                    );
                }
                for (x, &p) in play[off..off + n].iter_mut().zip(&policies[r]) {
                    *x += w * p;
                }
            }
        }
    }
}

/// `counts` plus the play `prev` of one more round (empty when no counts are kept).
fn advance(counts: &[f64], prev: &[f64]) -> Vec<f64> {
    counts.iter().zip(prev).map(|(c, p)| c + p).collect()
}

/// Whether the rule plays its level-0 distribution whatever it expects.
fn is_level0(rule: DecisionRule) -> bool {
    matches!(
        rule,
        DecisionRule::LevelK { level: 0, .. } | DecisionRule::CognitiveHierarchy { level: 0, .. }
    )
}
