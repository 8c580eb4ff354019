//! Game files: the committed examples under `tests/games/` read correctly,
//! every writer round-trips (read -> write -> read gives an equal game), and
//! malformed files get located errors.

use std::path::{Path, PathBuf};

use brink_solve::extensive::{ExtensiveGame, Tree, solve_zero_sum_sequence_form};
use brink_solve::formats::brink::{self, Syntax};
use brink_solve::formats::efg::{read_efg, write_efg};
use brink_solve::formats::nfg::{NfgVersion, read_nfg, write_nfg};
use brink_solve::formats::{FileKind, GameFile, StrategicGame, read_game};
use brink_solve::rational::{Q, q, qi};
use brink_solve::{NormalFormGame, pure_nash_equilibria};

fn games_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/games")
}

fn read(name: &str) -> GameFile {
    let path = games_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let ext = path.extension().unwrap().to_str().unwrap();
    read_game(FileKind::from_extension(ext).unwrap(), &text)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn strategic(name: &str) -> StrategicGame {
    match read(name) {
        GameFile::Strategic(g) => g,
        GameFile::Extensive(_) => panic!("{name} is extensive"),
    }
}

fn extensive(name: &str) -> ExtensiveGame<Q> {
    match read(name) {
        GameFile::Extensive(g) => g,
        GameFile::Strategic(_) => panic!("{name} is strategic"),
    }
}

/// Every way of writing `game` reads back to an equal game.
fn assert_round_trips(game: &GameFile) {
    let mut texts = Vec::new();
    match game {
        GameFile::Strategic(g) => {
            for v in [NfgVersion::Payoff, NfgVersion::Outcome] {
                let t = write_nfg(g, v);
                let back = read_nfg(&t).unwrap_or_else(|e| panic!("{e}\n{t}"));
                assert_eq!(&back, g, "{t}");
                texts.push(t);
            }
        }
        GameFile::Extensive(g) => {
            let t = write_efg(g);
            let back = read_efg(&t).unwrap_or_else(|e| panic!("{e}\n{t}"));
            assert_eq!(&back, g, "{t}");
        }
    }
    for syntax in [Syntax::Toml, Syntax::Json] {
        let t = brink::write_game(game, syntax);
        let back = match syntax {
            Syntax::Toml => brink::read_toml(&t),
            Syntax::Json => brink::read_json(&t),
        }
        .unwrap_or_else(|e| panic!("{e}\n{t}"));
        // The brink format keeps outcomes shared only when labelled; after
        // one trip through it, further trips change nothing.
        let again_text = brink::write_game(&back, syntax);
        let again = match syntax {
            Syntax::Toml => brink::read_toml(&again_text),
            Syntax::Json => brink::read_json(&again_text),
        }
        .unwrap();
        assert_eq!(again, back, "{again_text}");
        assert_eq!(brink::write_game(&again, syntax), again_text);
        match (&back, game) {
            (GameFile::Strategic(a), GameFile::Strategic(b)) => assert_eq!(a, b, "{t}"),
            (GameFile::Extensive(a), GameFile::Extensive(b)) => {
                assert_eq!(a.nodes().len(), b.nodes().len());
                assert_eq!(a.infosets(), b.infosets());
                for v in 0..a.nodes().len() {
                    assert_eq!(a.path_payoffs(v), b.path_payoffs(v), "{t}");
                }
            }
            _ => panic!("kind changed\n{t}"),
        }
    }
}

#[test]
fn every_committed_game_reads_and_round_trips() {
    let mut names: Vec<String> = std::fs::read_dir(games_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            Path::new(n)
                .extension()
                .and_then(|e| e.to_str())
                .and_then(FileKind::from_extension)
                .is_some()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        assert_round_trips(&read(&name));
    }
}

#[test]
fn battle_of_the_sexes_both_nfg_versions() {
    let a = strategic("bos.nfg");
    let b = strategic("bos_outcome.nfg");
    assert_eq!(a.game(), b.game());
    assert_eq!(a.players(), &["Alice".to_string(), "Bob".to_string()]);
    assert_eq!(
        b.strategies()[0],
        vec!["Opera".to_string(), "Football".to_string()]
    );
    // Gambit lists profiles with the first player fastest: "2 1 0 0 0 0 1 2"
    // is (O,O)=(2,1), (F,O)=(0,0), (O,F)=(0,0), (F,F)=(1,2).
    let expected = NormalFormGame::new(
        vec![2, 2],
        [2, 1, 0, 0, 0, 0, 1, 2].iter().map(|&x| qi(x)).collect(),
    )
    .unwrap();
    assert_eq!(a.game(), &expected);
    assert_eq!(pure_nash_equilibria(a.game()), vec![vec![0, 0], vec![1, 1]]);
    assert!(a.comment.starts_with("Luce & Raiffa"));
}

#[test]
fn brink_files_match_their_gambit_twins() {
    let pd = strategic("prisoners_dilemma.toml");
    assert_eq!(pure_nash_equilibria(pd.game()), vec![vec![1, 1]]);
    assert_eq!(pd.game().payoff(&[0, 1], 1), &qi(5));
    let mp = strategic("matching_pennies.json");
    assert_eq!(mp.game().payoff(&[0, 1], 0), &qi(-1));
    let efg = extensive("entry.efg");
    let toml = extensive("entry.toml");
    assert_eq!(efg.infosets(), toml.infosets());
    assert_eq!(efg.outcomes(), toml.outcomes());
    assert_eq!(efg.nodes(), toml.nodes());
}

/// The committed Kuhn poker file describes the same game as the hand-built
/// tree in `tests/extensive.rs`: same value, same sequence-form payoffs.
#[test]
fn kuhn_poker_file_has_value_minus_one_eighteenth() {
    let g = extensive("kuhn_poker.efg");
    assert_eq!(g.nodes().len(), 55);
    assert_eq!(g.outcomes().len(), 4);
    let sol = solve_zero_sum_sequence_form(&g).unwrap();
    assert_eq!(sol.value, q(-1, 18));
    // Every "p" node of one deal, the 6 deals equally likely.
    assert_eq!(g.infosets()[0].probs, vec![q(1, 6); 6]);
}

#[test]
fn extensive_brink_format_for_a_hand_built_tree() {
    let t = Tree::chance(vec![
        ("h", q(1, 3), Tree::terminal(vec![q(1, 2), qi(0)])),
        (
            "t",
            q(2, 3),
            Tree::decision(1, "x", vec![("a", Tree::terminal(vec![qi(1), qi(-1)]))]),
        ),
    ]);
    let g = ExtensiveGame::from_tree(vec!["A".into(), "B".into()], t).unwrap();
    let file = GameFile::Extensive(g.clone());
    assert_round_trips(&file);
    let json = brink::write_game(&file, Syntax::Json);
    assert!(json.contains("\"probs\": [\"1/3\", \"2/3\"]"), "{json}");
    assert!(json.contains("\"payoffs\": [\"1/2\", 0]"), "{json}");
}

/// A malformed-file case: name, file kind, file text, expected (line,
/// column) of the error, and a fragment of its message.
type ErrorCase = (
    &'static str,
    FileKind,
    &'static str,
    (usize, usize),
    &'static str,
);

#[test]
fn errors_carry_line_and_column() {
    let cases: &[ErrorCase] = &[
        (
            "bad magic",
            FileKind::Nfg,
            "NGF 1 R \"\" { \"a\" } { 1 } 0",
            (1, 1),
            "expected \"NFG\"",
        ),
        (
            "bad payoff",
            FileKind::Nfg,
            "NFG 1 R \"\" { \"a\" \"b\" } { 2 1 }\n\n1 2\n3 oops\n",
            (4, 3),
            "a payoff",
        ),
        (
            "too few payoffs",
            FileKind::Nfg,
            "NFG 1 R \"\" { \"a\" } { 3 }\n1 2",
            (2, 4),
            "end of the file",
        ),
        (
            "extra tokens",
            FileKind::Nfg,
            "NFG 1 R \"\" { \"a\" } { 1 }\n1 2",
            (2, 3),
            "expected the end of the file",
        ),
        (
            "undefined infoset",
            FileKind::Efg,
            "EFG 2 R \"\" { \"a\" }\np \"\" 1 7 0\n",
            (2, 8),
            "information set 7 of player 1 is used before it is defined",
        ),
        (
            "unclosed string",
            FileKind::Efg,
            "EFG 2 R \"\" { \"a\" }\nt \"oops 0\n",
            (2, 3),
            "never closed",
        ),
        (
            "wrong payoff count",
            FileKind::Efg,
            "EFG 2 R \"\" { \"a\" \"b\" }\nt \"\" 1 \"o\" { 1 }\n",
            (2, 16),
            "payoff of player 2",
        ),
        (
            "toml syntax",
            FileKind::BrinkToml,
            "players = [\"a\"]\nstrategies = [1]\npayoffs = [[1]\n",
            (3, 15),
            "",
        ),
        (
            "toml unknown key",
            FileKind::BrinkToml,
            "players = [\"a\"]\nstrategies = [1]\npayofs = [[1]]\n",
            (3, 1),
            "unknown key \"payofs\"",
        ),
        (
            "json wrong entry",
            FileKind::BrinkJson,
            "{\"players\": [\"a\", \"b\"],\n \"strategies\": [1, 1],\n \"payoffs\": [[1]]}",
            (3, 14),
            "payoffs entry 0 has 1 numbers",
        ),
        (
            "json child out of range",
            FileKind::BrinkJson,
            "{\"players\": [\"a\"], \"nodes\": [\n {\"player\": 1, \"actions\": [\"x\"], \"children\": [5]}]}",
            (2, 47),
            "child 5 does not exist",
        ),
    ];
    for (name, kind, text, (line, column), fragment) in cases {
        let e = read_game(*kind, text).unwrap_err();
        assert_eq!((e.line, e.column), (*line, *column), "{name}: {e}");
        assert!(e.message.contains(fragment), "{name}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("line {line}, column {column}: ")),
            "{name}: {e}"
        );
    }
}
