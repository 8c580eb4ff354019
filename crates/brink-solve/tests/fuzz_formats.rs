//! Fuzz-style tests of the game-file readers: random bytes, random token
//! soups, every truncation and many single-byte mutations of every committed
//! game file. No reader may panic, and whatever a reader accepts must survive
//! a write/read round trip unchanged.

use std::path::Path;

use brink_solve::formats::brink::{self, Syntax};
use brink_solve::formats::efg::{read_efg, write_efg};
use brink_solve::formats::nfg::{NfgVersion, read_nfg, write_nfg};
use brink_solve::formats::{FileKind, FormatError, GameFile, read_game};
use proptest::prelude::*;

const KINDS: [FileKind; 4] = [
    FileKind::Nfg,
    FileKind::Efg,
    FileKind::BrinkToml,
    FileKind::BrinkJson,
];

/// Reads `text` as `kind`; if accepted, checks the result round-trips through
/// the matching writer. Panics (failing the test) on any reader panic or
/// round-trip mismatch.
fn check(kind: FileKind, text: &str) -> Result<GameFile, FormatError> {
    let result = read_game(kind, text);
    match &result {
        Ok(game) => {
            let (written, back) = match (kind, game) {
                (FileKind::Nfg, GameFile::Strategic(g)) => {
                    let t = write_nfg(g, NfgVersion::Payoff);
                    let back = read_nfg(&t).map(GameFile::Strategic);
                    (t, back)
                }
                (FileKind::Efg, GameFile::Extensive(g)) => {
                    let t = write_efg(g);
                    let back = read_efg(&t).map(GameFile::Extensive);
                    (t, back)
                }
                (FileKind::BrinkToml, g) => {
                    let t = brink::write_game(g, Syntax::Toml);
                    let back = brink::read_toml(&t);
                    (t, back)
                }
                (FileKind::BrinkJson, g) => {
                    let t = brink::write_game(g, Syntax::Json);
                    let back = brink::read_json(&t);
                    (t, back)
                }
                _ => panic!("reader returned the wrong kind of game for {kind:?}"),
            };
            let back = back.unwrap_or_else(|e| panic!("rewritten file rejected: {e}\n{written}"));
            if matches!(kind, FileKind::Nfg | FileKind::Efg) {
                assert_eq!(&back, game, "round trip changed the game\n{written}");
            } else {
                // Unlabelled shared outcomes are split by the brink format;
                // the rewritten text must be a fixed point.
                assert_eq!(brink::write_game(&back, syntax_of(kind)), written);
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1, "{e}");
            assert!(!e.message.is_empty());
            let shown = e.to_string();
            assert!(shown.starts_with("line "), "{shown}");
        }
    }
    result
}

fn syntax_of(kind: FileKind) -> Syntax {
    if kind == FileKind::BrinkJson {
        Syntax::Json
    } else {
        Syntax::Toml
    }
}

fn committed_files() -> Vec<(FileKind, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/games");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let Some(kind) = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(FileKind::from_extension)
        else {
            continue;
        };
        out.push((kind, std::fs::read_to_string(&path).unwrap()));
    }
    assert!(out.len() >= 8);
    out
}

#[test]
fn committed_files_are_accepted() {
    for (kind, text) in committed_files() {
        check(kind, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
}

#[test]
fn every_truncation_is_handled() {
    for (kind, text) in committed_files() {
        let mut cut = 0;
        let mut rejected = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                for k in KINDS {
                    let r = check(k, &text[..cut]);
                    if k == kind && r.is_err() {
                        rejected += 1;
                    }
                }
            }
            cut += 1;
        }
        // Most prefixes of a valid file are incomplete and must be rejected.
        assert!(
            rejected * 2 > text.len(),
            "{kind:?}: only {rejected} prefixes rejected"
        );
    }
}

