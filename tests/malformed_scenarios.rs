//! Malformed scenario files are rejected with a specific, well-placed error.
//!
//! Every file in `tests/malformed/` is one small scenario with one thing wrong (its
//! first line says what). [`CASES`] lists, for each file, where the loader must point
//! (line and column, 1-based), the field path it must name, and a distinctive part of
//! its message. A file in the directory that is missing from the table fails the
//! suite, so a new case cannot be skipped silently.
//!
//! Also here: `--set` overrides that name no parameter or leave the declared range,
//! and a robustness sweep: hundreds of truncated and line-mutated versions of
//! `scenarios/iran_plan_b.toml` must each load or fail, never panic.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use brink_core::ScenarioError;
use brink_core::scenario::{from_str, load};

/// What loading one malformed file must report.
struct Case {
    /// File name in `tests/malformed/`.
    file: &'static str,
    /// `(line, column)`, or None when the problem has no place in the file.
    at: Option<(usize, usize)>,
    /// The dotted field path, or None for errors found while parsing the TOML.
    field: Option<&'static str>,
    /// A substring of the message that identifies the problem.
    message: &'static str,
}

const fn case(
    file: &'static str,
    at: Option<(usize, usize)>,
    field: Option<&'static str>,
    message: &'static str,
) -> Case {
    Case {
        file,
        at,
        field,
        message,
    }
}

