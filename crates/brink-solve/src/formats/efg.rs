//! Gambit's extensive-game format (`.efg`).
//!
//! Reference: *Gambit: Software Tools for Game Theory*, "The extensive game
//! (.efg) file format". A file is a prologue
//!
//! ```text
//! EFG 2 R "title" { "Player 1" "Player 2" }
//! "optional comment"
//! ```
//!
//! followed by the nodes in depth-first prefix order, one entry each:
//!
//! ```text
//! c "node label" 1 "infoset label" { "H" 1/2 "T" 1/2 } 0
//! p "node label" 2 1 "infoset label" { "L" "R" } 1 "outcome label" { 1, -1 }
//! t "node label" 2 "outcome label" { -1, 1 }
//! ```
//!
//! - `c`: chance node; information-set number (chance has its own numbering),
//!   then — at least where the information set first appears — its label and
//!   its actions with their probabilities;
//! - `p`: personal node; player number (from 1), information-set number (per
//!   player), then — at least at first appearance — label and action labels;
//! - `t`: terminal node;
//! - every node ends with an outcome number (0: none), followed — at least at
//!   its first appearance — by the outcome's label and payoff list (commas
//!   optional). Outcomes on non-terminal nodes count too: a play's payoff is the
//!   sum of the outcomes along it.
//!
//! When an information set or outcome is repeated with its data, the data must
//! match the first definition (as in Gambit). Probabilities and payoffs are
//! exact rationals: integers, fractions `1/3`, decimals `0.25`; chance
//! probabilities must sum to exactly 1 (so write `1/3`, not `0.333333`).
//! `D` is accepted in place of `R`.
//!
//! [`write_efg`] writes information sets numbered in order of first encounter,
//! repeating their data at every node, and outcomes numbered in order of first
//! use, as Gambit does; [`read_efg`] of its output gives back an equal game.

use std::collections::HashMap;

use crate::extensive::{ExtensiveGame, ExtensiveParts, Infoset, Mover, Node, Outcome};
use crate::rational::Q;

use super::lexer::{Lexer, Tok, quote};
use super::{FormatError, format_number};

/// Reads a `.efg` file. The parse is iterative, so arbitrarily deep trees
/// are fine.
///
/// # Errors
///
/// A [`FormatError`] locating the first problem; never panics.
pub fn read_efg(text: &str) -> Result<ExtensiveGame<Q>, FormatError> {
    let mut lx = Lexer::new(text);
    let (title, players) = lx.gambit_header("EFG", 2, "an extensive game")?;
    let n = players.len();
    let comment = match &lx.peek()?.tok {
        Tok::Text(_) => lx.text("comment")?,
        _ => String::new(),
    };
    let mut reader = Reader {
        n,
        nodes: Vec::new(),
        infosets: Vec::new(),
        outcomes: Vec::new(),
        infoset_ids: HashMap::new(),
        outcome_ids: HashMap::new(),
    };
    // Open decision nodes: (node, children read so far).
    let mut open: Vec<(usize, usize)> = Vec::new();
    loop {
        let id = reader.nodes.len();
        let node = reader.node(&mut lx)?;
        let k = node.children.len();
        reader.nodes.push(node);
        if let Some((parent, filled)) = open.last_mut() {
            reader.nodes[*parent].children[*filled] = id;
            *filled += 1;
        }
        if k > 0 {
            open.push((id, 0));
        }
        while let Some(&(parent, filled)) = open.last() {
            if filled == reader.nodes[parent].children.len() {
                open.pop();
            } else {
                break;
            }
        }
        if open.is_empty() {
            break;
        }
    }
    let end = lx.peek()?.clone();
    lx.expect_eof()?;
    let parts = ExtensiveParts {
        title,
        comment,
        players,
        nodes: reader.nodes,
        infosets: reader.infosets,
        outcomes: reader.outcomes,
    };
    ExtensiveGame::from_parts(parts).map_err(|e| end.error(format!("invalid game: {e}")))
}

