//! SAO sessions per second on domains shaped like NegMAS's benchmark (NegMAS 0.16 on 2
//! cores: 3-64 sessions/s, 64-4,156 rounds/s for Boulware/Conceder/Linear/Aspiration/
//! TitForTat pairs at 100-1000 steps on Car-A and random_2p_1e4):
//!
//! - `car`: a raw-utility 2-party domain built in code resembling GENIUS's Car-A domain
//!   (4 issues of 5, 6, 8 and 6 values, 1,440 outcomes, opposed raw evaluations, weights
//!   summing to 1, reservation 0);
//! - `rand1e4`: a random 2-party domain of 4 issues x 10 values (10,000 outcomes).
//!
//! `tournament` runs a whole tournament on all cores (200 sessions); its throughput is
//! sessions per second.
//!
//! Each `sao` benchmark runs one session; criterion reports time per session. The rounds per
//! session (SAO steps) are printed once per case so that rounds/s can be derived
//! (`rounds / time`). Run with `cargo bench -p detente-sim --bench sao`.

// criterion_group! defines an undocumented public function; benches print their rounds.
#![allow(missing_docs, clippy::print_stdout)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detente_core::Rng;
use detente_core::{Issue, Meta, Party, Role, Scenario, Stance, UtilityForm};
use detente_sim::{Domain, SessionConfig, Shard, TournamentConfig, negotiator, run, tournament};
use detente_testkit::{PlanConfig, random_plan};

/// A Car-A-like raw domain: 4 issues, opposed evaluations on a 1-10 scale scaled to
/// `[0, 1]` as GENIUS does for evaluations divided by the issue's maximum.
fn car() -> Scenario {
    let sizes = [5usize, 6, 8, 6];
    let mut rng = Rng::new(11);
    let issues: Vec<Issue> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let opts: Vec<String> = (0..n).map(|k| format!("v{k}")).collect();
            let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
            Issue::discrete(&format!("issue{i}"), &format!("Issue {i}"), &opts)
        })
        .collect();
    let weights = [[0.3, 0.2, 0.35, 0.15], [0.25, 0.25, 0.2, 0.3]];
    let stances = (0..2)
        .map(|p| {
            sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let values = (0..n)
                        .map(|k| {
                            let x = k as f64 / (n - 1) as f64;
                            let base = if p == 0 { x } else { 1.0 - x };
                            ((base * 9.0 + 1.0 + rng.unit()).round() / 10.0).min(1.0)
                        })
                        .collect();
                    Some(Stance::values(weights[p][i], values))
                })
                .collect()
        })
        .collect();
    let mut meta = Meta::named("car-a-like");
    meta.utility = UtilityForm::Raw;
    let parties = vec![
        Party::new("buyer", "Buyer", Role::Principal, 1.0, 0.0),
        Party::new("seller", "Seller", Role::Principal, 1.0, 0.0),
    ];
    Scenario::new(meta, parties, issues, stances, vec![], vec![]).expect("valid")
}

fn bench(c: &mut Criterion) {
    let domains = [
        ("car", Arc::new(Domain::new(Arc::new(car())).expect("domain"))),
        (
            "rand1e4",
            Arc::new(
                Domain::new(Arc::new(random_plan(
                    3,
                    &PlanConfig { n_parties: 2, n_issues: 4, min_options: 10, max_options: 10 },
                )))
                .expect("domain"),
            ),
        ),
    ];
    let pairs = [
        ("boulware", "conceder"),
        ("boulware", "linear"),
        ("conceder", "linear"),
        ("aspiration", "boulware"),
        ("tit-for-tat", "conceder"),
        ("boulware", "boulware"),
    ];
    let mut group = c.benchmark_group("sao");
    for (dname, domain) in &domains {
        let _ = domain.reference(); // the frontier, computed once per domain
        for n_steps in [100u32, 1000] {
            let config = SessionConfig::sao(n_steps);
            for (a, b) in pairs {
                let mut negs = vec![negotiator(a).expect("a"), negotiator(b).expect("b")];
                let r = run(domain, &config, &mut negs, 1).expect("run");
                println!(
                    "sao/{dname}/{n_steps}/{a}-{b}: {} rounds, {} offers, {}",
                    r.steps,
                    r.n_offers,
                    r.termination.kind()
                );
                group.throughput(Throughput::Elements(r.steps as u64));
                group.bench_function(format!("{dname}/{n_steps}/{a}-{b}"), |bch| {
                    bch.iter(|| {
                        let mut negs = vec![negotiator(a).expect("a"), negotiator(b).expect("b")];
                        run(black_box(domain), &config, &mut negs, 1).expect("run")
                    })
                });
            }
        }
    }
    group.finish();

    // A whole tournament on all cores: 5 negotiators, both domains, 25 ordered pairs each,
    // 4 repetitions, 100 steps: 200 sessions per iteration.
    let names: Vec<String> = ["boulware", "conceder", "linear", "aspiration", "tit-for-tat"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let all: Vec<Arc<Domain>> = domains.iter().map(|(_, d)| d.clone()).collect();
    let config = TournamentConfig {
        negotiators: names,
        session: SessionConfig::sao(100),
        repetitions: 4,
        seed: 1,
        threads: 0,
        shard: Shard::ALL,
    };
    let r = tournament(&all, &config, &|_| {}).expect("tournament");
    let rounds: u64 = r.records.iter().map(|s| s.steps as u64).sum();
    println!("tournament: {} sessions, {rounds} rounds", r.records.len());
    let mut group = c.benchmark_group("tournament");
    group.sample_size(10);
    group.throughput(Throughput::Elements(r.records.len() as u64));
    group.bench_function("5x5/2-domains/4-reps/100-steps", |b| {
        b.iter(|| tournament(black_box(&all), &config, &|_| {}).expect("tournament"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
