//! brink's own game format, in TOML or JSON (the same structure in both).
//!
//! # Normal-form games
//!
//! ```toml
//! title = "Battle of the sexes"          # optional
//! comment = "Luce & Raiffa (1957)"       # optional
//! players = ["Alice", "Bob"]
//! # Per player: strategy names, or just a count (names "1", "2", ...).
//! strategies = [["Opera", "Football"], ["Opera", "Football"]]
//! # One entry per pure profile, in brink's profile order: the LAST player's
//! # strategy changes fastest, i.e. (Opera, Opera), (Opera, Football),
//! # (Football, Opera), (Football, Football). Each entry has one payoff per
//! # player.
//! payoffs = [
//!   [2, 1], [0, 0],
//!   [0, 0], [1, 2],
//! ]
//! ```
//!
//! # Extensive-form games
//!
//! A flat list of nodes (no nesting, so trees of any depth fit); node 0 is the
//! root and `children` refer to positions in the list:
//!
//! ```toml
//! title = "Entry deterrence"
//! players = ["Entrant", "Incumbent"]
//!
//! [[nodes]]                 # 0
//! player = 1                # players are numbered from 1, or "chance"
//! infoset = "enter?"        # optional: nodes with the same player and
//!                           # infoset form one information set
//! actions = ["out", "in"]
//! children = [1, 2]
//!
//! [[nodes]]                 # 1: a terminal node
//! payoffs = [0, 2]
//!
//! [[nodes]]                 # 2
//! player = 2
//! actions = ["fight", "accommodate"]
//! children = [3, 4]
//!
//! [[nodes]]
//! payoffs = [-1, -1]
//! outcome = "war"           # optional outcome label
//!
//! [[nodes]]
//! payoffs = [1, 1]
//! ```
//!
//! Node fields: `label` (string), `player` (1-based number or `"chance"`;
//! absent for a terminal node), `infoset` (string key; without it a node has
//! an information set of its own), `infoset_label` (defaults to the key),
//! `actions` (strings), `probs` (chance only: one exact probability per
//! action, summing to 1), `children` (node indices, one per action),
//! `payoffs` (one per player, on any node: a play's payoff is the sum along
//! its path) and `outcome` (the outcome's label). Nodes with equal non-empty
//! `outcome` labels and equal payoffs share one outcome.
//!
//! # Numbers
//!
//! Payoffs and probabilities are exact: integers (`3`), decimals (`0.1` is
//! exactly 1/10: the digits written are used, not a binary float), or strings
//! holding a fraction or decimal (`"1/3"`, `"-2.5e-3"`). The writers use
//! integers where they fit in 64 bits and strings otherwise.
//!
//! # JSON
//!
//! The same keys: `{"players": ["A", "B"], "strategies": [2, 2], "payoffs":
//! [[1, 1], [0, 0], [0, 0], [1, 1]]}`; `nodes` is an array of objects.
//!
//! Unknown keys are errors (they are usually typos). Errors carry the line and
//! column of the offending value.

use std::collections::HashMap;

use num_bigint::BigInt;
use num_traits::{One, Zero};

use crate::extensive::{ExtensiveGame, ExtensiveParts, Infoset, Mover, Node, Outcome, TreeError};
use crate::game::NormalFormGame;
use crate::rational::Q;

use super::{FormatError, GameFile, StrategicGame, as_i64, parse_number};

mod write;

pub use write::{Syntax, write_extensive, write_game, write_strategic};

/// A value of a game document, with the byte offset where it starts.
#[derive(Clone, Debug)]
struct Item {
    val: Val,
    pos: usize,
}

#[derive(Clone, Debug)]
enum Val {
    Str(String),
    /// Digits (possibly signed) in the given radix.
    Int(String, u32),
    /// Decimal text of a float literal.
    Float(String),
    Array(Vec<Item>),
    /// Keys (with their offsets) and values, in document order.
    Table(Vec<(String, usize, Item)>),
    /// Booleans, null, datetimes: never valid in a game file.
    Other(&'static str),
}

impl Val {
    fn kind(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Int(..) | Val::Float(_) => "a number",
            Val::Array(_) => "an array",
            Val::Table(_) => "a table",
            Val::Other(k) => k,
        }
    }
}