/// Every file of `tests/malformed/`, alphabetically.
const CASES: &[Case] = &[
    case(
        "concepts_empty.toml",
        Some((16, 12)),
        Some("equilibrium.concepts"),
        "expected at least one of \"nash\", \"bayes_nash\", \"qre\"",
    ),
    case(
        "concepts_qre_without_logit.toml",
        Some((16, 12)),
        Some("equilibrium.concepts"),
        "\"qre\" needs every agent on the logit rule (the QRE uses each agent's λ), but `row` is on another rule",
    ),
    case(
        "concepts_repeated.toml",
        Some((16, 21)),
        Some("equilibrium.concepts"),
        "concept \"nash\" is listed twice",
    ),
    case(
        "concepts_unknown.toml",
        Some((16, 21)),
        Some("equilibrium.concepts"),
        "unknown concept \"correlated\"; expected \"nash\", \"bayes_nash\" or \"qre\"",
    ),
    case(
        "epsilon_negative.toml",
        Some((16, 11)),
        Some("equilibrium.epsilon"),
        "expected a regret of 0 or more, got -0.1",
    ),
    case(
        "qre_tolerance_too_big.toml",
        Some((16, 17)),
        Some("equilibrium.qre_tolerance"),
        "expected a distance between 0 and 1, got 2",
    ),
    case(
        "accuracy_above_one.toml",
        Some((10, 20)),
        Some("agents[0].intel.column"),
        "accuracy is a probability between 0 and 1, got 1.2",
    ),
    case(
        "action_in_utility_value.toml",
        Some((12, 15)),
        Some("agents[0].utility[0].value"),
        "unknown name `row.up`",
    ),
    case(
        "agent_named_like_parameter.toml",
        Some((10, 8)),
        Some("agents[0].name"),
        "`row` already names a parameter or state variable",
    ),
    case(
        "available_every_action.toml",
        Some((13, 13)),
        Some("agents[0].available"),
        "every action of agent `row` has an `available` condition",
    ),
    case(
        "available_not_a_string.toml",
        Some((13, 20)),
        None,
        "invalid type: boolean `true`, expected a string",
    ),
    case(
        "available_not_boolean.toml",
        Some((13, 21)),
        Some("agents[0].available.up"),
        "expected true/false but this formula is a number",
    ),
    case(
        "available_reads_action.toml",
        Some((13, 21)),
        Some("agents[0].available.up"),
        "unknown name `row.down` (known names in this context: parameters, state variables and `round`)",
    ),
    case(
        "available_unknown_action.toml",
        Some((13, 15)),
        Some("agents[0].available.sideways"),
        "unknown action `sideways` of agent `row`; expected one of: up, down",
    ),
    case(
        "available_unknown_name.toml",
        Some((13, 21)),
        Some("agents[0].available.up"),
        "did you mean `tension`?",
    ),
    case(
        "ch_tau_zero.toml",
        Some((9, 61)),
        Some("agents[0].decision.tau"),
        "expected a mean level > 0, got 0",
    ),
    case(
        "ch_without_tau.toml",
        Some((9, 12)),
        Some("agents[0].decision.tau"),
        "the `cognitive_hierarchy` rule needs `tau`, the mean level (> 0)",
    ),
    case(
        "chained_comparison.toml",
        Some((16, 21)),
        Some("outcomes[0].when"),
        "comparisons cannot be chained",
    ),
    case(
        "condition_not_boolean.toml",
        Some((15, 9)),
        Some("effects[0].when"),
        "expected true/false but this formula is a number",
    ),
    case(
        "decision_not_a_table.toml",
        Some((9, 12)),
        None,
        "invalid type: string \"best_response\", expected a table",
    ),
    case(
        "discount_above_one.toml",
        Some((12, 64)),
        Some("agents[0].decision.discount"),
        "expected a discount factor between 0 and 1, got 1.5",
    ),
    case(
        "discount_reads_state.toml",
        Some((12, 65)),
        Some("agents[0].decision.discount"),
        "unknown name `tension` (known names in this context: parameters)",
    ),
    case(
        "duplicate_action.toml",
        Some((8, 26)),
        Some("agents[0].actions[2]"),
        "duplicate action `up` of agent `row`",
    ),
    case(
        "duplicate_agent.toml",
        Some((12, 8)),
        Some("agents[1].name"),
        "duplicate agent name `row`",
    ),
    case("duplicate_key.toml", Some((12, 24)), None, "duplicate key"),
    case(
        "duplicate_outcome.toml",
        Some((16, 8)),
        Some("outcomes[1].name"),
        "duplicate outcome name `end`",
    ),
    case(
        "duplicate_type.toml",
        Some((16, 10)),
        Some("agents[0].types[1].name"),
        "duplicate type `hawk` of agent `row`",
    ),
    case(
        "effect_unknown_state_variable.toml",
        Some((16, 9)),
        Some("effects[0].add.tenson"),
        "unknown state variable `tenson`; expected one of: tension",
    ),
    case(
        "effect_without_state.toml",
        Some((12, 9)),
        Some("effects[0].set.tension"),
        "unknown state variable `tension`",
    ),
    case(
        "empty_action_list_in_when.toml",
        Some((12, 18)),
        Some("agents[0].utility[0].when.row"),
        "expected at least one action",
    ),
    case(
        "empty_actions.toml",
        Some((8, 11)),
        Some("agents[0].actions"),
        "expected at least one action",
    ),
    case(
        "empty_agents.toml",
        Some((2, 10)),
        Some("agents"),
        "expected at least one agent",
    ),
    case(
        "empty_effect.toml",
        Some((14, 1)),
        Some("effects[0]"),
        "an effect needs at least one of `add`, `set` or `noise`",
    ),
    case(
        "empty_scenario_name.toml",
        Some((3, 8)),
        Some("scenario.name"),
        "expected a non-empty name",
    ),
    case(
        "empty_types.toml",
        Some((10, 9)),
        Some("agents[0].types"),
        "expected at least one type",
    ),
    case(
        "family_bad_range.toml",
        Some((8, 17)),
        Some("agents[0].actions.d"),
        "expected an index range LO..HI of whole numbers with LO <= HI",
    ),
    case(
        "family_index_outside.toml",
        Some((12, 18)),
        Some("agents[0].utility[0].when.row"),
        "`d[j]`: index 4 is outside the family `d` (0..3)",
    ),
    case(
        "family_unknown_in_when.toml",
        Some((11, 18)),
        Some("agents[0].utility[0].when.row"),
        "`x` is not an action family of `row`; expected one of: d",
    ),
    case(
        "formula_error_in_multiline_string.toml",
        // The formula starts on line 17 (after `"""` and its newline); the `**` is on
        // line 18.
        Some((18, 17)),
        Some("agents[0].utility[0].value"),
        "`**` is not an operator; write powers with `^`",
    ),
    case(
        "fp_negative_weight.toml",
        Some((9, 55)),
        Some("agents[0].decision.prior_weight"),
        "expected a weight >= 0 (in observations), got -1",
    ),
    case(
        "fp_unknown_prior.toml",
        Some((9, 48)),
        Some("agents[0].decision.prior"),
        "unknown prior `dirichlet`; expected one of: uniform, status_quo, random",
    ),
    case(
        "horizon_too_large.toml",
        Some((4, 11)),
        Some("scenario.horizon"),
        "expected a number of rounds from 1 to 1000000, got 2000000",
    ),
    case(
        "horizon_zero.toml",
        Some((4, 11)),
        Some("scenario.horizon"),
        "expected a number of rounds from 1 to 1000000, got 0",
    ),
    case(
        "intel_about_self.toml",
        Some((10, 11)),
        Some("agents[0].intel.row"),
        "an agent knows its own action",
    ),
    case(
        "intel_unknown_agent.toml",
        Some((10, 11)),
        Some("agents[0].intel.colum"),
        "unknown agent `colum`; expected one of: row, column",
    ),
    case(
        "interdependent_agent_without_types.toml",
        Some((32, 18)),
        Some("agents[1].utility[0].value"),
        "`usa` has no type values (no `types` with `values`), so `usa.resolve` names nothing",
    ),
    case(
        "interdependent_own_value.toml",
        Some((32, 12)),
        Some("agents[1].utility[0].value"),
        "`iran.resolve` is `iran`'s own type value; in its own formulas write `self.resolve`",
    ),
    case(
        "interdependent_payoff_unknown_value.toml",
        Some((10, 24)),
        Some("agents[0].payoffs.end"),
        "unknown name `iran.resolute`",
    ),
    case(
        "interdependent_unknown_agent.toml",
        Some((13, 16)),
        Some("agents[0].utility[0].value"),
        "unknown name `russia.resolve`",
    ),
    case(
        "interdependent_unknown_value.toml",
        Some((13, 16)),
        Some("agents[0].utility[0].value"),
        "unknown name `iran.resolv`",
    ),
    case(
        "invalid_agent_name.toml",
        Some((7, 8)),
        Some("agents[0].name"),
        "`United States` is not a valid name for an agent",
    ),
    case(
        "lambda_reads_state.toml",
        Some((12, 44)),
        Some("agents[0].decision.lambda"),
        "unknown name `tension` (known names in this context: parameters",
    ),
    case(
        "lambda_with_best_response.toml",
        Some((9, 47)),
        Some("agents[0].decision.lambda"),
        "`lambda` does not belong to the `best_response` rule, which takes no parameters but the lookahead's (`lookahead`, `discount`, `plan`, `prune`)",
    ),
    case(
        "last_horizon_outcome_conditional.toml",
        Some((16, 1)),
        Some("outcomes[1]"),
        "the last `at_horizon` outcome must have no `when`",
    ),
    case(
        "level0_keyword.toml",
        Some((10, 10)),
        Some("agents[0].level0"),
        "unknown level-0 behaviour `random`; expected \"uniform\"",
    ),
    case(
        "level0_not_summing.toml",
        Some((10, 10)),
        Some("agents[0].level0"),
        "the level-0 probabilities must sum to 1, got 0.7",
    ),
    case(
        "level0_unknown_action.toml",
        Some((10, 12)),
        Some("agents[0].level0.sideways"),
        "`sideways` is not an action of `row`; expected one of: up, down",
    ),
    case(
        "level_k_without_level.toml",
        Some((9, 12)),
        Some("agents[0].decision.level"),
        "the `level_k` rule needs `level`, a whole number >= 0",
    ),
    case(
        "level_too_high.toml",
        Some((9, 40)),
        Some("agents[0].decision.level"),
        "expected a level from 0 to 20, got 25",
    ),
    case(
        "logit_without_lambda.toml",
        Some((9, 12)),
        Some("agents[0].decision.lambda"),
        "the `logit` rule needs `lambda`",
    ),
    case(
        "lookahead_negative.toml",
        Some((12, 50)),
        Some("agents[0].decision.lookahead"),
        "expected a whole number of rounds to look ahead from 0 to 50, got -1",
    ),
    case(
        "lookahead_not_a_whole_number.toml",
        Some((12, 50)),
        Some("agents[0].decision.lookahead"),
        "expected a whole number of rounds to look ahead from 0 to 50, got 2.5",
    ),
    case(
        "lookahead_parameter_not_whole.toml",
        Some((15, 54)),
        Some("agents[0].decision.lookahead"),
        "expected a whole number of rounds to look ahead from 0 to 50, got 1.5",
    ),
    case(
        "lookahead_prune_out_of_range.toml",
        Some((12, 65)),
        Some("agents[0].decision.prune"),
        "expected a probability threshold in [0, 1)",
    ),
    case(
        "lookahead_too_far.toml",
        Some((12, 54)),
        Some("agents[0].decision.lookahead"),
        "expected a whole number of rounds to look ahead from 0 to 50, got 51",
    ),
    case(
        "lookahead_unknown_plan.toml",
        Some((12, 64)),
        Some("agents[0].decision.plan"),
        "unknown lookahead plan `greedy`; expected `tree` or `rollout`",
    ),
    case(
        "loop_bad_range.toml",
        Some((11, 15)),
        Some("agents[0].utility[0].for.j"),
        "expected a range LO..HI of whole numbers",
    ),
    case(
        "loop_unknown_variable.toml",
        Some((16, 14)),
        Some("effects[0].when"),
        "unknown index `k`; expected whole numbers and loop variables (j)",
    ),
    case("missing_agents.toml", None, None, "missing field `agents`"),
    case(
        "missing_decision.toml",
        Some((11, 1)),
        None,
        "missing field `decision`",
    ),
    case(
        "missing_outcomes.toml",
        None,
        None,
        "missing field `outcomes`",
    ),
    case(
        "missing_scenario_table.toml",
        None,
        None,
        "missing field `scenario`",
    ),
    case(
        "negative_lambda.toml",
        Some((9, 39)),
        Some("agents[0].decision.lambda"),
        "expected a precision >= 0, got -2",
    ),
    case(
        "negative_noise.toml",
        Some((15, 21)),
        Some("effects[0].noise.tension"),
        "a standard deviation must be >= 0, got -0.05",
    ),
    case(
        "negative_prior.toml",
        Some((13, 11)),
        Some("agents[0].types[0].prior"),
        "a probability must be between 0 and 1, got -0.5",
    ),
    case(
        "no_horizon_outcome.toml",
        Some((14, 1)),
        Some("outcomes"),
        "expected an outcome with `at_horizon = true` and no `when`",
    ),
    case(
        "no_outcomes.toml",
        Some((2, 12)),
        Some("outcomes"),
        "expected at least one outcome",
    ),
    case(
        "noise_reads_state.toml",
        Some((15, 28)),
        Some("effects[0].noise.tension"),
        "unknown name `tension` (known names in this context: parameters",
    ),
    case(
        "outcome_without_condition.toml",
        Some((11, 1)),
        Some("outcomes[0]"),
        "outcome `whenever` needs a `when` condition, or `at_horizon = true`",
    ),
    case(
        "param_and_state_same_name.toml",
        Some((10, 1)),
        Some("state.tension"),
        "`tension` names both a parameter and a state variable",
    ),
    case(
        "param_default_outside_range.toml",
        Some((7, 21)),
        Some("parameters.stake.default"),
        "the default 2 is outside the declared range [0, 1]",
    ),
    case(
        "param_not_a_number.toml",
        Some((7, 9)),
        None,
        "invalid type: string \"0.5\", expected a number or a table",
    ),
    case(
        "param_range_reversed.toml",
        Some((7, 34)),
        Some("parameters.stake.range"),
        "expected [low, high] with finite low < high",
    ),
    case(
        "payoff_reads_action.toml",
        Some((10, 23)),
        Some("agents[0].payoffs.end"),
        "unknown name `row.up`",
    ),
    case(
        "payoff_unknown_outcome.toml",
        Some((10, 24)),
        Some("agents[0].payoffs.peace"),
        "unknown outcome `peace`; expected one of: end",
    ),
    case(
        "prior_infinite_literal.toml",
        Some((13, 11)),
        Some("agents[0].types[0].prior"),
        "expected a finite number, got inf",
    ),
    case(
        "prior_nan_formula.toml",
        Some((16, 11)),
        Some("agents[0].types[0].prior"),
        "the value is not a finite number (NaN)",
    ),
    case(
        "priors_do_not_sum_to_one.toml",
        Some((11, 3)),
        Some("agents[0].types"),
        "the priors of `row`'s types must sum to 1, got 0.9",
    ),
    case(
        "reserved_word_name.toml",
        Some((7, 1)),
        Some("state.round"),
        "`round` is a reserved word",
    ),
    case(
        "self_in_effect.toml",
        Some((20, 20)),
        Some("effects[0].add.tension"),
        "unknown name `self.push`",
    ),
    case(
        "stage_game_too_large.toml",
        Some((6, 1)),
        Some("agents"),
        "stage game of 1048576 profiles; at most 1000000 are supported",
    ),
    case(
        "state_initial_outside_bounds.toml",
        Some((7, 23)),
        Some("state.tension.initial"),
        "the initial value 1.5 is outside the bounds [0, 1]",
    ),
    case(
        "state_initial_reads_state.toml",
        Some((8, 14)),
        Some("state.alert.initial"),
        "unknown name `tension` (known names in this context: parameters",
    ),
    case(
        "state_intel_negative_drift.toml",
        Some((13, 41)),
        Some("agents[0].state_intel.x.drift"),
        "expected a standard deviation >= 0, got -0.1",
    ),
    case(
        "state_intel_unknown_key.toml",
        Some((13, 33)),
        None,
        "unknown field `bias`, expected `sd` or `drift`",
    ),
    case(
        "state_intel_unknown_var.toml",
        Some((13, 17)),
        Some("agents[0].state_intel.heat"),
        "unknown state variable `heat`; expected one of: x",
    ),
    case(
        "state_intel_zero_sd.toml",
        Some((13, 28)),
        Some("agents[0].state_intel.x.sd"),
        "expected a standard deviation > 0, got 0",
    ),
    case(
        "state_min_not_below_max.toml",
        Some((7, 11)),
        Some("state.tension"),
        "expected min < max, got min = 1, max = 0",
    ),
    case(
        "status_quo_not_an_action.toml",
        Some((9, 14)),
        Some("agents[0].status_quo"),
        "`sideways` is not an action of `row`; expected one of: up, down",
    ),
    case(
        "tau_with_level_k.toml",
        Some((9, 49)),
        Some("agents[0].decision.tau"),
        "`tau` does not belong to the `level_k` rule, which takes level, lambda",
    ),
    case(
        "tolerance_too_big.toml",
        Some((17, 13)),
        Some("equilibrium.tolerance"),
        "expected a distance between 0 and 1, got 1.5",
    ),
    case(
        "toml_syntax_error.toml",
        // The string opened on line 3 runs into the end of the line.
        Some((3, 15)),
        None,
        "invalid basic string",
    ),
    case(
        "too_many_actions.toml",
        Some((8, 11)),
        Some("agents[0].actions"),
        "at most 64 actions per agent are supported, got 65",
    ),
    case(
        "type_decision_logit_without_lambda.toml",
        Some((14, 14)),
        Some("agents[0].types[0].decision.lambda"),
        "the `logit` rule needs `lambda`, its precision (>= 0)",
    ),
    case(
        "type_decision_unknown_rule.toml",
        Some((17, 23)),
        Some("agents[0].types[1].decision.rule"),
        "unknown decision rule `best_reply`",
    ),
    case(
        "type_error_bool_in_arithmetic.toml",
        // Points at the offending operand `(tension > 0.5)`.
        Some((16, 16)),
        Some("agents[0].utility[0].value"),
        "`+` expects numbers, but the right side is true/false",
    ),
    case(
        "type_value_named_like_action.toml",
        Some((14, 14)),
        Some("agents[0].types[0].values.up"),
        "`up` is also an action of `row`; `row.up` would be ambiguous",
    ),
    case(
        "types_with_different_values.toml",
        Some((16, 3)),
        Some("agents[0].types[1].values"),
        "every type of `row` must define the same values; expected [cost, resolve], got [cost]",
    ),
    case(
        "undefined_name_in_formula.toml",
        Some((16, 20)),
        Some("agents[0].utility[0].value"),
        "unknown name `tensoin`",
    ),
    case(
        "unknown_action_in_when.toml",
        // The second element of the list, not the list.
        Some((12, 42)),
        Some("agents[0].utility[0].when.column"),
        "`centre` is not an action of `column`; expected one of: left, right",
    ),
    case(
        "unknown_agent_in_when.toml",
        Some((12, 24)),
        Some("agents[0].utility[0].when.colum"),
        "unknown agent `colum`; expected one of: row, column",
    ),
    case(
        "unknown_field_in_agent.toml",
        Some((10, 1)),
        None,
        "unknown field `utilities`, expected one of",
    ),
    case(
        "unknown_field_in_scenario.toml",
        Some((4, 1)),
        None,
        "unknown field `horizn`, expected one of",
    ),
    case(
        "unknown_function.toml",
        Some((15, 26)),
        Some("effects[0].add.tension"),
        "unknown function `sqr`",
    ),
    case(
        "unknown_rule.toml",
        Some((9, 21)),
        Some("agents[0].decision.rule"),
        "unknown decision rule `bayes_nash`; expected one of: best_response, logit, level_k, cognitive_hierarchy, fictitious_play",
    ),
    case(
        "unknown_top_level_table.toml",
        Some((6, 2)),
        None,
        "unknown field `parameter`, expected one of",
    ),
    case(
        "utility_value_not_a_number.toml",
        Some((16, 12)),
        Some("agents[0].utility[0].value"),
        "expected a number but this formula is true/false",
    ),
    case(
        "window_without_tolerance.toml",
        Some((15, 1)),
        Some("equilibrium.tolerance"),
        "a window of more than one round needs `tolerance`",
    ),
    case(
        "window_zero.toml",
        Some((16, 10)),
        Some("equilibrium.window"),
        "expected a number of rounds from 1 to 1000000, got 0",
    ),
    case(
        "wrong_type_for_horizon.toml",
        Some((4, 11)),
        None,
        "invalid type: string \"ten\", expected an integer",
    ),
];

