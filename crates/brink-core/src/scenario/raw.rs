//! The scenario file as written: serde structures mirroring the TOML, with spans.
//!
//! Nothing here is validated beyond its shape; [`super::compile`] checks meaning.
//! Every struct denies unknown fields so a typo is an error, not a silent default.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// A string with its byte span in the file.
pub type SpannedStr = Spanned<String>;

/// A map that keeps the order in which the file wrote its keys.
#[derive(Debug)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

/// A number, or a formula over the scenario's parameters evaluated once at load.
#[derive(Debug, Clone)]
pub enum Quantity {
    /// A literal number.
    Number(f64),
    /// A formula, e.g. `"1 - p_hardliner"`.
    Formula(String),
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct QV;
        impl Visitor<'_> for QV {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a formula string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity::Formula(v.to_owned()))
            }
        }
        d.deserialize_any(QV)
    }
}

/// One string or a list of strings (e.g. `iran = "stall"` or `iran = ["stall", "escalate"]`).
#[derive(Debug)]
pub struct OneOrMany(pub Vec<SpannedStr>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OV;
        impl<'de> Visitor<'de> for OV {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an action name or a list of action names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                // A bare string has no span of its own here; the caller uses the
                // span of the whole entry.
                Ok(OneOrMany(vec![Spanned::new(0..0, v.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<SpannedStr>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(OV)
    }
}

/// An agent's `actions`: a list of names, or a table of indexed families
/// (`{ d = "0..22" }`: the actions `d0` to `d22`).
#[derive(Debug)]
pub enum ActionList {
    /// `["a", "b"]`.
    Names(Vec<SpannedStr>),
    /// `{ family = "LO..HI" }`, in file order.
    Families(OrderedMap<SpannedStr, SpannedStr>),
}

impl<'de> Deserialize<'de> for ActionList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AV;
        impl<'de> Visitor<'de> for AV {
            type Value = ActionList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of action names or a table of families, e.g. { d = \"0..22\" }")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ActionList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<SpannedStr>()? {
                    out.push(s);
                }
                Ok(ActionList::Names(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ActionList, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<SpannedStr, SpannedStr>()? {
                    out.push((k, v));
                }
                Ok(ActionList::Families(OrderedMap(out)))
            }
        }
        d.deserialize_any(AV)
    }
}

/// `[scenario]`: name, horizon and descriptive text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short machine name.
    pub name: SpannedStr,
    /// Human title.
    #[serde(default)]
    pub title: Option<String>,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Number of rounds at most.
    pub horizon: Spanned<i64>,
    /// What one round stands for (e.g. "month").
    #[serde(default)]
    pub round_unit: Option<String>,
    /// Label of the first round (e.g. "2021-09").
    #[serde(default)]
    pub start: Option<String>,
}

/// A parameter: `name = 0.5` or `name = { default = 0.5, range = [0, 1], doc = "..." }`.
#[derive(Debug)]
pub struct Param {
    /// Default value.
    pub default: Spanned<f64>,
    /// Optional range for sweeps and for checking overrides.
    pub range: Option<Spanned<Vec<f64>>>,
    /// Meaning and source.
    pub doc: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamTable {
    default: Spanned<f64>,
    #[serde(default)]
    range: Option<Spanned<Vec<f64>>>,
    #[serde(default)]
    doc: Option<String>,
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PV;
        impl<'de> Visitor<'de> for PV {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or a table { default = ..., range = [lo, hi], doc = \"...\" }",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param {
                    default: Spanned::new(0..0, v),
                    range: None,
                    doc: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let t = ParamTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Param {
                    default: t.default,
                    range: t.range,
                    doc: t.doc,
                })
            }
        }
        d.deserialize_any(PV)
    }
}

/// A world-state variable: `name = 0.5` or `name = { initial = ..., min, max, doc }`.
#[derive(Debug)]
pub struct StateVar {
    /// Initial value (number or formula over parameters).
    pub initial: Spanned<Quantity>,
    /// Lower bound; the value is clamped after every round.
    pub min: Option<Spanned<f64>>,
    /// Upper bound.
    pub max: Option<Spanned<f64>>,
    /// Meaning and source.
    pub doc: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateTable {
    initial: Spanned<Quantity>,
    #[serde(default)]
    min: Option<Spanned<f64>>,
    #[serde(default)]
    max: Option<Spanned<f64>>,
    #[serde(default)]
    doc: Option<String>,
}

impl<'de> Deserialize<'de> for StateVar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SV;
        impl<'de> Visitor<'de> for SV {
            type Value = StateVar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, a formula, or a table { initial = ..., min = ..., max = ..., doc = \"...\" }",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StateVar, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StateVar, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StateVar, E> {
                Ok(StateVar::plain(Quantity::Number(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StateVar, E> {
                Ok(StateVar::plain(Quantity::Formula(v.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StateVar, A::Error> {
                let t = StateTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(StateVar {
                    initial: t.initial,
                    min: t.min,
                    max: t.max,
                    doc: t.doc,
                })
            }
        }
        d.deserialize_any(SV)
    }
}

impl StateVar {
    fn plain(q: Quantity) -> Self {
        StateVar {
            initial: Spanned::new(0..0, q),
            min: None,
            max: None,
            doc: None,
        }
    }
}

/// `decision = { rule = "logit", lambda = 2.0 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `best_response`, `logit`, `level_k`, `cognitive_hierarchy` or `fictitious_play`.
    pub rule: SpannedStr,
    /// Logit precision.
    #[serde(default)]
    pub lambda: Option<Spanned<Quantity>>,
    /// Reasoning level (`level_k`, `cognitive_hierarchy`).
    #[serde(default)]
    pub level: Option<Spanned<i64>>,
    /// Poisson mean of levels (`cognitive_hierarchy`).
    #[serde(default)]
    pub tau: Option<Spanned<Quantity>>,
    /// Weight of the prior in observations (`fictitious_play`).
    #[serde(default)]
    pub prior_weight: Option<Spanned<Quantity>>,
    /// `uniform`, `status_quo` or `random` (`fictitious_play`).
    #[serde(default)]
    pub prior: Option<SpannedStr>,
    /// Rounds looked ahead (any rule; default 0): a whole number known at load.
    #[serde(default)]
    pub lookahead: Option<Spanned<Quantity>>,
    /// Discount factor per round of the lookahead (any rule; default 1).
    #[serde(default)]
    pub discount: Option<Spanned<Quantity>>,
    /// `tree` (default) or `rollout`: what the lookahead expects at later nodes.
    #[serde(default)]
    pub plan: Option<SpannedStr>,
    /// Profiles less likely than this are left out of predicted transitions (default 0).
    #[serde(default)]
    pub prune: Option<Spanned<Quantity>>,
}

/// `level0 = "uniform"` or `level0 = { r20 = 1.0 }`: what a level-0 version of an
/// agent plays.
#[derive(Debug)]
pub enum Level0 {
    /// A keyword (only `uniform` is valid).
    Keyword(String),
    /// Action name → probability.
    Distribution(OrderedMap<SpannedStr, Spanned<Quantity>>),
}

impl<'de> Deserialize<'de> for Level0 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LV;
        impl<'de> Visitor<'de> for LV {
            type Value = Level0;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"uniform\" or a table of action probabilities, e.g. { r20 = 1.0 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Level0, E> {
                Ok(Level0::Keyword(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Level0, A::Error> {
                Ok(Level0::Distribution(OrderedMap::deserialize(
                    de::value::MapAccessDeserializer::new(map),
                )?))
            }
        }
        d.deserialize_any(LV)
    }
}

/// `[equilibrium]`: how settled play is classified.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// Number of final rounds whose empirical action frequencies are classified.
    #[serde(default)]
    pub window: Option<Spanned<i64>>,
    /// Largest distance (max over agents and actions of |frequency − probability|) at
    /// which play counts as an equilibrium.
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
    /// Equilibrium concepts to classify by: `nash`, `bayes_nash`, `qre`.
    #[serde(default)]
    pub concepts: Option<Spanned<Vec<Spanned<String>>>>,
    /// Largest regret at which settled play counts as an ε-equilibrium.
    #[serde(default)]
    pub epsilon: Option<Spanned<f64>>,
    /// Largest max-norm distance from the logit QRE at which play counts as it.
    #[serde(default)]
    pub qre_tolerance: Option<Spanned<f64>>,
}

/// One private type of an agent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentType {
    /// Type name.
    pub name: SpannedStr,
    /// Prior probability.
    pub prior: Spanned<Quantity>,
    /// Type-specific constants, usable as `self.NAME` in the agent's formulas.
    #[serde(default)]
    pub values: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// The type's own decision rule, replacing the agent's `decision` for this type.
    #[serde(default)]
    pub decision: Option<Spanned<Decision>>,
    /// Meaning.
    #[serde(default)]
    pub doc: Option<String>,
}

/// One additive utility term: `value` applies in the rounds where `when` holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Loop variables: the term stands once for each of their values.
    #[serde(default, rename = "for")]
    pub for_each: OrderedMap<SpannedStr, SpannedStr>,
    /// Conditions on actions: agent name → action or list of actions.
    #[serde(default)]
    pub when: Option<Spanned<OrderedMap<SpannedStr, Spanned<OneOrMany>>>>,
    /// Utility (number or formula).
    pub value: Spanned<Quantity>,
    /// Meaning.
    #[serde(default)]
    pub doc: Option<String>,
}

/// `[[agents]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// Agent name (an identifier).
    pub name: SpannedStr,
    /// Human title.
    #[serde(default)]
    pub title: Option<String>,
    /// Action names, or indexed families of actions.
    pub actions: Spanned<ActionList>,
    /// What the agent is assumed to have played before round 1.
    #[serde(default)]
    pub status_quo: Option<SpannedStr>,
    /// Decision rule.
    pub decision: Spanned<Decision>,
    /// What a level-0 version of this agent plays (for level-k reasoners).
    #[serde(default)]
    pub level0: Option<Spanned<Level0>>,
    /// Private types; absent means one type, `default`, with prior 1.
    #[serde(default)]
    pub types: Option<Spanned<Vec<Spanned<AgentType>>>>,
    /// Utility terms.
    #[serde(default)]
    pub utility: Vec<Spanned<Term>>,
    /// Accuracy of this agent's intelligence on each other agent's action.
    #[serde(default)]
    pub intel: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// Terminal payoff per outcome name.
    #[serde(default)]
    pub payoffs: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// Noisy intelligence on world-state variables: variable → reading model.
    #[serde(default)]
    pub state_intel: OrderedMap<SpannedStr, Spanned<StateIntel>>,
    /// Action masks: action → true/false formula over parameters, state and `round`
    /// (the action can be played only in rounds where it holds).
    #[serde(default)]
    pub available: Option<Spanned<OrderedMap<SpannedStr, SpannedStr>>>,
}

/// `nuclear = { sd = 0.08, drift = 0.05 }`: a reading of a state variable each round.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateIntel {
    /// Standard deviation of the reading's error.
    pub sd: Spanned<Quantity>,
    /// Standard deviation the observer allows for the variable's unseen move per round.
    #[serde(default)]
    pub drift: Option<Spanned<Quantity>>,
}

/// `[[effects]]`: how actions move the world state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Loop variables: the effect stands once for each of their values.
    #[serde(default, rename = "for")]
    pub for_each: OrderedMap<SpannedStr, SpannedStr>,
    /// Condition (true/false formula); absent means every round.
    #[serde(default)]
    pub when: Option<SpannedStr>,
    /// Increments, from the state at the start of the round.
    #[serde(default)]
    pub add: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// Assignments (the last effect in file order wins).
    #[serde(default)]
    pub set: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// Standard deviation of Gaussian noise added to each named variable.
    #[serde(default)]
    pub noise: OrderedMap<SpannedStr, Spanned<Quantity>>,
    /// Meaning.
    #[serde(default)]
    pub doc: Option<String>,
}

/// `[[outcomes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Outcome name.
    pub name: SpannedStr,
    /// Condition checked after every round.
    #[serde(default)]
    pub when: Option<SpannedStr>,
    /// Checked when the horizon is reached instead of every round.
    #[serde(default)]
    pub at_horizon: bool,
    /// Meaning.
    #[serde(default)]
    pub doc: Option<String>,
}

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `[scenario]`.
    pub scenario: Meta,
    /// `[parameters]`.
    #[serde(default)]
    pub parameters: OrderedMap<SpannedStr, Spanned<Param>>,
    /// `[state]`.
    #[serde(default)]
    pub state: OrderedMap<SpannedStr, Spanned<StateVar>>,
    /// `[[agents]]`.
    pub agents: Spanned<Vec<Spanned<Agent>>>,
    /// `[[effects]]`.
    #[serde(default)]
    pub effects: Vec<Spanned<Effect>>,
    /// `[[outcomes]]`.
    pub outcomes: Spanned<Vec<Spanned<Outcome>>>,
    /// `[equilibrium]`.
    #[serde(default)]
    pub equilibrium: Option<Spanned<Classification>>,
}