/// Reads a brink game from TOML text.
///
/// # Errors
///
/// A [`FormatError`] locating the first problem; never panics.
pub fn read_toml(text: &str) -> Result<GameFile, FormatError> {
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        FormatError::at_offset(text, offset, e.message().trim().to_string())
    })?;
    let span = table.span();
    let root = Item {
        val: Val::Table(
            table
                .get_ref()
                .iter()
                .map(|(k, v)| (k.get_ref().to_string(), k.span().start, from_toml(v)))
                .collect(),
        ),
        pos: span.start,
    };
    interpret(text, root)
}

fn from_toml(v: &toml::Spanned<toml::de::DeValue<'_>>) -> Item {
    use toml::de::DeValue;
    let pos = v.span().start;
    let val = match v.get_ref() {
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Integer(i) => Val::Int(i.as_str().to_string(), i.radix()),
        DeValue::Float(f) => Val::Float(f.as_str().to_string()),
        DeValue::Boolean(_) => Val::Other("a boolean"),
        DeValue::Datetime(_) => Val::Other("a date"),
        DeValue::Array(a) => Val::Array(a.iter().map(from_toml).collect()),
        DeValue::Table(t) => Val::Table(
            t.iter()
                .map(|(k, v)| (k.get_ref().to_string(), k.span().start, from_toml(v)))
                .collect(),
        ),
    };
    Item { val, pos }
}

/// Reads a brink game from JSON text.
///
/// # Errors
///
/// A [`FormatError`] locating the first problem; never panics.
pub fn read_json(text: &str) -> Result<GameFile, FormatError> {
    // serde_json checks the syntax (with good messages and a nesting limit);
    // the small scanner below then keeps positions and exact number text.
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        return Err(FormatError::new(e.line().max(1), e.column().max(1), msg));
    }
    let mut scanner = Json {
        text,
        bytes: text.as_bytes(),
        i: 0,
    };
    scanner.ws();
    let root = scanner.value(0)?;
    interpret(text, root)
}

/// Minimal JSON scanner over text serde_json has already accepted.
struct Json<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn err(&self, message: &str) -> FormatError {
        FormatError::at_offset(self.text, self.i, message)
    }

    fn ws(&mut self) {
        while self
            .bytes
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Item, FormatError> {
        if depth > 200 {
            return Err(self.err("nested too deeply"));
        }
        let pos = self.i;
        let val =
            match self.bytes.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    let mut entries: Vec<(String, usize, Item)> = Vec::new();
                    self.ws();
                    if self.bytes.get(self.i) == Some(&b'}') {
                        self.i += 1;
                    } else {
                        loop {
                            self.ws();
                            let kpos = self.i;
                            let key = self.string()?;
                            if entries.iter().any(|(k, _, _)| *k == key) {
                                return Err(FormatError::at_offset(
                                    self.text,
                                    kpos,
                                    format!("duplicate key {key:?}"),
                                ));
                            }
                            self.ws();
                            self.eat(b':')?;
                            self.ws();
                            let v = self.value(depth + 1)?;
                            entries.push((key, kpos, v));
                            self.ws();
                            if self.bytes.get(self.i) == Some(&b',') {
                                self.i += 1;
                            } else {
                                self.eat(b'}')?;
                                break;
                            }
                        }
                    }
                    Val::Table(entries)
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.bytes.get(self.i) == Some(&b']') {
                        self.i += 1;
                    } else {
                        loop {
                            self.ws();
                            items.push(self.value(depth + 1)?);
                            self.ws();
                            if self.bytes.get(self.i) == Some(&b',') {
                                self.i += 1;
                            } else {
                                self.eat(b']')?;
                                break;
                            }
                        }
                    }
                    Val::Array(items)
                }
                Some(b'"') => Val::Str(self.string()?),
                Some(b't') | Some(b'f') => {
                    self.word();
                    Val::Other("a boolean")
                }
                Some(b'n') => {
                    self.word();
                    Val::Other("null")
                }
                Some(_) => {
                    let start = self.i;
                    while self.bytes.get(self.i).is_some_and(|b| {
                        matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                    }) {
                        self.i += 1;
                    }
                    let s = self.text.get(start..self.i).unwrap_or("").to_string();
                    if s.is_empty() {
                        return Err(self.err("expected a value"));
                    }
                    if s.bytes().all(|b| b == b'-' || b.is_ascii_digit()) {
                        Val::Int(s, 10)
                    } else {
                        Val::Float(s)
                    }
                }
                None => return Err(self.err("expected a value")),
            };
        Ok(Item { val, pos })
    }

    fn word(&mut self) {
        while self.bytes.get(self.i).is_some_and(u8::is_ascii_alphabetic) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), FormatError> {
        if self.bytes.get(self.i) == Some(&b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", b as char)))
        }
    }

    fn string(&mut self) -> Result<String, FormatError> {
        self.eat(b'"')?;
        let mut out = String::new();
        let mut pending_high: Option<u32> = None;
        loop {
            let rest = self.text.get(self.i..).unwrap_or("");
            let mut chars = rest.chars();
            let Some(c) = chars.next() else {
                return Err(self.err("unterminated string"));
            };
            self.i += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let e = self.bytes.get(self.i).copied().unwrap_or(b'?');
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(self.i..self.i + 4).unwrap_or("");
                            let code = u32::from_str_radix(hex, 16)
                                .map_err(|_| self.err("invalid \\u escape"))?;
                            self.i += 4;
                            if (0xD800..0xDC00).contains(&code) {
                                pending_high = Some(code);
                                continue;
                            }
                            if (0xDC00..0xE000).contains(&code) {
                                match pending_high.take() {
                                    Some(h) => {
                                        let c = 0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00);
                                        char::from_u32(c).unwrap_or('\u{fffd}')
                                    }
                                    None => '\u{fffd}',
                                }
                            } else {
                                char::from_u32(code).unwrap_or('\u{fffd}')
                            }
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    if pending_high.take().is_some() && !(0xDC00..0xE000).contains(&(ch as u32)) {
                        out.push('\u{fffd}');
                    }
                    out.push(ch);
                }
                c => {
                    if pending_high.take().is_some() {
                        out.push('\u{fffd}');
                    }
                    out.push(c);
                }
            }
        }
        if pending_high.is_some() {
            out.push('\u{fffd}');
        }
        Ok(out)
    }
}

