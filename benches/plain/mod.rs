//! The brink model of one run written as plain Rust structs, without bevy_ecs.
//!
//! It is the same model as [`brink_core::Engine`]: the same seeding, the same order of
//! draws on every stream, the same steps in the same order, calling the same
//! [`brink_core::model`] functions, the same sharing of forecasts between observers and
//! the same finish. Its results are therefore identical to the engine's
//! (`tests/plain_model_agrees.rs` checks that), and the difference in speed between the
//! two is the cost of the ECS itself (`benches/engine.rs` measures it).
//!
//! One round, as in the engine's schedule:
//! `observe → update_beliefs → appraise → forecast → decide → resolve → check_terminal`.

use std::sync::Arc;

use brink_core::analysis::Analyzer;
use brink_core::availability::{self, Availability};
use brink_core::classify::Classifier;
use brink_core::model::{self, Dims};
use brink_core::normal::standard_normal;
use brink_core::rules::sample;
use brink_core::scenario::CompiledScenario;
use brink_core::{RunResult, seed};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Everything one agent keeps during a run (the engine's per-entity components).
struct AgentState {
    /// Private type drawn from the prior.
    ty: usize,
    /// `[target][type]` at `Dims::type_offset`.
    beliefs: Vec<f64>,
    /// Perceived marginals of last round's actions, `[agent][action]`.
    marginals: Vec<f64>,
    /// Signal received about each agent's last action.
    signals: Vec<usize>,
    /// Perceived last action of each agent when it is a point mass.
    points: Vec<Option<usize>>,
    /// `[target][type][action]` at `Dims::forecast_offset`.
    forecasts: Vec<f64>,
    /// Utility terms by type, `[type][term]`.
    utilities: Vec<f64>,
    /// Expected utility of each own action.
    expected: Vec<f64>,
    /// Probability of each own action.
    policy: Vec<f64>,
    /// The agent's own random stream.
    rng: ChaCha8Rng,
    /// Payoff accumulated so far.
    payoff: f64,
    /// State-intelligence estimates (mean, variance), perceived frame, and every
    /// agent's term values on it (empty without state intelligence).
    est_mean: Vec<f64>,
    est_var: Vec<f64>,
    est_frame: Vec<f64>,
    est_values: Vec<f64>,
}

/// Forecasts of one target shared by observers who perceived the same last round
/// (the engine's `ForecastCache`).
#[derive(Default)]
struct ForecastCache {
    eu: Vec<f64>,
    keys: Vec<u64>,
    blocks: Vec<Vec<f64>>,
}

/// Observer `i` (mutable) and target `j` (shared), `i != j`.
fn observer_and_target(
    agents: &mut [AgentState],
    i: usize,
    j: usize,
) -> (&mut AgentState, &AgentState) {
    if i < j {
        let (lo, hi) = agents.split_at_mut(j);
        (&mut lo[i], &hi[0])
    } else {
        let (lo, hi) = agents.split_at_mut(i);
        (&mut hi[0], &lo[j])
    }
}

/// Plays runs of one scenario with plain structs, reusing its buffers across runs.
pub struct PlainEngine {
    scenario: Arc<CompiledScenario>,
    dims: Dims,
    agents: Vec<AgentState>,
    frame: Vec<f64>,
    delta: Vec<f64>,
    set: Vec<Option<f64>>,
    current: Vec<usize>,
    previous: Vec<usize>,
    round: u32,
    outcome: Option<usize>,
    world_rng: ChaCha8Rng,
    cache: ForecastCache,
    /// Per agent, whose perceptions its forecasts depend on.
    forecast_inputs: Vec<Vec<bool>>,
    /// Scratch of `decide`: the others' mixed play, `[agent][action]`.
    others: Vec<f64>,
    result: RunResult,
    classifier: Classifier,
    /// The end-of-run analysis (the engine's).
    analyzer: Analyzer,
    /// The last `window` profiles (ring buffer) and the rounds recorded.
    history: Vec<usize>,
    recorded: u64,
    values: Vec<Vec<f64>>,
    /// Every agent's true type this run.
    types: Vec<usize>,
    /// This round's action masks (all true without `available`).
    avail: Availability,
}

impl PlainEngine {
    /// Allocates every buffer a run of `scenario` needs.
    pub fn new(scenario: Arc<CompiledScenario>) -> Self {
        let dims = Dims::new(&scenario);
        let s = &*scenario;
        let n_agents = s.agents.len();
        let agents = s
            .agents
            .iter()
            .map(|a| AgentState {
                ty: 0,
                beliefs: vec![0.0; dims.types],
                marginals: vec![0.0; dims.actions],
                signals: vec![0; n_agents],
                points: vec![None; n_agents],
                forecasts: vec![0.0; dims.forecasts],
                utilities: vec![0.0; a.types.len() * a.terms.len()],
                expected: vec![0.0; a.actions.len()],
                policy: vec![0.0; a.actions.len()],
                rng: ChaCha8Rng::from_seed([0; 32]),
                payoff: 0.0,
                est_mean: vec![0.0; a.state_intel.len()],
                est_var: vec![0.0; a.state_intel.len()],
                est_frame: Vec::new(),
                est_values: if a.state_intel.is_empty() {
                    Vec::new()
                } else {
                    vec![0.0; dims.values]
                },
            })
            .collect();
        let n_state = s.state.len();
        PlainEngine {
            agents,
            frame: vec![0.0; s.layout.len],
            delta: vec![0.0; n_state],
            set: vec![None; n_state],
            current: vec![0; n_agents],
            previous: vec![0; n_agents],
            round: 1,
            outcome: None,
            world_rng: ChaCha8Rng::from_seed([0; 32]),
            cache: ForecastCache::default(),
            forecast_inputs: (0..scenario.agents.len())
                .map(|j| model::forecast_inputs(&scenario, j))
                .collect(),
            others: vec![0.0; dims.actions],
            result: RunResult {
                final_state: vec![0.0; n_state],
                payoffs: vec![0.0; n_agents],
                play: vec![0.0; dims.actions],
                ..RunResult::default()
            },
            classifier: Classifier::new(s),
            analyzer: Analyzer::new(s, &dims),
            history: vec![0; s.classification.window as usize * n_agents],
            recorded: 0,
            values: s.agents.iter().map(|a| vec![0.0; a.terms.len()]).collect(),
            types: vec![0; n_agents],
            avail: Availability::new(s, &dims),
            dims,
            scenario,
        }
    }

    /// Plays run `index` of the batch with `master` seed and returns its result.
    pub fn run(&mut self, master: u64, index: u64) -> &RunResult {
        self.reset(master, index);
        while self.outcome.is_none() {
            self.observe();
            self.update_beliefs();
            self.appraise();
            if self.avail.active {
                availability::evaluate(
                    &self.scenario,
                    &self.dims,
                    &self.frame,
                    &mut self.avail.flags,
                );
            }
            self.forecast();
            self.decide();
            self.resolve();
            self.check_terminal();
        }
        self.finish();
        &self.result
    }

    fn reset(&mut self, master: u64, index: u64) {
        let key = seed::run_key(master, index);
        let s = &*self.scenario;
        let d = &self.dims;
        for (i, agent) in self.agents.iter_mut().enumerate() {
            let mut r = ChaCha8Rng::from_seed(key);
            r.set_stream(seed::agent_stream(i));
            agent.ty = model::draw_type(&s.agents[i], r.random());
            self.types[i] = agent.ty;
            agent.rng = r;
            for (j, aj) in s.agents.iter().enumerate() {
                for (t, spec) in aj.types.iter().enumerate() {
                    agent.beliefs[d.type_offset[j] + t] = spec.prior;
                }
            }
            agent.marginals.fill(0.0);
            agent.signals.fill(0);
            agent.points.fill(None);
            agent.forecasts.fill(0.0);
            agent.payoff = 0.0;
            for (k, intel) in s.agents[i].state_intel.iter().enumerate() {
                agent.est_mean[k] = s.state[intel.var].initial;
                agent.est_var[k] = 0.0;
            }
        }
        self.world_rng = ChaCha8Rng::from_seed(key);
        self.world_rng.set_stream(seed::WORLD_STREAM);
        let frame = &mut self.frame;
        frame.fill(0.0);
        for (k, v) in s.state.iter().enumerate() {
            frame[k] = v.initial;
        }
        frame[s.layout.round] = 1.0;
        for (i, a) in s.agents.iter().enumerate() {
            let off = s.layout.values[i];
            frame[off..off + a.value_names.len()]
                .copy_from_slice(&a.types[self.agents[i].ty].values);
        }
        self.round = 1;
        self.outcome = None;
        self.recorded = 0;
    }

    fn observe(&mut self) {
        let (s, d) = (&*self.scenario, &self.dims);
        for (i, p) in self.agents.iter_mut().enumerate() {
            p.marginals.fill(0.0);
            for (j, aj) in s.agents.iter().enumerate() {
                let (off, n) = (d.action_offset[j], aj.actions.len());
                let seen = if self.round == 1 {
                    aj.status_quo
                } else if j == i {
                    Some(self.previous[j])
                } else {
                    let u: f64 = p.rng.random();
                    Some(model::draw_signal(
                        self.previous[j],
                        n,
                        s.agents[i].intel[j],
                        u,
                    ))
                };
                match seen {
                    Some(a) => {
                        p.marginals[off + a] = 1.0;
                        p.signals[j] = a;
                    }
                    None => p.marginals[off..off + n].fill(1.0 / n as f64),
                }
                p.points[j] = seen;
            }
            for (k, intel) in s.agents[i].state_intel.iter().enumerate() {
                let noise = standard_normal(&mut p.rng);
                let y = self.frame[intel.var] + intel.sd * noise;
                model::kalman_update(
                    &mut p.est_mean[k],
                    &mut p.est_var[k],
                    y,
                    intel.sd,
                    intel.drift,
                );
            }
        }
    }

    fn update_beliefs(&mut self) {
        if self.round == 1 {
            return;
        }
        let (s, d) = (&*self.scenario, &self.dims);
        for (i, agent) in self.agents.iter_mut().enumerate() {
            for (j, aj) in s.agents.iter().enumerate().filter(|(j, _)| *j != i) {
                let (n, nt) = (aj.actions.len(), aj.types.len());
                let (to, fo) = (d.type_offset[j], d.forecast_offset[j]);
                model::bayes_update(
                    &mut agent.beliefs[to..to + nt],
                    &agent.forecasts[fo..fo + nt * n],
                    n,
                    agent.signals[j],
                    s.agents[i].intel[j],
                );
            }
        }
    }

    fn appraise(&mut self) {
        let (s, d) = (&*self.scenario, &self.dims);
        for (spec, agent) in s.agents.iter().zip(&mut self.agents) {
            model::evaluate_terms(spec, &self.frame, &mut agent.utilities);
            if !agent.est_mean.is_empty() {
                model::perceived_frame(s, spec, &agent.est_mean, &self.frame, &mut agent.est_frame);
                model::evaluate_all_terms(s, d, &agent.est_frame, &mut agent.est_values);
            }
        }
    }

    fn forecast(&mut self) {
        let (s, d) = (&*self.scenario, &self.dims);
        let c = &mut self.cache;
        for (j, aj) in s.agents.iter().enumerate() {
            let (n, nterms) = (aj.actions.len(), aj.terms.len());
            let block_len = aj.types.len() * n;
            c.eu.resize(n, 0.0);
            c.keys.clear();
            for i in (0..s.agents.len()).filter(|&i| i != j) {
                let (observer, target) = observer_and_target(&mut self.agents, i, j);
                let block = &mut observer.forecasts[d.forecast_offset[j]..][..block_len];
                let sees_state = !observer.est_mean.is_empty();
                let key = model::perceived_key(s, &observer.points, &self.forecast_inputs[j])
                    .filter(|_| !sees_state);
                if let Some(pos) = key.and_then(|k| c.keys.iter().position(|&x| x == k)) {
                    block.copy_from_slice(&c.blocks[pos]);
                    continue;
                }
                let target_values: &[f64] = if sees_state {
                    &observer.est_values[d.value_offset[j]..][..aj.types.len() * nterms]
                } else {
                    &target.utilities
                };
                for ty in 0..aj.types.len() {
                    let values = &target_values[ty * nterms..(ty + 1) * nterms];
                    let view = model::TypeView {
                        weights: &observer.beliefs,
                        play: None,
                    };
                    model::expected_utilities(
                        s,
                        d,
                        j,
                        values,
                        &observer.marginals,
                        &view,
                        &mut c.eu,
                    );
                    let row = &mut block[ty * n..(ty + 1) * n];
                    let mask = self.avail.of(d.action_offset[j], n);
                    availability::respond(&aj.rule, &mut c.eu, row, mask);
                }
                if let Some(k) = key {
                    let slot = c.keys.len();
                    c.keys.push(k);
                    if c.blocks.len() <= slot {
                        c.blocks.push(Vec::new());
                    }
                    c.blocks[slot].clear();
                    c.blocks[slot].extend_from_slice(block);
                }
            }
        }
    }

    fn decide(&mut self) {
        let (s, d) = (&*self.scenario, &self.dims);
        let m_all = &mut self.others;
        for (i, agent) in self.agents.iter_mut().enumerate() {
            // Each other agent's play: its types' forecast play weighted by beliefs.
            for (j, aj) in s.agents.iter().enumerate() {
                let (off, n) = (d.action_offset[j], aj.actions.len());
                let m = &mut m_all[off..off + n];
                m.fill(0.0);
                if j == i {
                    continue;
                }
                for t in 0..aj.types.len() {
                    let b = agent.beliefs[d.type_offset[j] + t];
                    let row = &agent.forecasts[d.forecast_offset[j] + t * n..][..n];
                    m.iter_mut().zip(row).for_each(|(x, &p)| *x += b * p);
                }
            }
            let spec = &s.agents[i];
            let nterms = spec.terms.len();
            let own: &[f64] = if agent.est_mean.is_empty() {
                &agent.utilities
            } else {
                &agent.est_values[d.value_offset[i]..][..spec.types.len() * nterms]
            };
            let values = &own[agent.ty * nterms..(agent.ty + 1) * nterms];
            let view = model::TypeView {
                weights: &agent.beliefs,
                play: Some(&agent.forecasts),
            };
            model::expected_utilities(s, d, i, values, m_all, &view, &mut agent.expected);
            let mask = self.avail.of(d.action_offset[i], spec.actions.len());
            availability::respond(&spec.rule, &mut agent.expected, &mut agent.policy, mask);
            self.current[i] = sample(&agent.policy, agent.rng.random());
        }
    }

    fn resolve(&mut self) {
        let s = &*self.scenario;
        for (j, aj) in s.agents.iter().enumerate() {
            let off = s.layout.indicators[j];
            for a in 0..aj.actions.len() {
                self.frame[off + a] = f64::from(u8::from(a == self.current[j]));
            }
        }
        for (spec, agent) in s.agents.iter().zip(&mut self.agents) {
            let n = spec.terms.len();
            agent.payoff += model::utility_at(
                spec,
                &agent.utilities[agent.ty * n..(agent.ty + 1) * n],
                &self.current,
                &self.types,
            );
        }
        let rng = &mut self.world_rng;
        model::apply_effects(s, &mut self.frame, &mut self.delta, &mut self.set, || {
            standard_normal(rng)
        });
    }

    fn check_terminal(&mut self) {
        let s = &*self.scenario;
        self.outcome = model::check_outcome(s, &self.frame, self.round);
        let (window, k) = (u64::from(s.classification.window), self.current.len());
        let slot = (self.recorded % window) as usize * k;
        self.history[slot..slot + k].copy_from_slice(&self.current);
        self.recorded += 1;
        self.previous.copy_from_slice(&self.current);
        if self.outcome.is_none() {
            self.round += 1;
            self.frame[s.layout.round] = f64::from(self.round);
        }
    }

    /// Terminal payoffs, final state and the equilibrium class of the settled play.
    fn finish(&mut self) {
        let s = &*self.scenario;
        let outcome = self.outcome.expect("run ended");
        let frame = &self.frame;
        self.result.outcome = outcome;
        self.result.rounds = self.round;
        self.result
            .final_state
            .copy_from_slice(&frame[..s.state.len()]);
        for (i, (spec, agent)) in s.agents.iter().zip(&self.agents).enumerate() {
            let end = &mut self.analyzer.agents[i];
            end.values.copy_from_slice(&agent.utilities);
            end.beliefs.copy_from_slice(&agent.beliefs);
            end.expected.copy_from_slice(&agent.expected);
            end.policy.copy_from_slice(&agent.policy);
            let n = spec.terms.len();
            self.values[i].copy_from_slice(&agent.utilities[agent.ty * n..(agent.ty + 1) * n]);
            self.result.payoffs[i] = agent.payoff + spec.payoffs[agent.ty][outcome].eval(frame);
        }
        self.result.equilibrium = self.classifier.classify(
            s,
            &self.dims,
            &self.values,
            &self.types,
            &self.current,
            &self.history,
            self.recorded,
            &mut self.result.play,
            self.avail.mask(),
        );
        self.result.analysis = self.analyzer.analyse(
            s,
            &self.dims,
            &self.types,
            &self.current,
            &self.result.play,
            self.avail.mask(),
            self.classifier.full_stage_game(),
        );
    }
}
