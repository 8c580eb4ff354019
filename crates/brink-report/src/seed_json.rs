//! 64-bit seeds in JSON as decimal strings: a number above 2^53 is silently
//! rounded by JavaScript and by R's jsonlite, and a rounded seed replays other runs.
//! Use with `#[serde(with = "brink_report::seed_json")]`; reading also accepts a
//! plain number (files written before).

use serde::{Deserialize, Deserializer, Serializer};

/// Writes the seed as a string, e.g. `"2021"`.
pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&seed.to_string())
}

/// Reads a seed written as a string or as a number.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seed {
        Text(String),
        Number(u64),
    }
    match Seed::deserialize(d)? {
        Seed::Number(n) => Ok(n),
        Seed::Text(t) => t.parse().map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct S {
        #[serde(with = "super")]
        seed: u64,
    }

    #[test]
    fn seeds_above_2_pow_53_survive_as_strings() {
        let s = S { seed: u64::MAX };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, r#"{"seed":"18446744073709551615"}"#);
        assert_eq!(serde_json::from_str::<S>(&j).unwrap(), s);
        assert_eq!(
            serde_json::from_str::<S>(r#"{"seed":7}"#).unwrap(),
            S { seed: 7 }
        );
        assert!(serde_json::from_str::<S>(r#"{"seed":"x"}"#).is_err());
    }
}