/// Turns a document into a game.
fn interpret(text: &str, root: Item) -> Result<GameFile, FormatError> {
    let at = |pos: usize, m: String| FormatError::at_offset(text, pos, m);
    let Val::Table(entries) = root.val else {
        return Err(at(
            root.pos,
            "a game file must be a table (object) at the top".into(),
        ));
    };
    let mut fields: HashMap<&str, &Item> = HashMap::new();
    for (k, kpos, v) in &entries {
        match k.as_str() {
            "title" | "comment" | "players" | "strategies" | "payoffs" | "nodes" => {
                fields.insert(k.as_str(), v);
            }
            _ => {
                return Err(at(
                    *kpos,
                    format!(
                        "unknown key {k:?} (expected title, comment, players, strategies, \
                         payoffs or nodes)"
                    ),
                ));
            }
        }
    }
    let title = match fields.get("title") {
        Some(v) => string(text, v, "title")?,
        None => String::new(),
    };
    let comment = match fields.get("comment") {
        Some(v) => string(text, v, "comment")?,
        None => String::new(),
    };
    let Some(players_item) = fields.get("players") else {
        return Err(at(
            root.pos,
            "missing key \"players\" (a list of player names)".into(),
        ));
    };
    let players: Vec<String> = array(text, players_item, "players")?
        .iter()
        .map(|v| string(text, v, "a player name"))
        .collect::<Result<_, _>>()?;
    if players.is_empty() {
        return Err(at(
            players_item.pos,
            "a game needs at least one player".into(),
        ));
    }
    match (fields.get("nodes"), fields.get("strategies")) {
        (Some(nodes), None) => {
            if let Some(p) = fields.get("payoffs") {
                return Err(at(
                    p.pos,
                    "an extensive game (with \"nodes\") puts payoffs on its nodes, not at the top"
                        .into(),
                ));
            }
            let mut g = extensive(text, &players, nodes)?;
            g.set_title(title);
            g.set_comment(comment);
            Ok(GameFile::Extensive(g))
        }
        (None, Some(strategies)) => {
            let Some(payoffs) = fields.get("payoffs") else {
                return Err(at(root.pos, "missing key \"payoffs\"".into()));
            };
            let mut g = strategic(text, players, strategies, payoffs)?;
            g.title = title;
            g.comment = comment;
            Ok(GameFile::Strategic(g))
        }
        (Some(_), Some(s)) => Err(at(
            s.pos,
            "a game has either \"strategies\" (normal form) or \"nodes\" (extensive form), not both"
                .into(),
        )),
        (None, None) => Err(at(
            root.pos,
            "missing key \"strategies\" (normal form) or \"nodes\" (extensive form)".into(),
        )),
    }
}