/// Extra substrings some cases must also contain (suggestions, listed alternatives).
const ALSO: &[(&str, &str)] = &[
    ("undefined_name_in_formula.toml", "did you mean `tension`?"),
    ("unknown_function.toml", "did you mean `sqrt`?"),
    (
        "interdependent_unknown_value.toml",
        "did you mean `iran.resolve`?",
    ),
    (
        "interdependent_payoff_unknown_value.toml",
        "did you mean `iran.resolve`?",
    ),
    (
        "unknown_field_in_agent.toml",
        "`utility`, `intel`, `payoffs`",
    ),
    ("unknown_field_in_scenario.toml", "`horizon`"),
    ("unknown_top_level_table.toml", "`parameters`"),
    (
        "action_in_utility_value.toml",
        "known names in this context: parameters, state variables, `round` and this agent's type values",
    ),
    (
        "self_in_effect.toml",
        "actions (AGENT.ACTION) and type values (AGENT.VALUE)",
    ),
];

fn malformed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Loads `path`, which must fail; the error, or a description of what went wrong.
fn load_error(path: &Path, overrides: &[(String, f64)]) -> Result<ScenarioError, String> {
    match catch_unwind(|| load(path, overrides)) {
        Err(_) => Err("the loader panicked".into()),
        Ok(Ok(_)) => Err("the file loaded without error".into()),
        Ok(Err(e)) => Ok(e),
    }
}

