//! Property tests of sessions and tournaments on seeded random scenarios (red lines, scale
//! issues, 2-3 parties): determinism by seed, replay, reservations, threads and shards.

use std::sync::Arc;

use detente_sim::{
    Deadline, Domain, DomainOptions, EntryKind, HILL_CLIMBING, Mechanism, PartText, Reply, SAO,
    SessionConfig, Shard, Shards, TournamentConfig, VETO, merge, names, negotiator, part_json,
    read_part, replay, run, scores, tournament, tournament_each,
};
use detente_testkit::{GenConfig, random_scenario};
use proptest::prelude::*;

fn domain(seed: u64, n_parties: usize, n_issues: usize, tabulate: bool) -> Domain {
    let s = random_scenario(seed, &GenConfig::new(n_parties, n_issues, 4));
    let options = DomainOptions {
        table_limit: if tabulate { 1_000_000 } else { 0 },
        ..DomainOptions::default()
    };
    Domain::with_options(Arc::new(s), &options).expect("domain")
}

fn mechanism(k: u8) -> &'static dyn Mechanism {
    [&SAO as &dyn Mechanism, &SAO, &HILL_CLIMBING, &VETO][k as usize % 4]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The same inputs and seed give the same result; the trace replays to it; no party
    /// gets an agreement below its reservation (or breaking its red lines) unless it
    /// accepted it or proposed it itself.
    #[test]
    fn sessions_are_deterministic_replayable_and_respect_reservations(
        scenario_seed in 0u64..10_000,
        n_parties in 2usize..=3,
        n_issues in 1usize..=4,
        tabulate in any::<bool>(),
        picks in prop::collection::vec(0usize..8, 3),
        mech in 0u8..4,
        n_steps in 0u32..120,
        seed in any::<u64>(),
    ) {
        let d = domain(scenario_seed, n_parties, n_issues, tabulate);
        let config = SessionConfig { mechanism: mechanism(mech), deadline: Deadline::steps(n_steps) };
        let make = || -> Vec<_> {
            picks[..n_parties].iter().map(|&j| negotiator(names()[j]).expect("known")).collect()
        };
        let r = run(&d, &config, &mut make(), seed).expect("runs");
        let again = run(&d, &config, &mut make(), seed).expect("runs");
        prop_assert_eq!(&r, &again);
        prop_assert_eq!(&replay(&d, &r.trace).expect("replays"), &r);
        if let Some(id) = r.agreement {
            let last = r.trace.entries.len() - 1;
            let entry = r.trace.entries[last];
            prop_assert_eq!(entry.outcome, Some(id));
            for p in 0..n_parties {
                let proposed = entry.kind == EntryKind::Offer && entry.proposer == Some(p as u32);
                let accepted = r.trace.replies_of(last)[p] == Reply::Accept;
                prop_assert!(proposed || accepted);
                // built-in negotiators accept only what is acceptable to them
                if !proposed {
                    prop_assert!(d.acceptable(p, id), "party {} accepted an unacceptable deal", p);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A tournament gives the same result on 1 thread and on several, and its shards merged
    /// in any order give exactly the result of one run.
    #[test]
    fn tournaments_do_not_depend_on_threads_or_shards(
        seeds in prop::collection::vec(0u64..10_000, 1..3),
        three in any::<bool>(),
        picks in prop::collection::vec(0usize..8, 2..4),
        n_shards in 1u32..5,
        reverse in any::<bool>(),
        rotate in 0usize..4,
        seed in any::<u64>(),
    ) {
        let domains: Vec<Arc<Domain>> = seeds
            .iter()
            .enumerate()
            .map(|(i, &s)| Arc::new(domain(s, if three && i == 0 { 3 } else { 2 }, 3, true)))
            .collect();
        let config = TournamentConfig {
            negotiators: picks.iter().map(|&j| names()[j].to_string()).collect(),
            session: SessionConfig::sao(40),
            repetitions: 2,
            seed,
            threads: 1,
            shard: Shard::ALL,
        };
        let one = tournament(&domains, &config, &|_| {}).expect("runs");
        prop_assert!(one.is_complete());
        let many = tournament(&domains, &TournamentConfig { threads: 4, ..config.clone() }, &|_| {})
            .expect("runs");
        prop_assert_eq!(&many, &one);
        let mut parts: Vec<_> = (0..n_shards)
            .map(|k| {
                let c = TournamentConfig {
                    shard: Shard { index: k, count: n_shards },
                    threads: 2,
                    ..config.clone()
                };
                tournament(&domains, &c, &|_| {}).expect("runs")
            })
            .collect();
        if reverse {
            parts.reverse();
        }
        let merged = merge(&parts).expect("merges");
        prop_assert_eq!(&merged, &one);
        // Scored as the sessions finish and written session by session on the worker
        // threads: the summary and the part's text of the records kept, whatever the
        // threads, for the whole and for each shard.
        for (c, want) in std::iter::once((config.clone(), &one)).chain(parts.iter().map(|p| {
            let shard = Shard { index: p.shards.held[0], count: p.shards.count };
            (TournamentConfig { shard, ..config.clone() }, p)
        })) {
            let pretty = serde_json::to_string_pretty(&part_json(want)).expect("writes");
            for threads in [1, 2, 3] {
                let c = TournamentConfig { threads, ..c.clone() };
                let mut text = PartText::new();
                let mut indices = vec![];
                let summary = tournament_each(&domains, &c, &|_| {}, &PartText::session, &mut |r, t| {
                    indices.push(r.index);
                    text.push(&t);
                })
                .expect("runs");
                prop_assert_eq!(&summary, &want.summary());
                prop_assert_eq!(&indices, &want.records.iter().map(|r| r.index).collect::<Vec<_>>());
                prop_assert_eq!(text.finish(&summary), pretty.clone());
            }
        }
        prop_assert_eq!(scores(&merged), scores(&one));
        // Through the part format: written, read back (every field checked) and merged in
        // any order, the shards give exactly the bytes of one run.
        let mut read: Vec<_> = parts
            .iter()
            .map(|p| read_part(&part_json(p).to_string()).expect("reads back"))
            .collect();
        prop_assert_eq!(&read, &parts);
        let k = rotate % read.len();
        read.rotate_left(k);
        let merged = merge(&read).expect("merges");
        prop_assert_eq!(part_json(&merged).to_string(), part_json(&one).to_string());
        // Leaving one shard out gives a partial result naming it.
        if n_shards > 1 {
            let some = merge(&read[1..]).expect("merges");
            prop_assert_eq!(some.shards.missing().len(), 1);
            prop_assert!(!some.is_complete());
        }
    }

    /// Whatever bytes a part holds, reading it gives a part or an error, never a panic; a
    /// part with one field changed is refused or still describes one consistent tournament.
    #[test]
    fn reading_a_damaged_part_never_panics(
        seed in 0u64..1_000,
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let d = vec![Arc::new(domain(seed, 2, 2, true))];
        let config = TournamentConfig {
            negotiators: vec!["boulware".into(), "random".into()],
            session: SessionConfig::sao(10),
            repetitions: 1,
            seed,
            threads: 1,
            shard: Shard { index: 0, count: 2 },
        };
        let text = part_json(&tournament(&d, &config, &|_| {}).expect("runs")).to_string();
        let mut bytes = text.clone().into_bytes();
        let i = flip.index(bytes.len());
        bytes[i] = byte;
        if let Ok(t) = std::str::from_utf8(&bytes)
            && let Ok(part) = read_part(t)
        {
            prop_assert_eq!(part.records.len(), part.shards.sessions_of(part.total_sessions));
        }
        let _ = read_part(&text[..cut.index(text.len())]);
    }
}

#[test]
fn merge_refuses_parts_of_different_tournaments() {
    let d = vec![Arc::new(domain(1, 2, 2, true))];
    let config = TournamentConfig {
        negotiators: vec!["boulware".into(), "linear".into()],
        session: SessionConfig::sao(20),
        repetitions: 1,
        seed: 1,
        threads: 1,
        shard: Shard { index: 0, count: 2 },
    };
    let a = tournament(&d, &config, &|_| {}).expect("runs");
    let b = tournament(
        &d,
        &TournamentConfig { seed: 2, shard: Shard { index: 1, count: 2 }, ..config.clone() },
        &|_| {},
    )
    .expect("runs");
    assert!(!a.is_complete());
    let e = merge(&[a.clone(), b]).unwrap_err();
    assert_eq!(
        e.message(),
        "part 2 and part 1 come from different tournaments (their seeds differ)"
    );
    // the other shard of the same tournament on a scenario of the same name and shape whose
    // description differs (here only in a word) is refused, by its fingerprint
    let edited = detente_core::Scenario::clone(d[0].scenario())
        .edit(|p| p.meta.description = Some("edited".into()));
    let edited = vec![Arc::new(Domain::new(Arc::new(edited.expect("valid"))).expect("domain"))];
    let c = tournament(
        &edited,
        &TournamentConfig { shard: Shard { index: 1, count: 2 }, ..config.clone() },
        &|_| {},
    )
    .expect("runs");
    assert_eq!(c.spec.scenarios[0].name, a.spec.scenarios[0].name);
    assert_ne!(c.spec.scenarios[0].fingerprint, a.spec.scenarios[0].fingerprint);
    let e = merge(&[a.clone(), c]).unwrap_err();
    assert_eq!(
        e.message(),
        "part 2 and part 1 come from different tournaments (their scenarios differ)"
    );
    // a shard given twice is refused, by name
    let e = merge(&[a.clone(), a.clone()]).unwrap_err();
    assert_eq!(e.message(), "shard 0/2 is given twice (part 1 and part 2)");
    // one shard alone merges into a partial result that names the missing one
    let alone = merge(std::slice::from_ref(&a)).expect("merges");
    assert_eq!(alone.shards, Shards { count: 2, held: vec![0] });
    assert_eq!(alone.shards.missing(), vec![1]);
    // shards of different splits do not merge
    let c = tournament(
        &d,
        &TournamentConfig { shard: Shard { index: 1, count: 3 }, ..config },
        &|_| {},
    )
    .expect("runs");
    let e = merge(&[a, c]).unwrap_err();
    assert_eq!(e.message(), "part 2 and part 1 split the tournament differently (3 and 2 shards)");
}

#[test]
fn progress_counts_every_session_of_the_shard() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let d = vec![Arc::new(domain(2, 2, 2, true))];
    let config = TournamentConfig {
        negotiators: vec!["boulware".into(), "conceder".into(), "nash".into()],
        session: SessionConfig::sao(20),
        repetitions: 3,
        seed: 5,
        threads: 2,
        shard: Shard::parse("1/4").expect("shard"),
    };
    let calls = AtomicUsize::new(0);
    let max_done = AtomicUsize::new(0);
    let r = tournament(&d, &config, &|p| {
        calls.fetch_add(1, Ordering::Relaxed);
        max_done.fetch_max(p.done, Ordering::Relaxed);
        assert_eq!(p.total, 7); // indices 1, 5, 9, ..., 25 of 27
    })
    .expect("runs");
    assert_eq!(r.total_sessions, 27);
    assert_eq!(r.records.len(), 7);
    assert!(r.records.iter().all(|s| s.index % 4 == 1));
    assert_eq!(calls.load(Ordering::Relaxed), 7);
    assert_eq!(max_done.load(Ordering::Relaxed), 7);
    let s = scores(&r);
    assert_eq!(s.overall.len(), 3);
    assert_eq!(s.overall.iter().map(|x| x.appearances).sum::<usize>(), 14);
    // one scenario: the common scale agrees with its own table; raw means stay per scenario
    for (all, one) in s.overall.iter().zip(&s.by_scenario[0]) {
        assert_eq!(all.mean_rescaled_utility, one.mean_rescaled_utility);
        assert_eq!((all.appearances, all.agreements), (one.appearances, one.agreements));
        assert_eq!((all.mean_utility, all.mean_welfare), (None, None));
        assert!(one.mean_utility.is_some());
    }
}

#[test]
fn tournaments_beyond_the_most_sessions_are_refused_before_any_work() {
    let d = vec![Arc::new(domain(3, 3, 2, true))];
    let config = TournamentConfig {
        negotiators: vec!["boulware".into(), "linear".into()],
        session: SessionConfig::sao(20),
        repetitions: 100_000_000,
        seed: 1,
        threads: 1,
        shard: Shard::ALL,
    };
    let e = tournament(&d, &config, &|_| panic!("no session runs")).unwrap_err();
    assert_eq!(e.kind(), detente_sim::ErrorKind::InvalidConfig);
    // 2^3 combinations x 12,501 repetitions is one step past the most allowed
    assert_eq!(8 * 12_500, detente_sim::MAX_SESSIONS);
    let just_over = TournamentConfig { repetitions: 12_501, ..config };
    assert!(tournament(&d, &just_over, &|_| panic!("no session runs")).is_err());
}

/// More sessions than the workers may run ahead of the first one not kept: they pause and
/// resume, every session is kept once and in order, and the scores are those of one thread.
#[test]
fn a_long_tournament_keeps_its_sessions_in_order_on_many_threads() {
    let d = vec![Arc::new(domain(7, 2, 2, true))];
    let config = TournamentConfig {
        negotiators: vec!["conceder".into(), "random".into(), "hardliner".into()],
        session: SessionConfig::sao(12),
        repetitions: 1_000,
        seed: 9,
        threads: 1,
        shard: Shard::ALL,
    };
    let one = tournament(&d, &config, &|_| {}).expect("runs");
    assert_eq!(one.records.len(), 9_000);
    for threads in [2, 8] {
        let c = TournamentConfig { threads, ..config.clone() };
        let mut kept = 0usize;
        let summary = tournament_each(&d, &c, &|_| {}, &|_, r| r.index, &mut |r, index| {
            assert_eq!((r.index, index), (kept, kept));
            assert_eq!(r, one.records[kept]);
            kept += 1;
        })
        .expect("runs");
        assert_eq!(kept, 9_000);
        assert_eq!(summary, one.summary());
    }
}