fn string(text: &str, v: &Item, what: &str) -> Result<String, FormatError> {
    match &v.val {
        Val::Str(s) => Ok(s.clone()),
        other => Err(FormatError::at_offset(
            text,
            v.pos,
            format!("{what} must be a string, found {}", other.kind()),
        )),
    }
}

fn array<'a>(text: &str, v: &'a Item, what: &str) -> Result<&'a [Item], FormatError> {
    match &v.val {
        Val::Array(a) => Ok(a),
        other => Err(FormatError::at_offset(
            text,
            v.pos,
            format!("{what} must be an array, found {}", other.kind()),
        )),
    }
}

fn number(text: &str, v: &Item, what: &str) -> Result<Q, FormatError> {
    let err = |m: String| FormatError::at_offset(text, v.pos, format!("{what}: {m}"));
    match &v.val {
        Val::Int(digits, radix) => {
            if digits.len() > super::MAX_NUMBER_LEN {
                return Err(err("number too long".into()));
            }
            BigInt::parse_bytes(digits.as_bytes(), *radix)
                .map(Q::from_integer)
                .ok_or_else(|| err(format!("{digits:?} is not an integer")))
        }
        Val::Float(s) => parse_number(&s.replace('_', "")).map_err(|e| err(e.to_string())),
        Val::Str(s) => parse_number(s.trim()).map_err(|e| err(e.to_string())),
        other => Err(err(format!("expected a number, found {}", other.kind()))),
    }
}

fn index(text: &str, v: &Item, what: &str) -> Result<usize, FormatError> {
    let x = number(text, v, what)?;
    as_i64(&x)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(|| {
            FormatError::at_offset(
                text,
                v.pos,
                format!("{what} must be a non-negative whole number, found {x}"),
            )
        })
}

fn strategic(
    text: &str,
    players: Vec<String>,
    strategies: &Item,
    payoffs: &Item,
) -> Result<StrategicGame, FormatError> {
    let n = players.len();
    let list = array(text, strategies, "strategies")?;
    if list.len() != n {
        return Err(FormatError::at_offset(
            text,
            strategies.pos,
            format!(
                "strategies has {} entries, expected one per player ({n})",
                list.len()
            ),
        ));
    }
    let mut names = Vec::with_capacity(n);
    for (p, entry) in list.iter().enumerate() {
        let what = format!("strategies of player {}", p + 1);
        let these: Vec<String> = match &entry.val {
            Val::Array(a) => a
                .iter()
                .map(|v| string(text, v, "a strategy name"))
                .collect::<Result<_, _>>()?,
            _ => {
                let k = index(text, entry, &what)?;
                if k > text.len() {
                    return Err(FormatError::at_offset(
                        text,
                        entry.pos,
                        format!("{what}: {k} is more than the file could hold payoffs for"),
                    ));
                }
                (1..=k).map(|s| s.to_string()).collect()
            }
        };
        if these.is_empty() {
            return Err(FormatError::at_offset(
                text,
                entry.pos,
                format!("player {} has no strategies", p + 1),
            ));
        }
        names.push(these);
    }
    let counts: Vec<usize> = names.iter().map(Vec::len).collect();
    let rows = array(text, payoffs, "payoffs")?;
    let profiles = counts
        .iter()
        .try_fold(1usize, |acc, &k| acc.checked_mul(k))
        .unwrap_or(usize::MAX);
    if rows.len() != profiles {
        return Err(FormatError::at_offset(
            text,
            payoffs.pos,
            format!(
                "payoffs has {} entries, expected one per profile ({})",
                rows.len(),
                counts
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" x ")
            ),
        ));
    }
    let mut flat = Vec::with_capacity(profiles * n);
    for (i, row) in rows.iter().enumerate() {
        let entries = array(text, row, &format!("payoffs entry {i}"))?;
        if entries.len() != n {
            return Err(FormatError::at_offset(
                text,
                row.pos,
                format!(
                    "payoffs entry {i} has {} numbers, expected one per player ({n})",
                    entries.len()
                ),
            ));
        }
        for (p, v) in entries.iter().enumerate() {
            flat.push(number(text, v, &format!("payoff of player {}", p + 1))?);
        }
    }
    let game = NormalFormGame::new(counts, flat)
        .map_err(|e| FormatError::at_offset(text, payoffs.pos, e.to_string()))?;
    StrategicGame::new(players, names, game)
        .map_err(|e| FormatError::at_offset(text, strategies.pos, e.to_string()))
}