struct Reader {
    n: usize,
    nodes: Vec<Node>,
    infosets: Vec<Infoset>,
    outcomes: Vec<Outcome<Q>>,
    /// (mover, number in file) -> infoset index.
    infoset_ids: HashMap<(Mover, usize), usize>,
    /// Number in file -> outcome index.
    outcome_ids: HashMap<usize, usize>,
}

impl Reader {
    /// Reads one node entry; its children are placeholders.
    fn node(&mut self, lx: &mut Lexer<'_>) -> Result<Node, FormatError> {
        let (kind, t) = lx.symbol("a node: 'c', 'p' or 't'")?;
        let label = lx.text("the node's label (a quoted string)")?;
        let infoset = match kind.as_str() {
            "c" => Some(self.infoset(lx, Mover::Chance)?),
            "p" => {
                let (p, pt) = lx.count("the player number")?;
                if p == 0 || p > self.n {
                    return Err(pt.error(format!(
                        "player {p} does not exist (players are numbered 1 to {})",
                        self.n
                    )));
                }
                Some(self.infoset(lx, Mover::Player(p - 1))?)
            }
            "t" => None,
            _ => return Err(t.expected("a node: 'c', 'p' or 't'")),
        };
        let outcome = self.outcome(lx)?;
        let k = infoset.map_or(0, |s| self.infosets[s].actions.len());
        Ok(Node {
            label,
            infoset,
            children: vec![usize::MAX; k],
            outcome,
        })
    }

    fn infoset(&mut self, lx: &mut Lexer<'_>, mover: Mover) -> Result<usize, FormatError> {
        let (number, nt) = lx.count("the information set number")?;
        let who = match mover {
            Mover::Chance => format!("chance information set {number}"),
            Mover::Player(p) => format!("information set {number} of player {}", p + 1),
        };
        let existing = self.infoset_ids.get(&(mover, number)).copied();
        if !matches!(lx.peek()?.tok, Tok::Text(_)) {
            return existing.ok_or_else(|| {
                nt.error(format!(
                    "{who} is used before it is defined (give its label and actions)"
                ))
            });
        }
        let label = lx.text("the information set's label")?;
        let open = lx.expect(&Tok::LBrace, "'{' before the actions")?;
        let mut actions = Vec::new();
        let mut probs = Vec::new();
        loop {
            let t = lx.next()?;
            match t.tok {
                Tok::RBrace => break,
                Tok::Text(a) => {
                    actions.push(a);
                    if mover == Mover::Chance {
                        let (p, pt) = lx.number("the action's probability")?;
                        if p < Q::default() {
                            return Err(pt.error(format!("probability {p} is negative")));
                        }
                        probs.push(p);
                    }
                }
                _ => return Err(t.expected("an action label (quoted) or '}'")),
            }
        }
        if actions.is_empty() {
            return Err(open.error(format!("{who} has no actions")));
        }
        if mover == Mover::Chance {
            let sum: Q = probs.iter().sum();
            if sum != Q::from_integer(1.into()) {
                return Err(open.error(format!(
                    "the probabilities of {who} sum to {sum}, not 1 (write exact fractions such as 1/3)"
                )));
            }
        }
        let set = Infoset {
            mover,
            label,
            actions,
            probs,
        };
        match existing {
            Some(s) => {
                if self.infosets[s] != set {
                    return Err(nt.error(format!(
                        "{who} is redefined with a different label, actions or probabilities"
                    )));
                }
                Ok(s)
            }
            None => {
                let s = self.infosets.len();
                self.infosets.push(set);
                self.infoset_ids.insert((mover, number), s);
                Ok(s)
            }
        }
    }