/// Every way `e` differs from `c`, as lines of a report (empty when it matches).
fn mismatches(c: &Case, path: &Path, e: &ScenarioError) -> Vec<String> {
    let mut out = Vec::new();
    let at = e.line.zip(e.column);
    if at != c.at {
        out.push(format!("place: expected {:?}, got {at:?}", c.at));
    }
    if e.line.is_some() != e.column.is_some() {
        out.push("line and column must be given together".into());
    }
    if e.field.as_deref() != c.field {
        out.push(format!("field: expected {:?}, got {:?}", c.field, e.field));
    }
    if !e.message.contains(c.message) {
        out.push(format!("message: expected it to contain {:?}", c.message));
    }
    for (file, also) in ALSO {
        if *file == c.file && !e.message.contains(also) {
            out.push(format!("message: expected it to contain {also:?}"));
        }
    }
    let shown = path.display().to_string();
    if e.file != shown {
        out.push(format!("file: expected {shown:?}, got {:?}", e.file));
    }
    // The one-line rendering starts with `file:line:col: field: `.
    let mut prefix = shown;
    if let Some((l, col)) = c.at {
        prefix += &format!(":{l}:{col}");
    }
    if let Some(f) = c.field {
        prefix += &format!(": {f}");
    }
    if !e.to_string().starts_with(&format!("{prefix}: ")) {
        out.push(format!("display: expected it to start with {prefix:?}"));
    }
    out
}

