//! Gambit's strategic-game format (`.nfg`), payoff and outcome versions.
//!
//! Reference: *Gambit: Software Tools for Game Theory*, "The strategic game
//! (.nfg) file format, payoff version" and "… outcome version". A file is
//!
//! ```text
//! NFG 1 R "title" { "Player 1" "Player 2" }
//! { { "U" "D" } { "L" "R" } }        -- strategy names; or counts: { 2 2 }
//! "optional comment"
//! <body>
//! ```
//!
//! and the body is either the **payoff version**, every player's payoff for
//! every profile,
//!
//! ```text
//! 1 1 0 2 0 2 1 1
//! ```
//!
//! or the **outcome version**, a list of outcomes (a label and one payoff per
//! player, commas optional) followed by one outcome number per profile (0 is
//! the null outcome, all payoffs zero):
//!
//! ```text
//! { { "" 1, 1 } { "" 0, 2 } }
//! 1 2 2 1
//! ```
//!
//! In both, profiles are listed with the **first player's strategy changing
//! fastest** (Gambit's order); [`read_nfg`] converts to brink's order (last
//! player fastest) and [`write_nfg`] back. `D` is accepted in place of `R`.
//! Payoffs are exact rationals (see [`super::parse_number`]).
//!
//! Differences from Gambit: outcome labels are not kept (the game is its
//! payoff table); the outcome writer makes one outcome per distinct payoff
//! vector; the payoff writer lists strategy names (Gambit's reader accepts
//! names in both versions).

use std::collections::HashMap;

use crate::game::NormalFormGame;
use crate::rational::Q;

use super::lexer::{Lexer, Tok, quote};
use super::{FormatError, StrategicGame, format_number};

/// Which body [`write_nfg`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NfgVersion {
    /// Payoffs listed profile by profile.
    Payoff,
    /// A list of outcomes and one outcome number per profile.
    Outcome,
}

/// Calls `visit(brink_index)` for every profile in Gambit's order (first
/// player fastest).
fn for_each_gambit_profile(counts: &[usize], strides: &[usize], mut visit: impl FnMut(usize)) {
    let mut profile = vec![0usize; counts.len()];
    loop {
        let index = profile.iter().zip(strides).map(|(s, k)| s * k).sum();
        visit(index);
        let mut p = 0;
        loop {
            if p == counts.len() {
                return;
            }
            profile[p] += 1;
            if profile[p] < counts[p] {
                break;
            }
            profile[p] = 0;
            p += 1;
        }
    }
}

fn strides(counts: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; counts.len()];
    for p in (0..counts.len().saturating_sub(1)).rev() {
        strides[p] = strides[p + 1] * counts[p + 1];
    }
    strides
}

