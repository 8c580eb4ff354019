//! The `forecast` step: what each observer predicts each type of each other agent
//! plays this round. The model of the others of the rules that do not use forecasts
//! (fictitious play, level-k, cognitive hierarchy) is `model::modelled_play`, shared
//! with decisions and the lookahead.

use super::{
    AllValues, Beliefs, Empirical, Forecasts, Model, Perception, Plans, Round, StateEstimate,
    WorldState,
};
use crate::availability::{self, Availability};
use crate::lookahead::View;
use crate::model;
use crate::rules::DecisionRule;

/// Forecasts of each target, shared by observers who perceived the same last round
/// (for targets whose rule responds to the last round), and scratch.
#[derive(Default)]
pub(super) struct ForecastCache {
    eu: Vec<f64>,
    q: Vec<f64>,
    faced: Vec<f64>,
    modelled: bool,
    /// Per target: the keys of this round's shared forecasts and their blocks.
    keys: Vec<Vec<u64>>,
    blocks: Vec<Vec<Vec<f64>>>,
    others: model::OthersScratch,
}

impl ForecastCache {
    /// Forgets the last round's shared forecasts.
    pub(super) fn begin_round(&mut self, agents: usize) {
        self.keys.resize_with(agents, Vec::new);
        self.blocks.resize_with(agents, Vec::new);
        self.keys.iter_mut().for_each(Vec::clear);
    }
}

/// What the forecast step reads of its observer (it writes the observer's
/// [`Forecasts`]).
pub(super) struct Observer<'a> {
    pub index: usize,
    pub own_type: usize,
    pub perception: &'a Perception,
    pub beliefs: &'a Beliefs,
    pub empirical: &'a Empirical,
    pub estimate: &'a StateEstimate,
}

impl<'a> Observer<'a> {
    /// What the lookahead starts from for this observer: its beliefs, the frame it
    /// decides on (its estimate of the state, or the true one), the last round as it
    /// perceived it, its action counts.
    pub(super) fn view(&self, round: &Round, world: &'a WorldState) -> View<'a> {
        View {
            observer: self.index,
            own_type: self.own_type,
            beliefs: &self.beliefs.probs,
            frame: if self.estimate.active() {
                &self.estimate.frame
            } else {
                &world.frame
            },
            round: round.0,
            prev: &self.perception.marginals,
            counts: &self.empirical.counts,
        }
    }
}

/// The forecast step of one observer: what it predicts each type of each other
/// agent plays this round, targets in agent order. The targets' true term values are
/// read from `all` (which `appraise` fills for every agent). Observers may be visited
/// in any order: a shared forecast is computed by the first observer (in agent order)
/// who needs it, so every observer's forecasts are the same numbers as when computed
/// on its own.
#[allow(clippy::too_many_arguments)]
pub(super) fn forecast(
    model: &Model,
    all: &AllValues,
    avail: &Availability,
    round: &Round,
    o: &Observer,
    forecasts: &mut Forecasts,
    plans: &mut Plans,
    world: &WorldState,
    cache: &mut ForecastCache,
) {
    let (s, d) = (&*model.scenario, &model.dims);
    let c = &mut *cache;
    let (perception, beliefs, empirical, estimate) =
        (o.perception, o.beliefs, o.empirical, o.estimate);
    for (j, aj) in s.agents.iter().enumerate() {
        if o.index == j {
            continue;
        }
        let mut planned = false;
        let (n, nterms) = (aj.actions.len(), aj.terms.len());
        let block_len = aj.types.len() * n;
        c.eu.resize(n, 0.0);
        c.q.resize(n, 0.0);
        // An observer with state intelligence sees `j`'s utilities on its own
        // estimate of the state, so its forecasts are its own.
        let (target_values, all_values): (&[f64], &[f64]) = if estimate.active() {
            (
                &estimate.values[d.value_offset[j]..][..aj.types.len() * nterms],
                &estimate.values,
            )
        } else {
            (
                &all.0[d.value_offset[j]..][..aj.types.len() * nterms],
                &all.0,
            )
        };
        let block = &mut forecasts.probs[d.forecast_offset[j]..][..block_len];
        // Targets whose types all respond to the last round, myopically: forecasts
        // shared between observers who perceived the same last round.
        let mut pending = None;
        if model.shared_forecast[j] {
            let key = model::perceived_key(s, &perception.points, &model.forecast_inputs[j])
                .filter(|_| !estimate.active());
            if let Some(pos) = key.and_then(|k| c.keys[j].iter().position(|&x| x == k)) {
                block.copy_from_slice(&c.blocks[j][pos]);
                continue;
            }
            pending = key;
        }
        let mask = avail.of(d.action_offset[j], n);
        for (ty, spec) in aj.types.iter().enumerate() {
            let out = &mut block[ty * n..(ty + 1) * n];
            // What the observer thinks `j` (of this type) responds to.
            if let DecisionRule::LevelK { level: 0, .. }
            | DecisionRule::CognitiveHierarchy { level: 0, .. } = spec.rule
            {
                availability::level0(&aj.level0, out, mask);
                continue;
            }
            // The others' play as this type's rule models it (computed once for
            // consecutive types with the same rule).
            if ty == 0 || spec.rule != aj.types[ty - 1].rule {
                let modelled = model::modelled_play(
                    spec.rule,
                    s,
                    d,
                    &empirical.counts,
                    &perception.marginals,
                    all_values,
                    &beliefs.probs,
                    &mut c.others,
                    avail.mask(),
                );
                c.modelled = modelled.is_some();
                if let Some(play) = modelled {
                    c.faced.clear();
                    c.faced.extend_from_slice(play);
                }
            }
            let faced: &[f64] = if c.modelled {
                &c.faced
            } else {
                &perception.marginals
            };
            let values = &target_values[ty * nterms..(ty + 1) * nterms];
            // `j`'s view of the others' types in terms reading their type values:
            // the observer's beliefs, and the observer's prior for itself (what
            // the others can know of it).
            let view = model::TypeView {
                weights: &beliefs.probs,
                play: None,
            };
            model::expected_utilities(s, d, j, values, faced, &view, &mut c.eu);
            if spec.lookahead.active() {
                if !planned {
                    plans.0.begin(s, d, &o.view(round, world));
                    planned = true;
                }
                plans
                    .0
                    .action_values(s, d, o.index, j, ty, &c.eu, None, &mut c.q);
                availability::respond(&spec.rule, &mut c.q, out, mask);
            } else {
                availability::respond(&spec.rule, &mut c.eu, out, mask);
            }
        }
        if let Some(k) = pending {
            let (keys, blocks) = (&mut c.keys[j], &mut c.blocks[j]);
            let slot = keys.len();
            keys.push(k);
            if blocks.len() <= slot {
                blocks.push(Vec::new());
            }
            blocks[slot].clear();
            blocks[slot].extend_from_slice(block);
        }
    }
}