#[test]
fn each_malformed_file_fails_with_its_specific_error() {
    let mut failures = Vec::new();
    for c in CASES {
        let path = malformed_dir().join(c.file);
        match load_error(&path, &[]) {
            Err(why) => failures.push(format!("{}: {why}", c.file)),
            Ok(e) => {
                let problems = mismatches(c, &path, &e);
                if !problems.is_empty() {
                    failures.push(format!(
                        "{}:\n    error was: {e}\n    {}",
                        c.file,
                        problems.join("\n    ")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} malformed files were not rejected as expected:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn every_malformed_file_is_in_the_table_and_vice_versa() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(malformed_dir())
        .expect("tests/malformed exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut listed = BTreeSet::new();
    for c in CASES {
        assert!(
            listed.insert(c.file.to_owned()),
            "{} is listed twice",
            c.file
        );
    }
    let untested: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        untested.is_empty(),
        "files in tests/malformed/ without an entry in CASES: {untested:?}"
    );
    assert!(
        missing.is_empty(),
        "CASES entries without a file in tests/malformed/: {missing:?}"
    );
    assert!(
        on_disk.iter().all(|f| f.ends_with(".toml")),
        "only .toml files belong in tests/malformed/: {on_disk:?}"
    );
    assert!(
        CASES.len() >= 24,
        "expected at least 24 cases, found {}",
        CASES.len()
    );
    for (file, _) in ALSO {
        assert!(
            listed.contains(*file),
            "ALSO names {file}, which is not in CASES"
        );
    }
}

// ------------------------------------------------------------------- --set overrides

fn set(name: &str, value: f64) -> Vec<(String, f64)> {
    vec![(name.to_owned(), value)]
}

#[test]
fn override_of_an_unknown_parameter_lists_the_known_ones() {
    let path = scenario_path("stag_hunt.toml");
    let e = load_error(&path, &set("lambd", 1.0)).unwrap();
    assert_eq!((e.line, e.column), (None, None), "{e}");
    assert!(e.overridden, "{e}");
    assert_eq!(e.field.as_deref(), Some("lambd"), "{e}");
    assert!(
        e.message.contains(
            "unknown parameter `lambd`; the scenario's parameters are: stag, hare, lambda"
        ),
        "{e}"
    );
    assert_eq!(e.file, path.display().to_string());
}

#[test]
fn override_on_a_scenario_without_parameters_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.toml");
    std::fs::write(
        &path,
        r#"
[scenario]
name = "bare"
horizon = 2

[[agents]]
name = "solo"
actions = ["stay"]
decision = { rule = "best_response" }

[[outcomes]]
name = "end"
at_horizon = true
"#,
    )
    .unwrap();
    load(&path, &[]).expect("the scenario itself is valid");
    let e = load_error(&path, &set("x", 1.0)).unwrap();
    assert!(e.overridden, "{e}");
    assert_eq!(e.field.as_deref(), Some("x"), "{e}");
    assert!(
        e.message
            .contains("unknown parameter `x`; the scenario's parameters are: (none)"),
        "{e}"
    );
}

#[test]
fn override_outside_the_declared_range_is_rejected() {
    let path = scenario_path("iran_plan_b.toml");
    for value in [1.5, -0.1] {
        let e = load_error(&path, &set("oil_squeeze", value)).unwrap();
        assert_eq!((e.line, e.column), (None, None), "{e}");
        assert!(e.overridden, "{e}");
        assert_eq!(e.field.as_deref(), Some("oil_squeeze"), "{e}");
        assert!(
            e.message.contains(&format!(
                "{value} is outside the parameter's declared range [0, 1]"
            )),
            "{e}"
        );
    }
}

#[test]
fn overrides_at_the_range_ends_and_without_a_range_are_applied() {
    let path = scenario_path("stag_hunt.toml");
    let overrides = vec![("lambda".to_owned(), 50.0), ("stag".to_owned(), 1e6)];
    let s = load(&path, &overrides).unwrap_or_else(|e| panic!("{e}"));
    let value = |name: &str| s.parameters[s.parameter(name).unwrap()].value;
    assert_eq!(value("lambda"), 50.0);
    assert_eq!(value("stag"), 1e6);
    assert_eq!(
        value("hare"),
        3.0,
        "parameters not overridden keep their default"
    );
    let lambda = &s.parameters[s.parameter("lambda").unwrap()];
    assert_eq!(lambda.default, 2.0, "the default is kept next to the value");
    let s = load(&path, &set("lambda", 0.0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.parameters[s.parameter("lambda").unwrap()].value, 0.0);
}

#[test]
fn overrides_are_applied_before_the_values_that_use_them_are_checked() {
    // `p` has no range, so the override itself is accepted; the prior it feeds is not.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prior.toml");
    std::fs::write(
        &path,
        r#"[scenario]
name = "prior"
horizon = 2

[parameters]
p = 0.5

[[agents]]
name = "solo"
actions = ["stay", "go"]
decision = { rule = "best_response" }
  [[agents.types]]
  name = "bold"
  prior = "p"
  [[agents.types]]
  name = "shy"
  prior = "1 - p"

[[outcomes]]
name = "end"
at_horizon = true
"#,
    )
    .unwrap();
    load(&path, &set("p", 0.9)).unwrap_or_else(|e| panic!("{e}"));
    let e = load_error(&path, &set("p", 2.0)).unwrap();
    assert_eq!((e.line, e.column), (Some(14), Some(11)), "{e}");
    assert_eq!(e.field.as_deref(), Some("agents[0].types[0].prior"), "{e}");
    assert!(
        e.message
            .contains("a probability must be between 0 and 1, got 2"),
        "{e}"
    );
}

// ----------------------------------------------------------------------- robustness

/// Loads `src`: whether it loaded, or what went wrong if the loader panicked or placed
/// its error outside the text.
fn load_mutant(src: &str, what: &str) -> Result<bool, String> {
    match catch_unwind(AssertUnwindSafe(|| from_str(src, "mutant.toml", &[]))) {
        Err(_) => Err(format!("{what}: the loader panicked")),
        Ok(Ok(_)) => Ok(true),
        Ok(Err(e)) => {
            let lines = src.split('\n').count();
            match (e.line, e.column) {
                (Some(l), _) if l == 0 || l > lines => Err(format!(
                    "{what}: error placed on line {l} of a {lines}-line text: {e}"
                )),
                (_, Some(0)) => Err(format!("{what}: error placed in column 0: {e}")),
                _ => Ok(false),
            }
        }
    }
}

#[test]
fn truncated_and_mutated_scenarios_never_panic() {
    let src = std::fs::read_to_string(scenario_path("iran_plan_b.toml")).unwrap();
    let mut problems = Vec::new();
    let mut checked = 0usize;
    let mut errors = 0usize;
    let mut check = |text: &str, what: String| {
        checked += 1;
        match load_mutant(text, &what) {
            Ok(true) => {}
            Ok(false) => errors += 1,
            Err(problem) => problems.push(problem),
        }
    };

    // Truncations at ~300 char boundaries spread over the file, and right before and
    // after every newline (where TOML values and tables begin and end).
    let stride = (src.len() / 300).max(1);
    let mut cuts: BTreeSet<usize> = (0..=src.len()).step_by(stride).collect();
    for (i, _) in src.match_indices('\n') {
        cuts.extend([i.saturating_sub(1), i, i + 1]);
    }
    cuts.insert(src.len());
    for cut in cuts.into_iter().filter(|&c| src.is_char_boundary(c)) {
        check(&src[..cut], format!("truncated at byte {cut}"));
    }

    // Each line deleted, and each line duplicated.
    let lines: Vec<&str> = src.lines().collect();
    for k in 0..lines.len() {
        let mut without = lines.clone();
        without.remove(k);
        check(&without.join("\n"), format!("line {} deleted", k + 1));
        let mut doubled = lines.clone();
        doubled.insert(k, lines[k]);
        check(&doubled.join("\n"), format!("line {} duplicated", k + 1));
    }

    // Each line cut in half (an unterminated value, table header or formula).
    for (k, line) in lines.iter().enumerate() {
        let mid = (0..=line.len() / 2)
            .rev()
            .find(|&m| line.is_char_boundary(m))
            .unwrap_or(0);
        let mut halved = lines.clone();
        halved[k] = &line[..mid];
        check(
            &halved.join("\n"),
            format!("line {} cut at byte {mid}", k + 1),
        );
    }

    assert!(
        problems.is_empty(),
        "{} of {checked} mutants misbehaved:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked > 500, "only {checked} mutants were checked");
    // Sanity: the sweep exercises the error paths, not just valid files.
    assert!(
        errors > checked / 4,
        "only {errors} of {checked} mutants failed to load"
    );
}

#[test]
fn every_shipped_scenario_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

// ------------------------------------------------------- known compiler bugs (ignored)
//
// Each of these states the behaviour the scenario compiler should have and does not
// have yet. Run them with `cargo test --test malformed_scenarios -- --ignored`.

/// `count` agents with `actions` actions each.
fn many_agents(count: usize, actions: usize) -> String {
    let acts: Vec<String> = (0..actions).map(|a| format!("\"a{a}\"")).collect();
    let mut s = String::from("[scenario]\nname = \"big\"\nhorizon = 1\n");
    for k in 0..count {
        s += &format!(
            "\n[[agents]]\nname = \"g{k}\"\nactions = [{}]\ndecision = {{ rule = \"best_response\" }}\n",
            acts.join(", ")
        );
    }
    s + "\n[[outcomes]]\nname = \"end\"\nat_horizon = true\n"
}

#[test]

fn a_stage_game_too_large_for_u64_is_an_error_not_a_panic() {
    // 64 agents with 2 actions: 2^64 profiles. The product overflows: a panic in debug
    // builds; in release it wraps to 0 and passes the size check.
    for (count, actions) in [(64, 2), (11, 64)] {
        let src = many_agents(count, actions);
        let result = catch_unwind(|| from_str(&src, "big.toml", &[]));
        let e = match result {
            Err(_) => panic!("{count} agents × {actions} actions: the loader panicked"),
            Ok(Ok(_)) => panic!("{count} agents × {actions} actions: accepted"),
            Ok(Err(e)) => e,
        };
        assert_eq!(e.field.as_deref(), Some("agents"), "{e}");
        assert!(e.message.contains("at most 1000000"), "{e}");
    }
}

#[test]

fn an_effect_with_a_condition_but_nothing_to_do_is_rejected() {
    let src = r#"[scenario]
name = "idle"
horizon = 2

[state]
x = 0

[[agents]]
name = "solo"
actions = ["stay", "go"]
decision = { rule = "best_response" }

[[effects]]
when = "solo.go"

[[outcomes]]
name = "end"
at_horizon = true
"#;
    let e = from_str(src, "idle.toml", &[]).expect_err("an effect that changes nothing");
    assert_eq!(e.field.as_deref(), Some("effects[0]"), "{e}");
    assert!(
        e.message
            .contains("at least one of `add`, `set` or `noise`"),
        "{e}"
    );
}

#[test]

fn a_non_finite_override_is_rejected() {
    let path = scenario_path("stag_hunt.toml");
    for value in [f64::NAN, f64::INFINITY] {
        // `hare` has no range; `lambda` has one, which NaN slips through.
        for name in ["hare", "lambda"] {
            let e = load_error(&path, &set(name, value))
                .unwrap_or_else(|why| panic!("--set {name}={value}: {why}"));
            assert!(e.overridden, "{e}");
            assert_eq!(e.field.as_deref(), Some(name), "{e}");
        }
    }
}
