//! Serialization of games: round trip and validation on the way in.

use brink_solve::NormalFormGame;

#[test]
fn json_round_trip() {
    let g = NormalFormGame::new(vec![2, 3], (0..12).map(f64::from).collect()).unwrap();
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(
        json,
        r#"{"num_strategies":[2,3],"payoffs":[0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0,11.0]}"#
    );
    let back: NormalFormGame<f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.stride(0), 3);
    assert_eq!(back.num_profiles(), 6);
}

#[test]
fn invalid_json_games_are_rejected() {
    let wrong_len = r#"{"num_strategies":[2,2],"payoffs":[1,2,3]}"#;
    let err = serde_json::from_str::<NormalFormGame<i64>>(wrong_len).unwrap_err();
    assert!(err.to_string().contains("expected 8"), "{err}");
    let no_players = r#"{"num_strategies":[],"payoffs":[]}"#;
    assert!(serde_json::from_str::<NormalFormGame<i64>>(no_players).is_err());
    let zero = r#"{"num_strategies":[2,0],"payoffs":[]}"#;
    assert!(serde_json::from_str::<NormalFormGame<i64>>(zero).is_err());
    let extra = r#"{"num_strategies":[1],"payoffs":[1],"strides":[1]}"#;
    assert!(serde_json::from_str::<NormalFormGame<i64>>(extra).is_err());
}
