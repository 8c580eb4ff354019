//! Writing games in the brink TOML and JSON formats.

use std::collections::HashMap;

use super::super::{GameFile, StrategicGame, as_i64, format_number};
use crate::extensive::{ExtensiveGame, Mover};
use crate::rational::Q;

/// Output syntax of the writers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

/// Writes a normal-form game in the brink format.
pub fn write_strategic(game: &StrategicGame, syntax: Syntax) -> String {
    let g = game.game();
    let n = g.num_players();
    let strategies: Vec<String> = game
        .strategies()
        .iter()
        .map(|s| list_of_strings(s))
        .collect();
    let rows: Vec<String> = (0..g.num_profiles())
        .map(|i| format!("[{}]", numbers(g.profile_payoffs(i))))
        .collect();
    let per_line = g.num_strategies(n - 1);
    let mut payoff_lines = String::new();
    for (i, r) in rows.iter().enumerate() {
        if i % per_line == 0 {
            payoff_lines.push_str("  ");
        }
        payoff_lines.push_str(r);
        // TOML allows a trailing comma, JSON does not.
        if i + 1 < rows.len() || syntax == Syntax::Toml {
            payoff_lines.push(',');
        }
        payoff_lines.push(if (i + 1) % per_line == 0 { '\n' } else { ' ' });
    }
    match syntax {
        Syntax::Toml => format!(
            "# brink game, normal form. Payoffs: one entry per profile, the last player's\n\
             # strategy changing fastest.\ntitle = {}\ncomment = {}\nplayers = {}\nstrategies = [{}]\npayoffs = [\n{}]\n",
            string_literal(&game.title),
            string_literal(&game.comment),
            list_of_strings(game.players()),
            strategies.join(", "),
            payoff_lines
        ),
        Syntax::Json => format!(
            "{{\n\"title\": {},\n\"comment\": {},\n\"players\": {},\n\"strategies\": [{}],\n\"payoffs\": [\n{}]\n}}\n",
            string_literal(&game.title),
            string_literal(&game.comment),
            list_of_strings(game.players()),
            strategies.join(", "),
            payoff_lines
        ),
    }
}

/// Writes an extensive game in the brink format (flat node list). Reading
/// the result gives back an equal game, except that outcomes shared by
/// several nodes stay shared only if their label is non-empty.
pub fn write_extensive(game: &ExtensiveGame<Q>, syntax: Syntax) -> String {
    // Information-set keys: the labels, if they identify the sets of each
    // mover; otherwise "#k" with the label given separately.
    let mut by_mover: HashMap<Mover, Vec<usize>> = HashMap::new();
    for (s, set) in game.infosets().iter().enumerate() {
        by_mover.entry(set.mover).or_default().push(s);
    }
    let mut keyed_by_label = vec![false; game.infosets().len()];
    for sets in by_mover.values() {
        let mut labels: Vec<&str> = sets
            .iter()
            .map(|&s| game.infosets()[s].label.as_str())
            .collect();
        labels.sort_unstable();
        let unique =
            labels.iter().all(|l| !l.is_empty()) && labels.windows(2).all(|w| w[0] != w[1]);
        for &s in sets {
            keyed_by_label[s] = unique;
        }
    }
    let mut node_texts = Vec::with_capacity(game.nodes().len());
    for (v, node) in game.nodes().iter().enumerate() {
        let mut fields: Vec<(String, String)> = Vec::new();
        if !node.label.is_empty() {
            fields.push(("label".into(), string_literal(&node.label)));
        }
        if let Some(s) = node.infoset {
            let set = &game.infosets()[s];
            let player = match set.mover {
                Mover::Chance => string_literal("chance"),
                Mover::Player(p) => (p + 1).to_string(),
            };
            fields.push(("player".into(), player));
            let needs_key = game.members(s).len() > 1 || !set.label.is_empty();
            if keyed_by_label[s] {
                fields.push(("infoset".into(), string_literal(&set.label)));
            } else if needs_key {
                fields.push((
                    "infoset".into(),
                    string_literal(&format!("#{}", game.local_index(s) + 1)),
                ));
                fields.push(("infoset_label".into(), string_literal(&set.label)));
            }
            fields.push(("actions".into(), list_of_strings(&set.actions)));
            if set.mover == Mover::Chance {
                fields.push(("probs".into(), format!("[{}]", numbers(&set.probs))));
            }
            let children: Vec<String> = node.children.iter().map(usize::to_string).collect();
            fields.push(("children".into(), format!("[{}]", children.join(", "))));
        }
        if let Some(o) = node.outcome {
            let outcome = &game.outcomes()[o];
            fields.push(("payoffs".into(), format!("[{}]", numbers(&outcome.payoffs))));
            if !outcome.label.is_empty() {
                fields.push(("outcome".into(), string_literal(&outcome.label)));
            }
        }
        let text = match syntax {
            Syntax::Toml => {
                let mut t = format!("[[nodes]] # {v}\n");
                for (k, val) in fields {
                    t.push_str(&format!("{k} = {val}\n"));
                }
                t
            }
            Syntax::Json => {
                let inner: Vec<String> = fields
                    .into_iter()
                    .map(|(k, val)| format!("\"{k}\": {val}"))
                    .collect();
                format!("  {{{}}}", inner.join(", "))
            }
        };
        node_texts.push(text);
    }
    match syntax {
        Syntax::Toml => format!(
            "# brink game, extensive form: node 0 is the root; children are node indices.\n\
             title = {}\ncomment = {}\nplayers = {}\n\n{}",
            string_literal(game.title()),
            string_literal(game.comment()),
            list_of_strings(game.players()),
            node_texts.join("\n")
        ),
        Syntax::Json => format!(
            "{{\n\"title\": {},\n\"comment\": {},\n\"players\": {},\n\"nodes\": [\n{}\n]\n}}\n",
            string_literal(game.title()),
            string_literal(game.comment()),
            list_of_strings(game.players()),
            node_texts.join(",\n")
        ),
    }
}

/// Writes any game file in the brink format.
pub fn write_game(game: &GameFile, syntax: Syntax) -> String {
    match game {
        GameFile::Strategic(g) => write_strategic(g, syntax),
        GameFile::Extensive(g) => write_extensive(g, syntax),
    }
}

/// A string literal valid in both TOML (basic string) and JSON.
pub(super) fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list_of_strings(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| string_literal(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Exact numbers: bare integers where they fit in `i64`, strings otherwise.
fn numbers(xs: &[Q]) -> String {
    let inner: Vec<String> = xs
        .iter()
        .map(|x| match as_i64(x) {
            Some(i) => i.to_string(),
            None => string_literal(&format_number(x)),
        })
        .collect();
    inner.join(", ")
}
