//! Every scenario the seeded generators of `detente-testkit` make keeps the rules of a
//! scenario file: written out (TOML and JSON) it reads back without a problem, and equal.
//! (The generator once drew reservations above 1 for normalised utilities when asked for
//! `reservation_max` above 1, which `detente check` refuses.) With ranges, doubts and grades
//! asked for, the uncertainty reads back equal too.

use detente_core::{Spread, Uncertainty};
use detente_scenario::{Format, parse, to_json, to_toml};
use detente_testkit::{GenConfig, PlanConfig, random_plan, random_raw_scenario, random_scenario};

fn reads_back(what: &str, s: &detente_core::Scenario) {
    for (format, text) in [(Format::Toml, to_toml(s)), (Format::Json, to_json(s))] {
        match parse(what, text.as_bytes(), format) {
            Ok(back) => assert_eq!(&back, s, "{what} ({format:?}) read back differently"),
            Err(e) => panic!("{what} ({format:?}) breaks the file's rules:\n{e}\n{text}"),
        }
    }
}

#[test]
fn generated_scenarios_pass_check() {
    let mut configs = vec![];
    for (parties, issues, options) in [(1, 1, 1), (2, 3, 2), (3, 5, 4), (5, 4, 7)] {
        for reservation_max in [0.0, 0.6, 1.0, 2.5] {
            configs.push(GenConfig {
                reservation_max,
                red_line_chance: 0.5,
                scale_chance: 0.5,
                ..GenConfig::new(parties, issues, options)
            });
        }
        // Stated ranges, doubts on red lines, grades and overridden widths.
        configs.push(GenConfig {
            red_line_chance: 0.5,
            scale_chance: 0.5,
            range_chance: 0.4,
            doubt_chance: 0.5,
            grade_chance: 0.5,
            ..GenConfig::new(parties, issues, options)
        });
    }
    // How many scenarios had stated ranges (triangular, uniform), doubts, changed widths.
    let mut seen = [0; 4];
    for (c, cfg) in configs.iter().enumerate() {
        for seed in 0..15 {
            let s = random_scenario(seed, cfg);
            assert!(s.parties().iter().all(|p| (0.0..=1.0).contains(&p.reservation)));
            reads_back(&format!("random_scenario({seed}, configs[{c}])"), &s);
            let raw = random_raw_scenario(seed, cfg);
            reads_back(&format!("random_raw_scenario({seed}, configs[{c}])"), &raw);
            for s in [&s, &raw] {
                let u = s.uncertainty();
                let has = |uniform: bool| {
                    u.ranges.iter().any(|r| matches!(r.spread, Spread::Uniform { .. }) == uniform)
                };
                let widths = u.ungraded != Uncertainty::default().ungraded
                    || u.widths != Uncertainty::default().widths;
                for (n, yes) in
                    seen.iter_mut().zip([has(false), has(true), !u.doubts.is_empty(), widths])
                {
                    *n += usize::from(yes);
                }
            }
        }
    }
    assert!(seen.iter().all(|&n| n >= 10), "too little uncertainty generated: {seen:?}");
    for seed in 0..5 {
        let s = random_plan(seed, &PlanConfig::sample(seed));
        reads_back(&format!("random_plan({seed})"), &s);
    }
}