#[test]
fn single_byte_mutations_are_handled() {
    const REPLACEMENTS: &[u8] = b"{}\",0-/.\\ \nx9e";
    for (kind, text) in committed_files() {
        let bytes = text.as_bytes();
        // Every position of small files; a stride through the larger ones.
        let stride = (bytes.len() / 600).max(1);
        for i in (0..bytes.len()).step_by(stride) {
            for &r in REPLACEMENTS {
                let mut m = bytes.to_vec();
                m[i] = r;
                let s = String::from_utf8_lossy(&m);
                check(kind, &s).ok();
                // Deletion and duplication too.
                let mut d = bytes.to_vec();
                d.remove(i);
                check(kind, &String::from_utf8_lossy(&d)).ok();
            }
            let mut dup = bytes.to_vec();
            dup.insert(i, bytes[i]);
            check(kind, &String::from_utf8_lossy(&dup)).ok();
        }
    }
}

#[test]
fn hostile_inputs_are_rejected_quickly() {
    let cases = [
        // Enormous counts that the file cannot hold.
        "NFG 1 R \"\" { \"a\" \"b\" } { 100000000 100000000 }\n1",
        "NFG 1 R \"\" { \"a\" } { 18446744073709551616 }\n1",
        // Enormous exponents and numbers.
        "NFG 1 R \"\" { \"a\" } { 1 }\n1e999999999",
        "EFG 2 R \"\" { \"a\" }\nt \"\" 1 \"\" { 1e-99999999 }",
        "EFG 2 R \"\" { \"a\" }\nt \"\" 99999999999999999999999 \"\" { 1 }",
        "EFG 2 R \"\" { \"a\" }\np \"\" 1 1 \"\" { \"x\" } 0\n",
    ];
    for text in cases {
        for k in KINDS {
            assert!(check(k, text).is_err(), "{k:?} accepted {text}");
        }
    }
    // A very deep (linear) tree is fine: readers and algorithms are iterative.
    let mut deep = String::from("EFG 2 R \"\" { \"a\" }\n");
    for _ in 0..20_000 {
        deep.push_str("p \"\" 1 1 \"\" { \"go\" } 0\n");
    }
    deep.push_str("t \"\" 1 \"end\" { 1 }\n");
    // Information set 1 at every node of one path: absent-minded, but valid.
    let g = match check(FileKind::Efg, &deep).unwrap() {
        GameFile::Extensive(g) => g,
        GameFile::Strategic(_) => unreachable!(),
    };
    assert_eq!(g.nodes().len(), 20_001);
    assert!(!g.has_perfect_recall());
    let mut brink_deep = String::from("players = [\"a\"]\n");
    for i in 0..5_000 {
        brink_deep.push_str(&format!(
            "[[nodes]]\nplayer = 1\nactions = [\"go\"]\nchildren = [{}]\n",
            i + 1
        ));
    }
    brink_deep.push_str("[[nodes]]\npayoffs = [1]\n");
    assert!(check(FileKind::BrinkToml, &brink_deep).is_ok());
}

/// Words that appear in game files, for token soups.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("NFG".to_string()),
        Just("EFG".to_string()),
        Just("1".to_string()),
        Just("2".to_string()),
        Just("R".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just("\"\"".to_string()),
        Just("\"a\"".to_string()),
        Just("c".to_string()),
        Just("p".to_string()),
        Just("t".to_string()),
        Just("0".to_string()),
        Just("1/2".to_string()),
        Just("-3".to_string()),
        Just("0.25".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("=".to_string()),
        Just("players".to_string()),
        Just("strategies".to_string()),
        Just("payoffs".to_string()),
        Just("nodes".to_string()),
        Just("[[nodes]]".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        "[a-z0-9./\"-]{1,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        for k in KINDS {
            let _ = check(k, &text);
        }
    }

    #[test]
    fn token_soups_never_panic(tokens in proptest::collection::vec(token(), 0..60)) {
        let text = tokens.join(" ");
        for k in KINDS {
            let _ = check(k, &text);
        }
    }

    /// Soups that start like a real file get deeper into the parsers.
    #[test]
    fn prefixed_token_soups_never_panic(
        prefix in 0usize..4,
        tokens in proptest::collection::vec(token(), 0..60),
    ) {
        let head = [
            "NFG 1 R \"g\" { \"a\" \"b\" } ",
            "EFG 2 R \"g\" { \"a\" \"b\" } ",
            "players = [\"a\", \"b\"]\n",
            "{\"players\": [\"a\", \"b\"], ",
        ][prefix];
        let text = format!("{head}{}", tokens.join(" "));
        for k in KINDS {
            let _ = check(k, &text);
        }
    }
}