    fn outcome(&mut self, lx: &mut Lexer<'_>) -> Result<Option<usize>, FormatError> {
        let (number, nt) = lx.count("the outcome number (0 for none)")?;
        if !matches!(lx.peek()?.tok, Tok::Text(_)) {
            if number == 0 {
                return Ok(None);
            }
            return match self.outcome_ids.get(&number) {
                Some(&o) => Ok(Some(o)),
                None => Err(nt.error(format!(
                    "outcome {number} is used before it is defined (give its label and payoffs)"
                ))),
            };
        }
        if number == 0 {
            return Err(nt.error("outcome 0 means no outcome and cannot have a label or payoffs"));
        }
        let label = lx.text("the outcome's label")?;
        lx.expect(&Tok::LBrace, "'{' before the payoffs")?;
        let mut payoffs = Vec::with_capacity(self.n);
        for p in 0..self.n {
            let (x, _) = lx.number(&format!("payoff of player {}", p + 1))?;
            payoffs.push(x);
            lx.accept(&Tok::Comma)?;
        }
        lx.expect(&Tok::RBrace, &format!("'}}' after the {} payoffs", self.n))?;
        let outcome = Outcome { label, payoffs };
        match self.outcome_ids.get(&number) {
            Some(&o) => {
                if self.outcomes[o] != outcome {
                    return Err(nt.error(format!(
                        "outcome {number} is redefined with a different label or payoffs"
                    )));
                }
                Ok(Some(o))
            }
            None => {
                let o = self.outcomes.len();
                self.outcomes.push(outcome);
                self.outcome_ids.insert(number, o);
                Ok(Some(o))
            }
        }
    }
}