/// Reads a `.nfg` file (either version).
///
/// # Errors
///
/// A [`FormatError`] locating the first problem; never panics.
pub fn read_nfg(text: &str) -> Result<StrategicGame, FormatError> {
    let mut lx = Lexer::new(text);
    let (title, players) = lx.gambit_header("NFG", 1, "a strategic game")?;
    let n = players.len();
    let open = lx.expect(&Tok::LBrace, "'{' before the strategies")?;
    let mut strategies: Vec<Vec<String>> = Vec::with_capacity(n);
    if lx.peek()?.tok == Tok::LBrace {
        for p in 0..n {
            lx.expect(
                &Tok::LBrace,
                &format!("'{{' before the strategy names of player {}", p + 1),
            )?;
            let mut names = Vec::new();
            loop {
                let t = lx.next()?;
                match t.tok {
                    Tok::Text(s) => names.push(s),
                    Tok::RBrace => {
                        if names.is_empty() {
                            return Err(t.error(format!("player {} has no strategies", p + 1)));
                        }
                        break;
                    }
                    _ => return Err(t.expected("a strategy name (quoted) or '}'")),
                }
            }
            strategies.push(names);
        }
    } else {
        for p in 0..n {
            let (k, t) = lx.count(&format!("the number of strategies of player {}", p + 1))?;
            if k == 0 {
                return Err(t.error(format!("player {} has no strategies", p + 1)));
            }
            // Each strategy needs at least one payoff in the file; this bounds
            // the names we are about to create.
            if k > text.len() {
                return Err(t.error(format!(
                    "player {} has {k} strategies, more than the file could hold payoffs for",
                    p + 1
                )));
            }
            strategies.push((1..=k).map(|s| s.to_string()).collect());
        }
    }
    lx.expect(&Tok::RBrace, "'}' after the strategies")?;
    let counts: Vec<usize> = strategies.iter().map(Vec::len).collect();
    let mut profiles: usize = 1;
    for &k in &counts {
        profiles = match profiles.checked_mul(k) {
            Some(x) if x <= text.len() => x,
            _ => {
                return Err(open.error(
                    "the game has more strategy profiles than the file could hold payoffs for",
                ));
            }
        };
    }
    if profiles
        .checked_mul(n)
        .is_none_or(|x| x > super::MAX_TABLE_ENTRIES)
    {
        return Err(open.error(format!(
            "the payoff table would have more than {} entries",
            super::MAX_TABLE_ENTRIES
        )));
    }
    let comment = match &lx.peek()?.tok {
        Tok::Text(_) => lx.text("comment")?,
        _ => String::new(),
    };
    let strides = strides(&counts);
    let mut payoffs = vec![Q::default(); profiles * n];
    let first = lx.peek()?.clone();
    match first.tok {
        Tok::LBrace => {
            lx.next()?;
            let mut outcomes: Vec<Vec<Q>> = Vec::new();
            loop {
                let t = lx.next()?;
                match t.tok {
                    Tok::RBrace => break,
                    Tok::LBrace => {
                        lx.text("the outcome's label (a quoted string)")?;
                        let mut v = Vec::with_capacity(n);
                        for p in 0..n {
                            let (x, _) = lx.number(&format!("payoff of player {}", p + 1))?;
                            v.push(x);
                            lx.accept(&Tok::Comma)?;
                        }
                        lx.expect(
                            &Tok::RBrace,
                            &format!("'}}' after the {n} payoffs of an outcome"),
                        )?;
                        outcomes.push(v);
                    }
                    _ => return Err(t.expected("'{' starting an outcome, or '}'")),
                }
            }
            let mut err = None;
            for_each_gambit_profile(&counts, &strides, |index| {
                if err.is_some() {
                    return;
                }
                match lx.count("an outcome number") {
                    Ok((0, _)) => {}
                    Ok((k, t)) => match outcomes.get(k - 1) {
                        Some(v) => payoffs[index * n..(index + 1) * n].clone_from_slice(v),
                        None => {
                            err = Some(t.error(format!(
                                "outcome {k} does not exist (there are {})",
                                outcomes.len()
                            )))
                        }
                    },
                    Err(e) => err = Some(e),
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
        }
        Tok::Number(_) => {
            let mut err = None;
            for_each_gambit_profile(&counts, &strides, |index| {
                for p in 0..n {
                    if err.is_some() {
                        return;
                    }
                    match lx.number("a payoff") {
                        Ok((x, _)) => {
                            payoffs[index * n + p] = x;
                            if let Err(e) = lx.accept(&Tok::Comma) {
                                err = Some(e);
                            }
                        }
                        Err(e) => err = Some(e),
                    }
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
        }
        _ => {
            return Err(first.expected("the payoffs, or '{' starting the list of outcomes"));
        }
    }
    lx.expect_eof()?;
    let game = NormalFormGame::new(counts, payoffs).map_err(|e| first.error(e.to_string()))?;
    let mut g =
        StrategicGame::new(players, strategies, game).map_err(|e| first.error(e.to_string()))?;
    g.title = title;
    g.comment = comment;
    Ok(g)
}

/// Writes `game` as a `.nfg` file in the given version (exact payoffs,
/// strategy names, Gambit's profile order).
pub fn write_nfg(game: &StrategicGame, version: NfgVersion) -> String {
    let g = game.game();
    let n = g.num_players();
    let counts = g.strategy_counts();
    let strides = strides(counts);
    let mut out = format!("NFG 1 R {} {{", quote(&game.title));
    for p in game.players() {
        out.push(' ');
        out.push_str(&quote(p));
    }
    out.push_str(" }\n\n{\n");
    for names in game.strategies() {
        out.push('{');
        for s in names {
            out.push(' ');
            out.push_str(&quote(s));
        }
        out.push_str(" }\n");
    }
    out.push_str("}\n");
    out.push_str(&quote(&game.comment));
    out.push_str("\n\n");
    match version {
        NfgVersion::Payoff => {
            let mut col = 0;
            for_each_gambit_profile(counts, &strides, |index| {
                let row: Vec<String> = g.profile_payoffs(index).iter().map(format_number).collect();
                out.push_str(&row.join(" "));
                col += 1;
                out.push(if col % counts[0] == 0 { '\n' } else { ' ' });
            });
        }
        NfgVersion::Outcome => {
            let mut ids: HashMap<&[Q], usize> = HashMap::new();
            let mut order: Vec<&[Q]> = Vec::new();
            let mut table = Vec::with_capacity(g.num_profiles());
            for_each_gambit_profile(counts, &strides, |index| {
                let v = g.profile_payoffs(index);
                let id = *ids.entry(v).or_insert_with(|| {
                    order.push(v);
                    order.len()
                });
                table.push(id);
            });
            out.push_str("{\n");
            for v in order {
                let row: Vec<String> = v.iter().map(format_number).collect();
                out.push_str(&format!("{{ \"\" {} }}\n", row.join(", ")));
            }
            out.push_str("}\n");
            for (i, id) in table.iter().enumerate() {
                out.push_str(&id.to_string());
                out.push(if (i + 1) % counts[0] == 0 { '\n' } else { ' ' });
            }
        }
    }
    debug_assert!(n >= 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::qi;

    const SELTEN_PAYOFF: &str = r#"NFG 1 R "Selten (IJGT, 75), Figure 2, normal form"
{ "Player 1" "Player 2" } { 3 2 }

1 1 0 2 0 2 1 1 0 3 2 0
"#;

    const SELTEN_OUTCOME: &str = r#"NFG 1 R "Selten (IJGT, 75), Figure 2, normal form" { "Player 1" "Player 2" }

{
{ "1" "2" "3" }
{ "1" "2" }
}

{
{ "" 1, 1 }
{ "" 0, 2 }
{ "" 0, 2 }
{ "" 1, 1 }
{ "" 0, 3 }
{ "" 2, 0 }
}
1 2 3 4 5 6
"#;

    #[test]
    fn both_versions_of_the_gambit_sample_agree() {
        let a = read_nfg(SELTEN_PAYOFF).unwrap();
        let b = read_nfg(SELTEN_OUTCOME).unwrap();
        assert_eq!(a.game(), b.game());
        assert_eq!(a.strategies(), b.strategies());
        // First player fastest in the file: profile (row 2, column 1) is the
        // second entry, (0, 2); (row 1, column 2) is the fourth, (1, 1).
        assert_eq!(a.game().payoff(&[1, 0], 0), &qi(0));
        assert_eq!(a.game().payoff(&[1, 0], 1), &qi(2));
        assert_eq!(a.game().payoff(&[0, 1], 0), &qi(1));
        assert_eq!(a.game().payoff(&[2, 1], 0), &qi(2));
        assert_eq!(a.game().payoff(&[2, 1], 1), &qi(0));
        for v in [NfgVersion::Payoff, NfgVersion::Outcome] {
            let text = write_nfg(&a, v);
            let again = read_nfg(&text).unwrap();
            assert_eq!(again, a, "{text}");
        }
    }

    #[test]
    fn errors_are_located() {
        let e = read_nfg("NFG 1 R \"t\" { \"a\" } { 2 }\n1 x").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        let e = read_nfg("NFG 1 R \"t\" { \"a\" } { 2 }\n1").unwrap_err();
        assert!(e.message.contains("end of the file"), "{e}");
        let e = read_nfg("NFG 1 R \"t\" { \"a\" } { 1 } { { \"\" 1 } } 2").unwrap_err();
        assert!(e.message.contains("outcome 2 does not exist"), "{e}");
        let e = read_nfg("NFG 1 R \"t\" { \"a\" } { 99999999999 } 1").unwrap_err();
        assert!(e.message.contains("more than the file"), "{e}");
    }
}
