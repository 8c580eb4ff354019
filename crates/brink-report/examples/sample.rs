//! Writes the report of a made-up batch, to look at the outputs without running a
//! simulation: `cargo run -p brink-report --example sample -- OUT_DIR [RUNS]`.
//!
//! The runs come from a fixed linear congruential generator, so the output is the
//! same every time.

use brink_core::{EquilibriumClass, RunResult};
use brink_mc::BatchAggregate;
use brink_report::{Summary, SummaryMeta, render, write_outputs};

const ACTIONS: [[&str; 3]; 3] = [
    ["sanction", "negotiate", "mobilise"],
    ["covert", "concede", "escalate"],
    ["stall", "mediate", "intervene"],
];

fn label(class: EquilibriumClass) -> String {
    match class {
        EquilibriumClass::PureNash { profile } => {
            let p = profile as usize;
            format!(
                "({}, {}, {})",
                ACTIONS[0][p / 9 % 3],
                ACTIONS[1][p / 3 % 3],
                ACTIONS[2][p % 3]
            )
        }
        EquilibriumClass::MixedNash { .. } => "mixed".to_owned(),
        EquilibriumClass::NotAnEquilibrium => "not an equilibrium".to_owned(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-report".to_owned());
    let runs: u64 = std::env::args().nth(2).map_or(Ok(10_000), |s| s.parse())?;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut agg = BatchAggregate::new(5, 3, &[Some((0.0, 1.0)), None, Some((0.0, 100.0))]);
    for _ in 0..runs {
        let u = next();
        let outcome = [0.372, 0.61, 0.83, 0.995, 1.0]
            .iter()
            .position(|&c| u < c)
            .unwrap_or(4);
        let v = next();
        let equilibrium = if v < 0.18 {
            EquilibriumClass::NotAnEquilibrium
        } else {
            // Skewed towards low profile indices: a long tail of rare classes.
            EquilibriumClass::PureNash {
                profile: {
                    let x = (v - 0.18) / 0.82;
                    (x * x * x).mul_add(27.0, 0.0) as u64
                },
            }
        };
        let t = next();
        agg.record(&RunResult {
            outcome,
            equilibrium,
            rounds: 5 + (next() * 20.0) as u32,
            final_state: vec![t * t, 1.0e9 * (1.0 + next()), 100.0 * next()],
            payoffs: vec![10.0 * next() - 3.0, 2.0 * next(), -5.0 * next()],
            play: Vec::new(),
            ..Default::default()
        });
    }
    let meta = SummaryMeta {
        brink_version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario: "strait crisis".to_owned(),
        scenario_path: "scenarios/strait_crisis.toml".to_owned(),
        seed: 20_240_917,
        runs,
        parameters: vec![("resolve".to_owned(), 0.7), ("war_cost".to_owned(), 12.5)],
        set: vec![("resolve".to_owned(), 0.7)],
        agents: vec![
            "Atlantis".to_owned(),
            "Borduria".to_owned(),
            "Concordia".to_owned(),
        ],
        state_variables: vec![
            "tension".to_owned(),
            "trade_volume".to_owned(),
            "readiness".to_owned(),
        ],
        outcomes: vec![
            "negotiated settlement".to_owned(),
            "frozen conflict".to_owned(),
            "limited war".to_owned(),
            "capitulation, with sanctions".to_owned(),
            "nuclear exchange".to_owned(),
        ],
    };
    let summary = Summary::new(&meta, &agg, label)?;
    print!("{}", render::table(&summary));
    let histograms: Vec<_> = agg
        .final_state
        .iter()
        .map(|v| v.histogram.as_ref())
        .collect();
    for path in write_outputs(std::path::Path::new(&dir), &summary, &histograms)? {
        println!("wrote {}", path.display());
    }
    Ok(())
}