/// Writes `game` as a `.efg` file with exact numbers.
pub fn write_efg(game: &ExtensiveGame<Q>) -> String {
    let mut out = format!("EFG 2 R {} {{", quote(game.title()));
    for p in game.players() {
        out.push(' ');
        out.push_str(&quote(p));
    }
    out.push_str(" }\n");
    out.push_str(&quote(game.comment()));
    out.push_str("\n\n");
    for node in game.nodes() {
        match node.infoset {
            None => {
                out.push_str(&format!("t {} ", quote(&node.label)));
            }
            Some(s) => {
                let set = &game.infosets()[s];
                let number = game.local_index(s) + 1;
                match set.mover {
                    Mover::Chance => {
                        out.push_str(&format!(
                            "c {} {} {} {{",
                            quote(&node.label),
                            number,
                            quote(&set.label)
                        ));
                        for (a, p) in set.actions.iter().zip(&set.probs) {
                            out.push_str(&format!(" {} {}", quote(a), format_number(p)));
                        }
                    }
                    Mover::Player(p) => {
                        out.push_str(&format!(
                            "p {} {} {} {} {{",
                            quote(&node.label),
                            p + 1,
                            number,
                            quote(&set.label)
                        ));
                        for a in &set.actions {
                            out.push(' ');
                            out.push_str(&quote(a));
                        }
                    }
                }
                out.push_str(" } ");
            }
        }
        match node.outcome {
            None => out.push('0'),
            Some(o) => {
                let outcome = &game.outcomes()[o];
                let payoffs: Vec<String> = outcome.payoffs.iter().map(format_number).collect();
                out.push_str(&format!(
                    "{} {} {{ {} }}",
                    o + 1,
                    quote(&outcome.label),
                    payoffs.join(", ")
                ));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    const BAYES: &str = r#"EFG 2 R "General Bayes game, one stage" { "Player 1" "Player 2" }
c "ROOT" 1 "(0,1)" { "1G" 0.500000 "1B" 0.500000 } 0
c "" 2 "(0,2)" { "2g" 0.500000 "2b" 0.500000 } 0
p "" 1 1 "(1,1)" { "H" "L" } 0
p "" 2 1 "(2,1)" { "h" "l" } 0
t "" 1 "Outcome 1" { 10.000000 2.000000 }
t "" 2 "Outcome 2" { 0.000000 10.000000 }
p "" 2 1 "(2,1)" { "h" "l" } 0
t "" 3 "Outcome 3" { 2.000000 4.000000 }
t "" 4 "Outcome 4" { 4.000000 0.000000 }
p "" 1 1 "(1,1)" { "H" "L" } 0
p "" 2 2 "(2,2)" { "h" "l" } 0
t "" 5 "Outcome 5" { 10.000000 2.000000 }
t "" 6 "Outcome 6" { 0.000000 10.000000 }
p "" 2 2 "(2,2)" { "h" "l" } 0
t "" 7 "Outcome 7" { 2.000000 4.000000 }
t "" 8 "Outcome 8" { 4.000000 0.000000 }
c "" 3 "(0,3)" { "2g" 0.500000 "2b" 0.500000 } 0
p "" 1 2 "(1,2)" { "H" "L" } 0
p "" 2 1 "(2,1)" { "h" "l" } 0
t "" 9 "Outcome 9" { 4.000000 2.000000 }
t "" 10 "Outcome 10" { 2.000000 10.000000 }
p "" 2 1 "(2,1)" { "h" "l" } 0
t "" 11 "Outcome 11" { 0.000000 4.000000 }
t "" 12 "Outcome 12" { 10.000000 2.000000 }
p "" 1 2 "(1,2)" { "H" "L" } 0
p "" 2 2 "(2,2)" { "h" "l" } 0
t "" 13 "Outcome 13" { 4.000000 2.000000 }
t "" 14 "Outcome 14" { 2.000000 10.000000 }
p "" 2 2 "(2,2)" { "h" "l" } 0
t "" 15 "Outcome 15" { 0.000000 4.000000 }
t "" 16 "Outcome 16" { 10.000000 0.000000 }
"#;

    #[test]
    fn reads_the_gambit_sample() {
        let g = read_efg(BAYES).unwrap();
        assert_eq!(g.title(), "General Bayes game, one stage");
        assert_eq!(g.nodes().len(), 31);
        assert_eq!(g.player_infosets(0).len(), 2);
        assert_eq!(g.player_infosets(1).len(), 2);
        assert_eq!(g.infosets()[0].probs, vec![q(1, 2), q(1, 2)]);
        assert_eq!(g.outcomes().len(), 16);
        assert_eq!(g.outcomes()[0].payoffs, vec![qi(10), qi(2)]);
        let text = write_efg(&g);
        assert_eq!(read_efg(&text).unwrap(), g, "{text}");
        // Writing is canonical: write(read(write(g))) == write(g).
        assert_eq!(write_efg(&read_efg(&text).unwrap()), text);
    }

    #[test]
    fn infosets_and_outcomes_may_be_referenced_by_number() {
        let text = r#"EFG 2 R "" { "A" "B" } "comment"
p "" 1 1 "x" { "L" "R" } 0
p "" 2 1 "y" { "l" "r" } 0
t "" 1 "win" { 1, -1 }
t "" 2 "lose" { -1 1 }
p "" 2 1 0
t "" 2
t "" 1
"#;
        let g = read_efg(text).unwrap();
        assert_eq!(g.comment(), "comment");
        assert_eq!(g.members(1).len(), 2);
        assert_eq!(g.outcomes().len(), 2);
        assert_eq!(g.path_payoffs(6), vec![qi(1), qi(-1)]);
    }

    #[test]
    fn errors_are_located() {
        let e =
            read_efg("EFG 2 R \"\" { \"A\" }\np \"\" 2 1 \"\" { \"a\" } 0\nt \"\" 0").unwrap_err();
        assert_eq!((e.line, e.column), (2, 6), "{e}");
        let e = read_efg(
            "EFG 2 R \"\" { \"A\" }\nc \"\" 1 \"\" { \"a\" 1/3 \"b\" 1/3 } 0\nt \"\" 0\nt \"\" 0",
        )
        .unwrap_err();
        assert!(e.message.contains("sum to 2/3"), "{e}");
        assert_eq!(e.line, 2);
        let e = read_efg("EFG 2 R \"\" { \"A\" }\np \"\" 1 1 0\n").unwrap_err();
        assert!(e.message.contains("used before it is defined"), "{e}");
        let e = read_efg("EFG 2 R \"\" { \"A\" }\nt \"\" 0\nt \"\" 0").unwrap_err();
        assert!(e.message.contains("end of the file"), "{e}");
        let e = read_efg("EFG 2 R \"\" { \"A\" }\np \"\" 1 1 \"\" { \"a\" } 0").unwrap_err();
        assert!(e.message.contains("a node"), "{e}");
    }
}