fn extensive(
    text: &str,
    players: &[String],
    nodes_item: &Item,
) -> Result<ExtensiveGame<Q>, FormatError> {
    let n = players.len();
    let list = array(text, nodes_item, "nodes")?;
    if list.is_empty() {
        return Err(FormatError::at_offset(
            text,
            nodes_item.pos,
            "nodes is empty (node 0 is the root)",
        ));
    }
    let mut nodes = Vec::with_capacity(list.len());
    let mut infosets: Vec<Infoset> = Vec::new();
    let mut outcomes: Vec<Outcome<Q>> = Vec::new();
    let mut infoset_keys: HashMap<(Mover, String), usize> = HashMap::new();
    let mut outcome_keys: HashMap<(String, Vec<Q>), usize> = HashMap::new();
    for (i, item) in list.iter().enumerate() {
        let at =
            |pos: usize, m: String| FormatError::at_offset(text, pos, format!("node {i}: {m}"));
        let Val::Table(entries) = &item.val else {
            return Err(at(
                item.pos,
                format!("must be a table, found {}", item.val.kind()),
            ));
        };
        let mut f: HashMap<&str, &Item> = HashMap::new();
        for (k, kpos, v) in entries {
            match k.as_str() {
                "label" | "player" | "infoset" | "infoset_label" | "actions" | "probs"
                | "children" | "payoffs" | "outcome" => {
                    f.insert(k.as_str(), v);
                }
                _ => {
                    return Err(at(
                        *kpos,
                        format!(
                            "unknown key {k:?} (expected label, player, infoset, infoset_label, \
                             actions, probs, children, payoffs or outcome)"
                        ),
                    ));
                }
            }
        }
        let label = match f.get("label") {
            Some(v) => string(text, v, "label")?,
            None => String::new(),
        };
        let outcome = match f.get("payoffs") {
            None => {
                if let Some(o) = f.get("outcome") {
                    return Err(at(o.pos, "an outcome label needs payoffs".into()));
                }
                None
            }
            Some(v) => {
                let entries = array(text, v, "payoffs")?;
                if entries.len() != n {
                    return Err(at(
                        v.pos,
                        format!(
                            "payoffs has {} numbers, expected one per player ({n})",
                            entries.len()
                        ),
                    ));
                }
                let payoffs = entries
                    .iter()
                    .enumerate()
                    .map(|(p, x)| number(text, x, &format!("payoff of player {}", p + 1)))
                    .collect::<Result<Vec<Q>, _>>()?;
                let olabel = match f.get("outcome") {
                    Some(o) => string(text, o, "outcome")?,
                    None => String::new(),
                };
                let fresh = |outcomes: &mut Vec<Outcome<Q>>, label: String, payoffs: Vec<Q>| {
                    outcomes.push(Outcome { label, payoffs });
                    outcomes.len() - 1
                };
                if olabel.is_empty() {
                    Some(fresh(&mut outcomes, olabel, payoffs))
                } else {
                    let key = (olabel.clone(), payoffs.clone());
                    match outcome_keys.get(&key) {
                        Some(&o) => Some(o),
                        None => {
                            let o = fresh(&mut outcomes, olabel, payoffs);
                            outcome_keys.insert(key, o);
                            Some(o)
                        }
                    }
                }
            }
        };
        let Some(player_item) = f.get("player") else {
            for k in ["infoset", "infoset_label", "actions", "probs", "children"] {
                if let Some(v) = f.get(k) {
                    return Err(at(
                        v.pos,
                        format!("{k:?} needs a \"player\" (a terminal node has none)"),
                    ));
                }
            }
            nodes.push(Node {
                label,
                infoset: None,
                children: Vec::new(),
                outcome,
            });
            continue;
        };
        let mover = match &player_item.val {
            Val::Str(s) if s == "chance" => Mover::Chance,
            _ => {
                let p = index(text, player_item, "player").map_err(|_| {
                    at(
                        player_item.pos,
                        format!("player must be a number from 1 to {n} or \"chance\""),
                    )
                })?;
                if p == 0 || p > n {
                    return Err(at(
                        player_item.pos,
                        format!("player {p} does not exist (players are numbered 1 to {n})"),
                    ));
                }
                Mover::Player(p - 1)
            }
        };
        let Some(actions_item) = f.get("actions") else {
            return Err(at(item.pos, "a decision node needs \"actions\"".into()));
        };
        let actions: Vec<String> = array(text, actions_item, "actions")?
            .iter()
            .map(|v| string(text, v, "an action label"))
            .collect::<Result<_, _>>()?;
        if actions.is_empty() {
            return Err(at(
                actions_item.pos,
                "a decision node needs at least one action".into(),
            ));
        }
        let Some(children_item) = f.get("children") else {
            return Err(at(item.pos, "a decision node needs \"children\"".into()));
        };
        let children: Vec<usize> = array(text, children_item, "children")?
            .iter()
            .map(|v| index(text, v, "a child index"))
            .collect::<Result<_, _>>()?;
        if children.len() != actions.len() {
            return Err(at(
                children_item.pos,
                format!(
                    "{} children for {} actions (one child per action)",
                    children.len(),
                    actions.len()
                ),
            ));
        }
        for (&c, v) in children.iter().zip(array(text, children_item, "children")?) {
            if c >= list.len() {
                return Err(at(v.pos, format!("child {c} does not exist")));
            }
        }
        let probs = match (mover, f.get("probs")) {
            (Mover::Chance, Some(v)) => {
                let ps = array(text, v, "probs")?
                    .iter()
                    .map(|x| number(text, x, "a probability"))
                    .collect::<Result<Vec<Q>, _>>()?;
                if ps.len() != actions.len() {
                    return Err(at(
                        v.pos,
                        format!("{} probabilities for {} actions", ps.len(), actions.len()),
                    ));
                }
                if ps.iter().any(|p| *p < Q::zero()) {
                    return Err(at(v.pos, "a probability is negative".into()));
                }
                let sum: Q = ps.iter().sum();
                if !sum.is_one() {
                    return Err(at(v.pos, format!("probabilities sum to {sum}, not 1")));
                }
                ps
            }
            (Mover::Chance, None) => {
                return Err(at(item.pos, "a chance node needs \"probs\"".into()));
            }
            (Mover::Player(_), Some(v)) => {
                return Err(at(v.pos, "only chance nodes have \"probs\"".into()));
            }
            (Mover::Player(_), None) => Vec::new(),
        };
        let key = match f.get("infoset") {
            Some(v) => Some(string(text, v, "infoset")?),
            None => None,
        };
        let infoset_label = match f.get("infoset_label") {
            Some(v) => string(text, v, "infoset_label")?,
            None => key.clone().unwrap_or_default(),
        };
        let set = Infoset {
            mover,
            label: infoset_label,
            actions,
            probs,
        };
        let s = match key {
            None => {
                infosets.push(set);
                infosets.len() - 1
            }
            Some(key) => match infoset_keys.get(&(mover, key.clone())) {
                Some(&s) => {
                    if infosets[s] != set {
                        let pos = f.get("infoset").map_or(item.pos, |v| v.pos);
                        return Err(at(
                            pos,
                            format!(
                                "information set {key:?} was defined by an earlier node with \
                                 different actions, probabilities or label"
                            ),
                        ));
                    }
                    s
                }
                None => {
                    infosets.push(set);
                    infoset_keys.insert((mover, key), infosets.len() - 1);
                    infosets.len() - 1
                }
            },
        };
        nodes.push(Node {
            label,
            infoset: Some(s),
            children,
            outcome,
        });
    }
    let parts = ExtensiveParts {
        title: String::new(),
        comment: String::new(),
        players: players.to_vec(),
        nodes,
        infosets,
        outcomes,
    };
    ExtensiveGame::from_parts(parts).map_err(|e| {
        let node = match &e {
            TreeError::NotATree { node }
            | TreeError::Unreachable { node }
            | TreeError::ChildOutOfRange { node, .. } => Some(*node),
            _ => None,
        };
        let pos = node
            .and_then(|v| list.get(v))
            .map_or(nodes_item.pos, |it| it.pos);
        FormatError::at_offset(text, pos, e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    const BOS: &str = r#"
title = "Battle of the sexes"
players = ["Alice", "Bob"]
strategies = [["Opera", "Football"], 2]
payoffs = [
  [2, 1], [0, 0],
  [0, 0], ["1/1", 2.0],
]
"#;

    #[test]
    fn reads_and_round_trips_a_normal_form_game() {
        let GameFile::Strategic(g) = read_toml(BOS).unwrap() else {
            panic!("expected a strategic game");
        };
        assert_eq!(g.title, "Battle of the sexes");
        assert_eq!(g.strategies()[1], vec!["1".to_string(), "2".to_string()]);
        assert_eq!(g.game().payoff(&[1, 1], 1), &qi(2));
        assert_eq!(g.game().payoff(&[0, 0], 0), &qi(2));
        for syntax in [Syntax::Toml, Syntax::Json] {
            let text = write_strategic(&g, syntax);
            let back = match syntax {
                Syntax::Toml => read_toml(&text),
                Syntax::Json => read_json(&text),
            }
            .unwrap();
            assert_eq!(back, GameFile::Strategic(g.clone()), "{text}");
        }
    }

    #[test]
    fn decimals_are_exact() {
        let text =
            r#"{"players": ["a"], "strategies": [3], "payoffs": [[0.1], ["1/3"], [-2.5e-1]]}"#;
        let GameFile::Strategic(g) = read_json(text).unwrap() else {
            panic!()
        };
        assert_eq!(g.game().payoffs(), &[q(1, 10), q(1, 3), q(-1, 4)]);
        let toml = "players = [\"a\"]\nstrategies = [2]\npayoffs = [[0.1], [1_000.5]]\n";
        let GameFile::Strategic(g) = read_toml(toml).unwrap() else {
            panic!()
        };
        assert_eq!(g.game().payoffs(), &[q(1, 10), q(2001, 2)]);
    }

    #[test]
    fn errors_point_at_the_value() {
        let e = read_toml("players = [\"a\"]\nstrategies = [2]\npayoffs = [[1], [\"x\"]]\n")
            .unwrap_err();
        assert_eq!((e.line, e.column), (3, 18), "{e}");
        let e = read_json("{\"players\": [\"a\"],\n \"strategies\": [2],\n \"payoffs\": [[1]]}")
            .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("expected one per profile"), "{e}");
        let e = read_json("{\"players\": [\"a\"], \"strategy\": [2]}").unwrap_err();
        assert!(e.message.contains("unknown key \"strategy\""), "{e}");
        let e = read_json("{\"players\": [\"a\"],").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = read_toml("players = [\"a\"\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }

    #[test]
    fn extensive_round_trip() {
        let text = r#"
title = "Entry"
players = ["E", "I"]

[[nodes]]
player = 1
actions = ["out", "in"]
children = [1, 2]

[[nodes]]
payoffs = [0, 2]

[[nodes]]
player = "chance"
actions = ["a", "b"]
probs = ["1/3", "2/3"]
children = [3, 4]

[[nodes]]
player = 2
infoset = "x"
actions = ["f", "a"]
children = [5, 6]

[[nodes]]
player = 2
infoset = "x"
actions = ["f", "a"]
children = [7, 8]

[[nodes]]
payoffs = [-1, -1]
outcome = "war"
[[nodes]]
payoffs = [1, 1]
[[nodes]]
payoffs = [-1, -1]
outcome = "war"
[[nodes]]
payoffs = [1, 1]
"#;
        let GameFile::Extensive(g) = read_toml(text).unwrap() else {
            panic!()
        };
        assert_eq!(g.nodes().len(), 9);
        assert_eq!(g.player_infosets(1).len(), 1);
        assert_eq!(g.members(g.player_infosets(1)[0]).len(), 2);
        // The two "war" outcomes are one; the unlabelled ones are separate.
        assert_eq!(g.outcomes().len(), 4);
        for syntax in [Syntax::Toml, Syntax::Json] {
            let out = write_extensive(&g, syntax);
            let back = match syntax {
                Syntax::Toml => read_toml(&out),
                Syntax::Json => read_json(&out),
            }
            .unwrap();
            assert_eq!(back, GameFile::Extensive(g.clone()), "{out}");
        }
        let bad = text.replace("children = [7, 8]", "children = [5, 6]");
        let e = read_toml(&bad).unwrap_err();
        assert!(e.message.contains("more than one parent"), "{e}");
    }

    #[test]
    fn string_literals_escape() {
        let s = "q\"b\\n\nt\t\u{1}\u{7f}é";
        let json = write::string_literal(s);
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), s);
        let toml_doc = format!("x = {json}\n");
        let t: toml::Table = toml::from_str(&toml_doc).unwrap();
        assert_eq!(t["x"].as_str(), Some(s));
    }
}
