//! The room's test suite, run against both backends: SQLite (a fresh file per test) and
//! PostgreSQL (the URL in `DETENTE_TEST_POSTGRES`; without it the PostgreSQL half skips
//! with a message, unless `DETENTE_REQUIRE_POSTGRES=1`, as CI sets, where it fails).

use std::sync::atomic::{AtomicUsize, Ordering};

use detente_analysis::{
    DeadlockOptions, FrontierOptions, MediateOptions, bargaining_scenario, counted_parties,
    deadlock, evaluate, frontier, mediate,
};
use detente_core::{IssueKind, Preference, RedLineKind, Rng, Scenario};
use detente_room::*;

const NOW: i64 = 1_764_000_000;
const HOUR: i64 = 3600;

static N: AtomicUsize = AtomicUsize::new(0);

/// The scratch folder of one test's SQLite files (removed when the test passes).
fn scratch(test: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("detente-room-test-{}-{test}", std::process::id()))
}

/// A store in a fresh SQLite file under `parent`.
fn sqlite_in(parent: &std::path::Path) -> Rooms {
    let dir = parent.join(N.fetch_add(1, Ordering::SeqCst).to_string());
    std::fs::create_dir_all(&dir).unwrap();
    Rooms::sqlite(&dir).unwrap().with_hash_cost(HashCost::Fast)
}

fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("DETENTE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("DETENTE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DETENTE_REQUIRE_POSTGRES=1 but DETENTE_TEST_POSTGRES is not set"
            );
            eprintln!(
                "SKIPPED {test} on PostgreSQL: DETENTE_TEST_POSTGRES is not set (a postgres:// \
                 URL of a throwaway database; .ci/run starts one)"
            );
            None
        }
    }
}

fn postgres(test: &str) -> Option<Rooms> {
    postgres_url(test).map(|url| Rooms::postgres(&url).unwrap().with_hash_cost(HashCost::Fast))
}

/// Each test twice: `NAME::sqlite` and `NAME::postgres`.
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                let parent = super::scratch(stringify!($name));
                let _ = std::fs::remove_dir_all(&parent);
                super::$name(&|| super::sqlite_in(&parent), "sqlite");
                std::fs::remove_dir_all(&parent).unwrap();
            }
            #[test]
            fn postgres() {
                if super::postgres_url(stringify!($name)).is_some() {
                    super::$name(&|| super::postgres("").unwrap(), "postgres");
                }
            }
        }
    )*};
}

both!(
    every_operation_by_every_role,
    tokens_open_only_their_own_room_and_party,
    serialised_views_hold_no_other_partys_numbers,
    mediator_view_is_the_analysis_of_the_full_scenario,
    blind_bidding_reveals_only_a_crossing,
    sessions_expire,
    audit_trail_is_append_only,
    bad_input_is_refused_and_changes_nothing,
    reissuing_a_token_ends_the_old_one_and_erases_only_a_claimed_partys_inputs,
    the_mediators_drafts_are_budgeted,
    expired_sessions_end_at_any_request_of_their_room,
    an_invitation_is_claimed_once_and_then_signs_in_no_more,
    a_weak_secret_is_refused_and_changes_nothing,
    unclaimed_sessions_read_the_drafts_and_nothing_a_party_entered,
    a_mediator_that_claims_an_invitation_first_is_found_out,
    failed_sign_ins_and_claims_are_limited,
);

fn shipped(name: &str) -> Scenario {
    detente_scenario::shipped::load(name).unwrap().unwrap()
}

/// A room of `scenario` with the mediator signed in and every party signed in by claiming
/// its invitation with its own secret ([`secret_of`]).
struct Fixture {
    created: Created,
    mediator: Session,
    parties: Vec<(String, Session)>,
}

/// The secret a party of the tests chooses when it claims its invitation.
fn secret_of(party: &str) -> String {
    format!("the secret of {party}, chosen by it")
}

fn fixture(rooms: &mut Rooms, scenario: &Scenario) -> Fixture {
    let created = rooms.create(scenario, NOW).unwrap();
    let room = created.room.as_str().to_string();
    let (_, mediator) =
        rooms.sign_in(&room, "mediator", created.mediator.expose(), NOW, HOUR).unwrap();
    let parties = created
        .invitations
        .iter()
        .map(|(id, t)| {
            let (_, s) = rooms.claim(&room, id, t.expose(), &secret_of(id), HOUR, NOW).unwrap();
            assert_eq!(s.credential(), Credential::Own);
            (id.clone(), s)
        })
        .collect();
    Fixture { created, mediator, parties }
}

fn kind<T: std::fmt::Debug>(r: Result<T, Error>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

#[test]
fn the_access_table_is_as_documented() {
    // An oracle written apart from `decide`: every (role, credential, resource, action)
    // allowed, listed.
    let roles =
        [Role::Mediator, Role::Party("a".into()), Role::Party("b".into()), Role::Party("c".into())];
    let parties = ["a", "b", "c"];
    let mut resources = vec![Resource::Skeleton, Resource::MediatorView, Resource::Audit];
    for p in parties {
        resources.push(Resource::Inputs(p.into()));
        resources.push(Resource::Verdicts(p.into()));
        resources.push(Resource::Offers(p.into()));
    }
    resources.push(Resource::Bidding { low: "a".into(), high: "b".into() });
    for r in &roles {
        resources.push(Resource::Invitation(r.clone()));
    }
    let allowed = |role: &Role, cred: Credential, res: &Resource, act: Action| -> bool {
        let me = match role {
            Role::Party(p) => Some(p.as_str()),
            Role::Mediator => None,
        };
        // An unclaimed invitation reads the drafts, nothing else.
        if cred == Credential::Invitation {
            return *res == Resource::Skeleton && act == Action::Read;
        }
        match res {
            Resource::Skeleton => act == Action::Read || me.is_none(),
            Resource::MediatorView | Resource::Audit => act == Action::Read && me.is_none(),
            Resource::Inputs(p) | Resource::Offers(p) => me == Some(p.as_str()),
            Resource::Verdicts(p) => act == Action::Read && me == Some(p.as_str()),
            Resource::Bidding { .. } => match act {
                Action::Write => me.is_none(),
                Action::Read => me != Some("c"),
            },
            Resource::Invitation(_) => act == Action::Write && me.is_none(),
        }
    };
    let mut n = 0;
    for role in &roles {
        for cred in [Credential::Own, Credential::Invitation] {
            for res in &resources {
                for act in [Action::Read, Action::Write] {
                    assert_eq!(
                        decide(role, cred, res, act),
                        allowed(role, cred, res, act),
                        "{role:?} {cred:?} {res:?} {act:?}"
                    );
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 4 * 2 * 17 * 2);
}

fn every_operation_by_every_role(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let tutorial = shipped("tutorial");
    let f = fixture(&mut rooms, &tutorial);
    // Each party enters the analyst's numbers.
    for (p, (id, s)) in f.parties.iter().enumerate() {
        let skeleton = rooms.skeleton(s).unwrap();
        let body = PartyInputs::of(&tutorial, p).to_json(&skeleton).to_string();
        rooms.set_my_inputs(s, body.as_bytes(), NOW).unwrap();
        assert_eq!(rooms.my_inputs(s).unwrap(), Some(PartyInputs::of(&tutorial, p)), "{id}");
    }
    let bidding = rooms.open_bidding(&f.mediator, "share", "upland", "lowland", NOW).unwrap();
    let m = &f.mediator;
    use ErrorKind::Forbidden;
    // The mediator: no inputs, no offers, no party view.
    assert_eq!(kind(rooms.my_inputs(m)), Some(Forbidden));
    assert_eq!(kind(rooms.set_my_inputs(m, b"{}", NOW)), Some(Forbidden));
    assert_eq!(kind(rooms.party_view(m)), Some(Forbidden));
    assert_eq!(kind(rooms.offer(m, bidding, 50.0, NOW)), Some(Forbidden));
    assert!(rooms.skeleton(m).is_ok());
    assert!(rooms.mediator_view(m, &ViewOptions::default()).is_ok());
    assert!(rooms.audit(m).is_ok());
    assert!(rooms.bidding(m, bidding).is_ok());
    assert!(
        rooms.add_draft(m, "m-1", "The mediator's text", &[("dam", "joint-board")], NOW).is_ok()
    );
    for (id, s) in &f.parties {
        let side = id == "upland" || id == "lowland";
        assert!(rooms.skeleton(s).is_ok());
        assert_eq!(rooms.party_view(s).unwrap().party, *id);
        assert_eq!(kind(rooms.mediator_view(s, &ViewOptions::default())), Some(Forbidden), "{id}");
        assert_eq!(kind(rooms.audit(s)), Some(Forbidden), "{id}");
        assert_eq!(kind(rooms.add_draft(s, "x", "x", &[], NOW)), Some(Forbidden), "{id}");
        assert_eq!(
            kind(rooms.open_bidding(s, "share", "upland", "lowland", NOW)),
            Some(Forbidden),
            "{id}"
        );
        assert_eq!(kind(rooms.bidding(s, bidding)), (!side).then_some(Forbidden), "{id}");
        let value = if id == "upland" { 30.0 } else { 70.0 };
        assert_eq!(kind(rooms.offer(s, bidding, value, NOW)), (!side).then_some(Forbidden), "{id}");
    }
    // A refused operation leaves no trace but the refusal: the trail has only what was done.
    let trail = rooms.audit(m).unwrap();
    assert_eq!(trail.iter().filter(|e| e.what == "made a sealed offer in bidding 1").count(), 2);
    assert_eq!(trail.iter().filter(|e| e.what.starts_with("added draft")).count(), 1);
}

fn tokens_open_only_their_own_room_and_party(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let tutorial = shipped("tutorial");
    let one = rooms.create(&tutorial, NOW).unwrap();
    let two = rooms.create(&tutorial, NOW).unwrap();
    assert_ne!(one.room, two.room);
    let up1 = one.invitations[0].1.expose();
    // Room one's token does not open room two, as the same party or the mediator.
    assert_eq!(
        kind(rooms.sign_in(two.room.as_str(), "upland", up1, NOW, HOUR)),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(
        kind(rooms.sign_in(two.room.as_str(), "mediator", one.mediator.expose(), NOW, HOUR)),
        Some(ErrorKind::NotFound)
    );
    // Upland's invitation does not sign in as Lowland or as the mediator.
    assert_eq!(
        kind(rooms.sign_in(one.room.as_str(), "lowland", up1, NOW, HOUR)),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(
        kind(rooms.sign_in(one.room.as_str(), "mediator", up1, NOW, HOUR)),
        Some(ErrorKind::NotFound)
    );
    // The right one does, and its session is of room one only.
    let (token, s) = rooms.sign_in(one.room.as_str(), "upland", up1, NOW, HOUR).unwrap();
    assert_eq!(s.room(), &one.room);
    assert_eq!(rooms.session(token.expose(), NOW).unwrap(), s);
    // The store keeps no token: only argon2 hashes and session digests.
    assert!(rooms.party_view(&s).unwrap().inputs.is_none());
}

/// Inputs for every party with numbers no other party has: values, weights, ideals,
/// tolerances, bounds and reservations drawn at full precision, reasons tagged by party.
fn distinctive(s: &Scenario, seed: u64) -> Vec<PartyInputs> {
    let mut rng = Rng::new(seed);
    (0..s.parties().len())
        .map(|p| {
            let mut inputs = PartyInputs::of(s, p);
            inputs.reservation = 0.05 + 0.2 * rng.unit();
            for (i, st) in inputs.stances.iter_mut().enumerate() {
                let Some(st) = st else { continue };
                st.weight = 1.0 + 5.0 * rng.unit();
                let issue = &s.issues()[i];
                match (&mut st.preference, &issue.kind) {
                    (Preference::Values(vs), _) => vs.iter_mut().for_each(|v| *v = rng.unit()),
                    (Preference::Ideal { ideal, tolerance }, IssueKind::Scale { min, max, .. }) => {
                        *ideal = min + (max - min) * rng.unit();
                        *tolerance = (max - min) * (0.2 + rng.unit());
                    }
                    _ => {}
                }
                for r in &mut st.red_lines {
                    if let RedLineKind::Bounds { min, max } = &mut r.kind {
                        let IssueKind::Scale { min: lo, max: hi, .. } = issue.kind else {
                            continue;
                        };
                        *min = min.map(|_| lo + (hi - lo) * 0.3 * rng.unit());
                        *max = max.map(|_| hi - (hi - lo) * 0.3 * rng.unit());
                    }
                    r.reason = Some(format!("secret reason of {}", s.parties()[p].id));
                }
            }
            inputs
        })
        .collect()
}

/// Every number of a party's inputs as JSON writes it, and its reasons.
fn fingerprints(inputs: &PartyInputs) -> Vec<String> {
    let mut out = vec![serde_json::json!(inputs.reservation).to_string()];
    for st in inputs.stances.iter().flatten() {
        out.push(serde_json::json!(st.weight).to_string());
        match &st.preference {
            Preference::Values(vs) => {
                out.extend(vs.iter().map(|v| serde_json::json!(v).to_string()))
            }
            Preference::Ideal { ideal, tolerance } => {
                out.push(serde_json::json!(ideal).to_string());
                out.push(serde_json::json!(tolerance).to_string());
            }
        }
        for r in &st.red_lines {
            if let RedLineKind::Bounds { min, max } = r.kind {
                out.extend(min.iter().chain(max.iter()).map(|x| serde_json::json!(x).to_string()));
            }
            out.extend(r.reason.clone());
        }
    }
    // Whole numbers (0, 1) are everywhere; only the distinctive ones say whose they are.
    out.retain(|x| x.len() > 6);
    out
}

fn serialised_views_hold_no_other_partys_numbers(open: &dyn Fn() -> Rooms, _: &str) {
    for name in ["tutorial", "ukraine-2025"] {
        let mut rooms = open();
        let s = shipped(name);
        let f = fixture(&mut rooms, &s);
        let skeleton = rooms.skeleton(&f.mediator).unwrap();
        let inputs = distinctive(&s, 17);
        for ((_, session), inp) in f.parties.iter().zip(&inputs) {
            rooms
                .set_my_inputs(session, inp.to_json(&skeleton).to_string().as_bytes(), NOW)
                .unwrap();
        }
        let all: Vec<Vec<String>> = inputs.iter().map(fingerprints).collect();
        assert!(all.iter().all(|f| f.len() > 3), "{name}: distinctive numbers drawn");
        for (p, (id, session)) in f.parties.iter().enumerate() {
            let view = rooms.party_view(session).unwrap();
            let text = view.to_json(&skeleton).to_string();
            // Its own numbers are there (the view is not empty) ...
            assert!(all[p].iter().any(|x| text.contains(x.as_str())), "{name}: {id} sees its own");
            // ... and no other party's.
            for (q, theirs) in all.iter().enumerate().filter(|(q, _)| *q != p) {
                for x in theirs {
                    assert!(
                        !text.contains(x.as_str()),
                        "{name}: {id}'s view holds {x} of party {q}"
                    );
                }
            }
            let own = rooms.my_inputs(session).unwrap().unwrap().to_json(&skeleton).to_string();
            for x in all.iter().enumerate().filter(|(q, _)| *q != p).flat_map(|(_, t)| t) {
                assert!(!own.contains(x.as_str()));
            }
        }
        let options = ViewOptions { mediate_budget: 5_000_000, ..ViewOptions::default() };
        let text = rooms.mediator_view(&f.mediator, &options).unwrap().to_json().to_string();
        for x in all.iter().flatten() {
            assert!(!text.contains(x.as_str()), "{name}: the mediator's view holds {x}");
        }
        let trail: String =
            rooms.audit(&f.mediator).unwrap().iter().map(|e| e.what.clone()).collect();
        for x in all.iter().flatten() {
            assert!(!trail.contains(x.as_str()), "{name}: the audit trail holds {x}");
        }
    }
}

fn mediator_view_is_the_analysis_of_the_full_scenario(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let skeleton = rooms.skeleton(&f.mediator).unwrap();
    // Before anyone enters: waiting, no verdicts.
    let v = rooms.mediator_view(&f.mediator, &ViewOptions::default()).unwrap();
    assert_eq!(v.deal, Deal::Waiting);
    assert!(v.drafts.iter().all(|d| d.parties.iter().all(|p| p.verdict.is_none())));
    for (p, (_, session)) in f.parties.iter().enumerate() {
        let body = PartyInputs::of(&s, p).to_json(&skeleton).to_string();
        rooms.set_my_inputs(session, body.as_bytes(), NOW).unwrap();
    }
    let options = ViewOptions::default();
    let v = rooms.mediator_view(&f.mediator, &options).unwrap();
    assert!(v.waiting.is_empty());
    // The oracle: the analysis crate on the analyst's own file, as `detente` runs it.
    for (d, dv) in v.drafts.iter().enumerate() {
        let e = evaluate(&s, d).unwrap();
        assert_eq!(dv.draft, s.proposals()[d].id);
        for (pv, pe) in dv.parties.iter().zip(&e.parties) {
            assert_eq!(pv.verdict, Some(pe.verdict), "{} {}", dv.draft, pv.party);
        }
    }
    let counted = counted_parties(&s);
    let dl = deadlock(
        &s,
        &DeadlockOptions {
            parties: Some(counted.clone()),
            max_nodes: Some(options.deadlock_nodes),
        },
    )
    .unwrap();
    assert!(dl.decided);
    assert_eq!(v.deal == Deal::Exists, dl.feasible);
    let last = s.proposals().len() - 1;
    let m = mediate(
        &s,
        last,
        &MediateOptions {
            top: options.top,
            budget: Some(options.mediate_budget),
            parties: Some(counted.clone()),
            ..MediateOptions::default()
        },
    )
    .unwrap();
    let r = v.revisions.as_ref().unwrap();
    assert_eq!((r.feasible, r.exact, r.revisions.len()), (m.feasible, m.exact, m.revisions.len()));
    assert_eq!(r.closest.is_some(), m.closest.is_some());
    for (rv, mr) in r.revisions.iter().chain(&r.closest).zip(m.revisions.iter().chain(&m.closest)) {
        let points: Vec<&str> = rv.changes.iter().map(|c| c.point.as_str()).collect();
        let expect: Vec<&str> =
            mr.changes.iter().map(|c| s.issues()[c.issue].id.as_str()).collect();
        assert_eq!(points, expect);
        let to: Vec<String> =
            mr.changes.iter().map(|c| s.issues()[c.issue].option_id(c.after)).collect();
        assert_eq!(rv.changes.iter().map(|c| c.to.clone()).collect::<Vec<_>>(), to);
    }
    let fr =
        frontier(&bargaining_scenario(&s, &counted, false).unwrap(), &FrontierOptions::default())
            .unwrap();
    let nash = v.nash.as_ref().unwrap();
    let expect: Vec<String> = fr.nash.points[0]
        .outcome
        .options()
        .iter()
        .enumerate()
        .map(|(i, &k)| s.issues()[i].option_id(k))
        .collect();
    assert_eq!(nash.terms.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(), expect);
    assert_eq!(nash.exact, fr.nash.exact);
    // A party's own verdicts are the same as in the full analysis.
    for (p, (_, session)) in f.parties.iter().enumerate() {
        let pv = rooms.party_view(session).unwrap();
        for (d, (id, pe)) in pv.verdicts.iter().enumerate() {
            assert_eq!(*id, s.proposals()[d].id);
            assert_eq!(*pe, evaluate(&s, d).unwrap().parties[p]);
        }
    }
    // A red line that collides: Upland forbids every share above 25, Lowland keeps its
    // minimum of 40. The mediator learns the point, not whose line or where it lies.
    let upland = &f.parties[0].1;
    let mut tight = PartyInputs::of(&s, 0);
    let share = s.issue_index("share").unwrap();
    if let Some(st) = &mut tight.stances[share] {
        st.red_lines = vec![detente_core::RedLine {
            kind: RedLineKind::Bounds { min: None, max: Some(25.0) },
            reason: None,
        }];
    }
    rooms.set_my_inputs(upland, tight.to_json(&skeleton).to_string().as_bytes(), NOW).unwrap();
    let v = rooms.mediator_view(&f.mediator, &options).unwrap();
    match &v.deal {
        Deal::None { points, minimal, .. } => {
            assert_eq!(points, &vec!["share".to_string()]);
            assert!(minimal);
        }
        other => panic!("expected no deal, got {other:?}"),
    }
    assert!(v.nash.is_none());
}

fn blind_bidding_reveals_only_a_crossing(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let f = fixture(&mut rooms, &shipped("tutorial"));
    let (upland, lowland) = (&f.parties[0].1, &f.parties[1].1);
    let m = &f.mediator;
    assert_eq!(
        kind(rooms.open_bidding(m, "dam", "upland", "lowland", NOW)),
        Some(ErrorKind::InvalidInput)
    );
    assert_eq!(
        kind(rooms.open_bidding(m, "share", "upland", "upland", NOW)),
        Some(ErrorKind::InvalidInput)
    );
    assert_eq!(
        kind(rooms.open_bidding(m, "share", "upland", "nobody", NOW)),
        Some(ErrorKind::NotFound)
    );
    let b = rooms.open_bidding(m, "share", "upland", "lowland", NOW).unwrap();
    let v = rooms.offer(upland, b, 30.0, NOW).unwrap();
    assert_eq!((v.settlement, v.own_offers.clone()), (None, vec![30.0]));
    let v = rooms.offer(lowland, b, 70.0, NOW + 1).unwrap();
    // Lowland learns only that they have not crossed: its own offer, nothing of Upland's.
    assert_eq!(
        (v.settlement, v.own_offers.clone(), v.offer_counts.clone()),
        (None, vec![70.0], vec![])
    );
    assert!(!format!("{v:?}").contains("30"));
    // No taking back a concession, no offer off the grid or off the scale.
    assert_eq!(kind(rooms.offer(upland, b, 25.0, NOW)), Some(ErrorKind::Conflict));
    assert_eq!(kind(rooms.offer(lowland, b, 75.0, NOW)), Some(ErrorKind::Conflict));
    assert_eq!(kind(rooms.offer(upland, b, 47.0, NOW)), Some(ErrorKind::InvalidInput));
    assert_eq!(kind(rooms.offer(upland, b, 85.0, NOW)), Some(ErrorKind::InvalidInput));
    assert_eq!(kind(rooms.offer(upland, b, f64::NAN, NOW)), Some(ErrorKind::InvalidInput));
    assert_eq!(kind(rooms.offer(upland, 99, 40.0, NOW)), Some(ErrorKind::NotFound));
    // The mediator sees how many offers, not their amounts.
    let mv = rooms.bidding(m, b).unwrap();
    assert_eq!(mv.offer_counts, vec![("lowland".to_string(), 1), ("upland".to_string(), 1)]);
    assert!(mv.own_offers.is_empty() && mv.settlement.is_none());
    assert_eq!(rooms.offer(upland, b, 45.0, NOW + 2).unwrap().settlement, None);
    assert_eq!(rooms.offer(lowland, b, 55.0, NOW + 3).unwrap().settlement, None);
    // Upland's 60 crosses Lowland's 55: split the difference, 57.5, to the nearest grid
    // point, half-way between 55 (index 7 of 20, 25, ...) and 60 (index 8): the even
    // index, 60.
    let v = rooms.offer(upland, b, 60.0, NOW + 4).unwrap();
    assert_eq!(v.settlement, Some(60.0));
    assert_eq!(rooms.bidding(lowland, b).unwrap().settlement, Some(60.0));
    assert_eq!(rooms.bidding(m, b).unwrap().settlement, Some(60.0));
    assert_eq!(kind(rooms.offer(lowland, b, 55.0, NOW)), Some(ErrorKind::Conflict));
    let trail = rooms.audit(m).unwrap();
    let offers: Vec<&AuditEntry> =
        trail.iter().filter(|e| e.what.contains("sealed offer")).collect();
    assert_eq!(offers.len(), 5);
    assert!(offers.iter().all(|e| !e.what.contains("30") && !e.what.contains("70")));
    assert_eq!(trail.last().unwrap().what, "bidding 1 settled at 60");
    assert_eq!(trail.last().unwrap().who, "room");
    // The list of biddings: every one for the mediator, a party's own sides only, each as
    // `bidding` shows it to that viewer.
    let b2 = rooms.open_bidding(m, "share", "lowland", "commission", NOW + 5).unwrap();
    let commission = &f.parties[2].1;
    for (s, expect) in
        [(m, vec![b, b2]), (upland, vec![b]), (lowland, vec![b, b2]), (commission, vec![b2])]
    {
        let listed = rooms.biddings(s).unwrap();
        assert_eq!(listed.iter().map(|v| v.id).collect::<Vec<_>>(), expect);
        for v in listed {
            assert_eq!(v, rooms.bidding(s, v.id).unwrap());
        }
    }
}

fn sessions_expire(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let c = rooms.create(&shipped("tutorial"), NOW).unwrap();
    let room = c.room.as_str();
    let t = c.invitations[1].1.expose();
    assert_eq!(kind(rooms.sign_in(room, "lowland", t, NOW, 0)), Some(ErrorKind::InvalidInput));
    assert_eq!(
        kind(rooms.sign_in(room, "lowland", t, NOW, MAX_SESSION_SECONDS + 1)),
        Some(ErrorKind::InvalidInput)
    );
    let (token, s) = rooms.sign_in(room, "lowland", t, NOW, 60).unwrap();
    assert_eq!(s.expires(), NOW + 60);
    assert_eq!(
        rooms.session(token.expose(), NOW + 59).unwrap().role(),
        &Role::Party("lowland".into())
    );
    assert_eq!(kind(rooms.session(token.expose(), NOW + 60)), Some(ErrorKind::Expired));
    // An expired session is dropped: afterwards it is unknown.
    assert_eq!(kind(rooms.session(token.expose(), NOW + 61)), Some(ErrorKind::NotFound));
    let (token, _) = rooms.sign_in(room, "lowland", t, NOW, 60).unwrap();
    rooms.sign_out(token.expose(), NOW + 1).unwrap();
    assert_eq!(kind(rooms.session(token.expose(), NOW + 2)), Some(ErrorKind::NotFound));
    for bad in ["", "x", &"A".repeat(64), &"0".repeat(10_000), "' OR '1'='1"] {
        assert_eq!(kind(rooms.session(bad, NOW)), Some(ErrorKind::NotFound), "{bad}");
    }
}

fn audit_trail_is_append_only(open: &dyn Fn() -> Rooms, backend: &str) {
    let mut rooms = open();
    let f = fixture(&mut rooms, &shipped("tutorial"));
    rooms.set_my_inputs(&f.parties[0].1, br#"{"reservation": 0.3}"#, NOW + 5).unwrap();
    let trail = rooms.audit(&f.mediator).unwrap();
    let who: Vec<&str> = trail.iter().map(|e| e.who.as_str()).collect();
    assert_eq!(
        who,
        [
            "mediator",
            "mediator",
            "party:upland",
            "party:lowland",
            "party:commission",
            "party:upland"
        ]
    );
    assert_eq!(trail[0].what, "created the room from \"tutorial\" with 3 parties");
    assert_eq!(trail.last().unwrap().what, "changed its inputs");
    assert_eq!(trail.last().unwrap().at, NOW + 5);
    assert!(trail.windows(2).all(|w| w[0].seq < w[1].seq));
    // The database itself refuses to change or delete an entry.
    let room = f.created.room.as_str();
    match backend {
        "sqlite" => {
            // The suite's SQLite files are under the temp dir; find this room's.
            // This test's SQLite files are under its scratch folder; find this room's.
            let dir = std::fs::read_dir(scratch("audit_trail_is_append_only"))
                .unwrap()
                .flatten()
                .map(|e| e.path().join(SQLITE_FILE))
                .find(|p| {
                    rusqlite::Connection::open(p)
                        .and_then(|c| {
                            c.query_row("SELECT COUNT(*) FROM rooms WHERE id = ?1", [room], |r| {
                                r.get::<_, i64>(0)
                            })
                        })
                        .is_ok_and(|n| n == 1)
                })
                .unwrap();
            let c = rusqlite::Connection::open(dir).unwrap();
            let e = c.execute("UPDATE audit SET what = 'x' WHERE room = ?1", [room]).unwrap_err();
            assert!(e.to_string().contains("append-only"), "{e}");
            let e = c.execute("DELETE FROM audit WHERE room = ?1", [room]).unwrap_err();
            assert!(e.to_string().contains("append-only"), "{e}");
        }
        _ => {
            let mut c =
                postgres::Client::connect(&postgres_url("").unwrap(), postgres::NoTls).unwrap();
            let e = c.execute("UPDATE audit SET what = 'x' WHERE room = $1", &[&room]).unwrap_err();
            assert!(format!("{e:?}").contains("append-only"), "{e:?}");
            let e = c.execute("DELETE FROM audit WHERE room = $1", &[&room]).unwrap_err();
            assert!(format!("{e:?}").contains("append-only"), "{e:?}");
        }
    }
    assert_eq!(rooms.audit(&f.mediator).unwrap(), trail);
}

fn bad_input_is_refused_and_changes_nothing(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let (m, upland) = (&f.mediator, &f.parties[0].1);
    let before = rooms.audit(m).unwrap();
    let sql = "'; DROP TABLE rooms; --";
    use ErrorKind::*;
    assert_eq!(
        kind(rooms.sign_in(
            "0123456789abcdef0123456789abcdef",
            "upland",
            &"0".repeat(64),
            NOW,
            HOUR
        )),
        Some(NotFound)
    );
    assert_eq!(kind(rooms.sign_in(sql, "upland", &"0".repeat(64), NOW, HOUR)), Some(InvalidInput));
    assert_eq!(
        kind(rooms.sign_in(f.created.room.as_str(), sql, &"0".repeat(64), NOW, HOUR)),
        Some(NotFound)
    );
    assert_eq!(
        kind(rooms.sign_in(f.created.room.as_str(), &"x".repeat(10_000), "t", NOW, HOUR)),
        Some(TooLarge)
    );
    assert_eq!(
        kind(rooms.sign_in(f.created.room.as_str(), "upland", sql, NOW, HOUR)),
        Some(NotFound)
    );
    for body in [&b"{"[..], b"null", b"\xff\xfe", br#"{"stances": {"dam": {"weight": 1e999}}}"#] {
        assert_eq!(kind(rooms.set_my_inputs(upland, body, NOW)), Some(InvalidInput), "{body:?}");
    }
    let big = vec![b' '; MAX_INPUTS_BYTES + 1];
    assert_eq!(kind(rooms.set_my_inputs(upland, &big, NOW)), Some(TooLarge));
    assert_eq!(kind(rooms.open_bidding(m, sql, "upland", "lowland", NOW)), Some(NotFound));
    assert_eq!(kind(rooms.open_bidding(m, "share", sql, "lowland", NOW)), Some(NotFound));
    assert_eq!(kind(rooms.bidding(m, 7)), Some(NotFound));
    assert_eq!(kind(rooms.add_draft(m, "d", "t", &[(sql, "x")], NOW)), Some(NotFound));
    assert_eq!(kind(rooms.add_draft(m, "d", "t", &[("dam", sql)], NOW)), Some(InvalidInput));
    assert_eq!(kind(rooms.add_draft(m, "", "t", &[], NOW)), Some(InvalidInput));
    assert_eq!(kind(rooms.add_draft(m, &s.proposals()[0].id, "t", &[], NOW)), Some(Conflict));
    let o = ViewOptions { from: Some(sql.into()), ..ViewOptions::default() };
    assert_eq!(kind(rooms.mediator_view(m, &o)), Some(NotFound));
    // Nothing refused left a trace.
    assert_eq!(rooms.audit(m).unwrap(), before);
    // SQL metacharacters in text are text: stored and read back as given.
    // A draft's id follows the scenario format's rule; its title is free text.
    let e = rooms.add_draft(m, sql, sql, &[("share", "45")], NOW).unwrap_err();
    assert_eq!(e.kind(), InvalidInput);
    assert!(e.message().contains("proposals[2].id: invalid id"), "{e}");
    rooms.add_draft(m, "m-1", sql, &[("share", "45")], NOW).unwrap();
    let k = rooms.skeleton(upland).unwrap();
    let d = &k.scenario().proposals()[k.draft("m-1").unwrap()];
    assert_eq!(d.title.as_str(), sql);
    assert_eq!(d.terms[0], detente_core::Term::Set(5));
    let body = format!(
        r#"{{"reservation": 0.2, "stances": {{"share": {{"weight": 2, "ideal": 35, "tolerance": 30, "red_lines": [{{"max": 60, "reason": {sql:?}}}]}}}}}}"#
    );
    rooms.set_my_inputs(upland, body.as_bytes(), NOW).unwrap();
    let back = rooms.my_inputs(upland).unwrap().unwrap();
    assert_eq!(back.stances[0].as_ref().unwrap().red_lines[0].reason.as_deref(), Some(sql));
    assert_eq!(rooms.audit(m).unwrap().len(), before.len() + 2);
}

#[test]
fn sqlite_keeps_every_change_across_a_reopen() {
    let dir = std::env::temp_dir().join(format!("detente-room-reopen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = shipped("tutorial");
    let (room, token) = {
        let mut rooms = Rooms::sqlite(&dir).unwrap().with_hash_cost(HashCost::Fast);
        let c = rooms.create(&s, NOW).unwrap();
        let invitation = c.invitations[0].1.expose();
        let (_, up) = rooms
            .claim(c.room.as_str(), "upland", invitation, &secret_of("upland"), HOUR, NOW)
            .unwrap();
        rooms.set_my_inputs(&up, br#"{"reservation": 0.25}"#, NOW).unwrap();
        (c.room, c.invitations[0].1.clone())
    };
    assert!(dir.join(SQLITE_FILE).exists());
    let mut rooms = Rooms::sqlite(&dir).unwrap();
    // The claim is kept: the invitation signs in no more, the secret does.
    assert_eq!(
        kind(rooms.sign_in(room.as_str(), "upland", token.expose(), NOW, HOUR)),
        Some(ErrorKind::NotFound)
    );
    let (_, up) = rooms.sign_in(room.as_str(), "upland", &secret_of("upland"), NOW, HOUR).unwrap();
    assert_eq!(up.credential(), Credential::Own);
    assert_eq!(rooms.my_inputs(&up).unwrap().unwrap().reservation, 0.25);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Several parties editing at once, each through its own connection (as several server
/// processes would): every change is kept, each party's inputs are its last, the trail
/// has every change once.
fn concurrent_writers_lose_nothing(open_same: impl Fn() -> Rooms + Sync) {
    let s = shipped("ukraine-2025");
    let mut rooms = open_same();
    let c = rooms.create(&s, NOW).unwrap();
    let (_, m) =
        rooms.sign_in(c.room.as_str(), "mediator", c.mediator.expose(), NOW, HOUR).unwrap();
    const EDITS: usize = 8;
    std::thread::scope(|scope| {
        for (id, token) in &c.invitations {
            let (open_same, room) = (&open_same, c.room.as_str());
            scope.spawn(move || {
                let mut mine = open_same();
                let (_, me) =
                    mine.claim(room, id, token.expose(), &secret_of(id), HOUR, NOW).unwrap();
                for k in 0..EDITS {
                    let body = format!(r#"{{"reservation": 0.{k}1}}"#);
                    mine.set_my_inputs(&me, body.as_bytes(), NOW + k as i64).unwrap();
                }
                assert_eq!(mine.my_inputs(&me).unwrap().unwrap().reservation, 0.71);
            });
        }
    });
    let trail = rooms.audit(&m).unwrap();
    let n = trail.iter().filter(|e| e.what == "changed its inputs").count();
    assert_eq!(n, EDITS * c.invitations.len());
    assert_eq!(
        rooms
            .mediator_view(&m, &ViewOptions { mediate_budget: 1_000_000, ..ViewOptions::default() })
            .unwrap()
            .entered
            .len(),
        4
    );
}

#[test]
fn concurrent_writers_lose_nothing_sqlite() {
    let dir = std::env::temp_dir().join(format!("detente-room-concurrent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    concurrent_writers_lose_nothing(|| Rooms::sqlite(&dir).unwrap().with_hash_cost(HashCost::Fast));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_writers_lose_nothing_postgres() {
    if postgres_url("concurrent_writers_lose_nothing").is_some() {
        concurrent_writers_lose_nothing(|| postgres("").unwrap());
    }
}

fn reissuing_a_token_ends_the_old_one_and_erases_only_a_claimed_partys_inputs(
    open: &dyn Fn() -> Rooms,
    _: &str,
) {
    let mut rooms = open();
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let other = fixture(&mut rooms, &s);
    let room = f.created.room.as_str();
    let old = f.created.invitations[0].1.clone();
    let secret = secret_of("upland");
    let (upland, lowland) = (&f.parties[0].1, &f.parties[1].1);
    // Upland (claimed) has inputs, a sealed offer and a second session; Lowland has inputs
    // and an offer too.
    rooms.set_my_inputs(upland, br#"{"reservation": 0.375}"#, NOW).unwrap();
    rooms.set_my_inputs(lowland, br#"{"reservation": 0.125}"#, NOW).unwrap();
    let b = rooms.open_bidding(&f.mediator, "share", "upland", "lowland", NOW).unwrap();
    rooms.offer(upland, b, 30.0, NOW).unwrap();
    rooms.offer(lowland, b, 70.0, NOW).unwrap();
    let (second, _) = rooms.sign_in(room, "upland", &secret, NOW, HOUR).unwrap();
    let before = rooms.audit(&f.mediator).unwrap().len();
    // A party may not reissue anyone's token, not even its own; nothing changes.
    use ErrorKind::*;
    for who in ["upland", "lowland", "mediator"] {
        let e = rooms.reissue(lowland, who, NOW).unwrap_err();
        assert_eq!(e.kind(), Forbidden, "{who}");
        assert!(e.message().starts_with("party lowland may not change the"), "{e}");
    }
    assert_eq!(kind(rooms.reissue(&f.mediator, "nobody", NOW)), Some(NotFound));
    assert_eq!(kind(rooms.reissue(&f.mediator, &"x".repeat(MAX_ID + 1), NOW)), Some(TooLarge));
    assert!(rooms.sign_in(room, "upland", &secret, NOW, HOUR).is_ok());
    let (third, _) = rooms.sign_in(room, "upland", &secret, NOW, HOUR).unwrap();
    assert_eq!(rooms.audit(&f.mediator).unwrap().len(), before + 2, "two sign-ins only");
    assert!(rooms.my_inputs(upland).unwrap().is_some(), "refusals erased nothing");
    // The mediator reissues Upland's invitation.
    let r = rooms.reissue(&f.mediator, "upland", NOW + 10).unwrap();
    assert_eq!(r.who, "upland");
    assert_eq!(r.sessions_ended, 4, "the claim's, the second, and the two just opened");
    assert!(r.inputs_erased, "upland had claimed its invitation");
    assert_ne!(r.token, old);
    // Its secret and its first invitation sign in no more; the sessions opened are gone.
    for t in [old.expose(), secret.as_str()] {
        assert_eq!(kind(rooms.sign_in(room, "upland", t, NOW + 11, HOUR)), Some(NotFound));
    }
    for t in [&second, &third] {
        assert_eq!(kind(rooms.session(t.expose(), NOW + 11)), Some(NotFound));
    }
    // The new invitation signs in unclaimed: whoever holds it (the mediator first) reads
    // the drafts and not Upland's inputs, which are gone anyway.
    let (held, s_held) = rooms.sign_in(room, "upland", r.token.expose(), NOW + 12, HOUR).unwrap();
    assert_eq!(s_held.credential(), Credential::Invitation);
    assert_eq!(kind(rooms.my_inputs(&s_held)), Some(Forbidden));
    // Upland claims it and finds nothing it entered: its inputs and its sealed offer were
    // erased; the claim ended the session opened with the invitation.
    let renewed = "upland's second secret";
    let (_, up) = rooms.claim(room, "upland", r.token.expose(), renewed, HOUR, NOW + 13).unwrap();
    assert_eq!(kind(rooms.session(held.expose(), NOW + 13)), Some(NotFound));
    assert_eq!(rooms.my_inputs(&up).unwrap(), None);
    let view = rooms.party_view(&up).unwrap();
    assert!(view.claimed && view.inputs.is_none() && view.verdicts.is_empty());
    assert!(rooms.bidding(&up, b).unwrap().own_offers.is_empty());
    assert_eq!(rooms.bidding(&f.mediator, b).unwrap().offer_counts, vec![("lowland".into(), 1)]);
    // Lowland's inputs and offer are untouched, its session too.
    assert_eq!(rooms.my_inputs(lowland).unwrap().unwrap().reservation, 0.125);
    assert_eq!(rooms.bidding(lowland, b).unwrap().own_offers, vec![70.0]);
    let mv = rooms.mediator_view(&f.mediator, &ViewOptions::default()).unwrap();
    assert_eq!(mv.entered, vec!["lowland"]);
    // Upland enters again, and bids again from its start.
    rooms.set_my_inputs(&up, br#"{"reservation": 0.25}"#, NOW + 14).unwrap();
    assert_eq!(rooms.offer(&up, b, 25.0, NOW + 14).unwrap().own_offers, vec![25.0]);
    // The new invitation opens neither another holder nor the same party of another room.
    assert_eq!(kind(rooms.sign_in(room, "lowland", r.token.expose(), NOW, HOUR)), Some(NotFound));
    let room2 = other.created.room.as_str();
    assert_eq!(kind(rooms.sign_in(room2, "upland", r.token.expose(), NOW, HOUR)), Some(NotFound));
    // Room two's Upland is untouched: its secret and session still work.
    assert!(rooms.sign_in(room2, "upland", &secret, NOW + 13, HOUR).is_ok());
    assert!(rooms.party_view(&other.parties[0].1).is_ok());
    // One audit entry, by the mediator, naming the holder and the erasure, and no token.
    let trail = rooms.audit(&f.mediator).unwrap();
    let entry = trail.iter().find(|e| e.what.starts_with("reissued")).unwrap();
    assert_eq!(
        (entry.who.as_str(), entry.what.as_str(), entry.at),
        (
            "mediator",
            "reissued the invitation of party \"upland\"; 4 sessions ended; the party had \
             claimed it: its inputs and sealed offers were erased",
            NOW + 10
        )
    );
    assert_eq!(trail.iter().filter(|e| e.what.starts_with("reissued")).count(), 1);
    let text: String = trail.iter().map(|e| e.what.clone()).collect();
    assert!(!text.contains(r.token.expose()) && !text.contains(old.expose()));
    assert!(!text.contains(&secret) && !text.contains(renewed));
    // Reissuing an invitation not yet claimed changes nothing else: in a third room,
    // Commission signs in with its invitation only.
    let three = rooms.create(&s, NOW).unwrap();
    let room3 = three.room.as_str();
    let (_, m3) = rooms.sign_in(room3, "mediator", three.mediator.expose(), NOW, HOUR).unwrap();
    rooms.sign_in(room3, "commission", three.invitations[2].1.expose(), NOW, HOUR).unwrap();
    let r3 = rooms.reissue(&m3, "commission", NOW + 20).unwrap();
    assert_eq!((r3.sessions_ended, r3.inputs_erased), (1, false));
    let last = rooms.audit(&m3).unwrap().pop().unwrap();
    assert_eq!(last.what, "reissued the invitation of party \"commission\"; 1 session ended");
    assert_eq!(
        kind(rooms.sign_in(room3, "commission", three.invitations[2].1.expose(), NOW, HOUR)),
        Some(NotFound)
    );
    rooms
        .claim(room3, "commission", r3.token.expose(), &secret_of("commission"), HOUR, NOW)
        .unwrap();
    // The mediator may reissue its own token: its sessions end with the old one.
    let r = rooms.reissue(&f.mediator, "mediator", NOW + 20).unwrap();
    assert_eq!((r.who.as_str(), r.sessions_ended), ("mediator", 1));
    let old_m = f.created.mediator.expose();
    assert_eq!(kind(rooms.sign_in(room, "mediator", old_m, NOW + 21, HOUR)), Some(NotFound));
    rooms.sign_in(room, "mediator", r.token.expose(), NOW + 21, HOUR).unwrap();
    // The operator's way, for a mediator that lost its token: no session needed.
    let r = rooms.reissue_as_operator(room, "mediator", NOW + 30).unwrap();
    assert!(rooms.sign_in(room, "mediator", r.token.expose(), NOW + 31, HOUR).is_ok());
    assert_eq!(
        kind(rooms.reissue_as_operator("0123456789abcdef0123456789abcdef", "mediator", NOW)),
        Some(NotFound)
    );
    assert_eq!(kind(rooms.reissue_as_operator("nope", "mediator", NOW)), Some(InvalidInput));
    assert_eq!(kind(rooms.reissue_as_operator(room, "nobody", NOW)), Some(NotFound));
    let (_, m) = rooms.sign_in(room, "mediator", r.token.expose(), NOW + 32, HOUR).unwrap();
    let trail = rooms.audit(&m).unwrap();
    let last = trail.iter().rev().find(|e| e.what.starts_with("reissued")).unwrap();
    assert_eq!(
        (last.who.as_str(), last.what.as_str()),
        ("operator", "reissued the mediator's token; 1 session ended")
    );
}

fn the_mediators_drafts_are_budgeted(open: &dyn Fn() -> Rooms, _: &str) {
    use ErrorKind::*;
    let budget = DraftBudget { drafts: 4, window: HOUR };
    let mut rooms = open().with_draft_budget(budget).unwrap();
    // The tutorial's two drafts count as added at the room's creation.
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let m = &f.mediator;
    let share = |k: usize| [("share", ["40", "45", "50", "55", "60", "65", "70"][k])];
    rooms.add_draft(m, "m-1", "t", &share(0), NOW + 10).unwrap();
    rooms.add_draft(m, "m-2", "t", &share(1), NOW + 20).unwrap();
    let before = rooms.audit(m).unwrap();
    let e = rooms.add_draft(m, "m-3", "t", &share(2), NOW + 30).unwrap_err();
    assert_eq!(e.kind(), TooMany);
    // A place frees when the window passes the creation's drafts.
    assert_eq!(e.retry_at(), Some(NOW + HOUR));
    assert_eq!(
        e.message(),
        "the mediator's budget of drafts (4 in any 1 hour) is spent (each draft asks every \
         party's verdict; docs/security.md): the next draft may be added at 2025-11-24 17:00:00 \
         UTC, in 1 hour"
    );
    // A refusal changes nothing and leaves no trace.
    assert_eq!(rooms.audit(m).unwrap(), before);
    assert!(rooms.skeleton(m).unwrap().draft("m-3").is_err());
    assert_eq!(kind(rooms.add_draft(m, "m-3", "t", &share(2), NOW + HOUR - 1)), Some(TooMany));
    // A party is refused as before (403), not told of the budget.
    assert_eq!(kind(rooms.add_draft(&f.parties[0].1, "p", "t", &[], NOW + 30)), Some(Forbidden));
    // At NOW + HOUR the two places of the creation's drafts are free, and no more.
    rooms.add_draft(m, "m-3", "t", &share(2), NOW + HOUR).unwrap();
    rooms.add_draft(m, "m-4", "t", &share(3), NOW + HOUR).unwrap();
    let e = rooms.add_draft(m, "m-5", "t", &share(4), NOW + HOUR).unwrap_err();
    assert_eq!(e.retry_at(), Some(NOW + 10 + HOUR));
    assert_eq!(rooms.skeleton(m).unwrap().scenario().proposals().len(), 6);
    let added = rooms.audit(m).unwrap().iter().filter(|e| e.what.starts_with("added")).count();
    assert_eq!(added, 4);
    // The budget is the room's: another room's mediator has its own.
    let g = fixture(&mut rooms, &s);
    rooms.add_draft(&g.mediator, "m-1", "t", &share(0), NOW + 30).unwrap();
    // Nothing else is budgeted: a party changes its inputs, the mediator reads its view.
    for k in 0..10 {
        let body = format!(r#"{{"reservation": 0.{k}}}"#);
        rooms.set_my_inputs(&f.parties[0].1, body.as_bytes(), NOW + 40).unwrap();
        assert!(rooms.mediator_view(m, &ViewOptions::default()).is_ok());
    }
    // A room cannot start with more drafts than the budget; a budget of nothing is refused.
    let mut one = open().with_draft_budget(DraftBudget { drafts: 1, window: HOUR }).unwrap();
    let e = one.create(&s, NOW).unwrap_err();
    assert_eq!(e.kind(), InvalidInput);
    assert!(e.message().starts_with("a room starts with at most 1 drafts"), "{e}");
    assert!(open().with_draft_budget(DraftBudget { drafts: 0, window: HOUR }).is_err());
    assert!(open().with_draft_budget(DraftBudget { drafts: 3, window: 0 }).is_err());
    assert_eq!(DraftBudget::DEFAULT, DraftBudget { drafts: 20, window: 24 * HOUR });
}

fn expired_sessions_end_at_any_request_of_their_room(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let s = shipped("tutorial");
    // Two rooms alike: in each, Upland signs in for a minute, Lowland for an hour.
    let mut sessions = vec![];
    for _ in 0..2 {
        let c = rooms.create(&s, NOW).unwrap();
        let room = c.room.as_str().to_string();
        let (short, _) =
            rooms.sign_in(&room, "upland", c.invitations[0].1.expose(), NOW, 60).unwrap();
        let (long, _) =
            rooms.sign_in(&room, "lowland", c.invitations[1].1.expose(), NOW, HOUR).unwrap();
        sessions.push((short, long));
    }
    // Past Upland's minute, a request of Lowland in room one ends Upland's session there:
    // it is gone, not merely expired.
    let (one, two) = (&sessions[0], &sessions[1]);
    assert!(rooms.session(one.1.expose(), NOW + 100).is_ok());
    assert_eq!(kind(rooms.session(one.0.expose(), NOW + 101)), Some(ErrorKind::NotFound));
    // Room two had no request since: its expired session is still stored, and the first
    // request that finds it says it expired, and ends it.
    assert_eq!(kind(rooms.session(two.0.expose(), NOW + 102)), Some(ErrorKind::Expired));
    assert_eq!(kind(rooms.session(two.0.expose(), NOW + 103)), Some(ErrorKind::NotFound));
    // A live session is never ended by it.
    assert!(rooms.session(two.1.expose(), NOW + HOUR - 1).is_ok());
    assert!(rooms.session(one.1.expose(), NOW + HOUR - 1).is_ok());
}

fn an_invitation_is_claimed_once_and_then_signs_in_no_more(open: &dyn Fn() -> Rooms, _: &str) {
    use ErrorKind::*;
    let mut rooms = open();
    let c = rooms.create(&shipped("tutorial"), NOW).unwrap();
    let room = c.room.as_str();
    let (_, m) = rooms.sign_in(room, "mediator", c.mediator.expose(), NOW, HOUR).unwrap();
    let invitation = c.invitations[0].1.expose();
    let mine = "upland chooses this one";
    // Before: every party unclaimed, in the mediator's view.
    let v = rooms.mediator_view(&m, &ViewOptions::default()).unwrap();
    assert!(v.claimed.is_empty());
    assert_eq!(v.unclaimed, vec!["upland", "lowland", "commission"]);
    // A session opened with the invitation, then the claim: one call, a session opened with
    // the secret, the invitation's session ended.
    let (early, _) = rooms.sign_in(room, "upland", invitation, NOW, HOUR).unwrap();
    // A wrong invitation, another party's, or the mediator as `who` claims nothing.
    let lowland_invitation = c.invitations[1].1.expose();
    assert_eq!(
        kind(rooms.claim(room, "upland", lowland_invitation, mine, HOUR, NOW)),
        Some(NotFound)
    );
    assert_eq!(kind(rooms.claim(room, "upland", &"0".repeat(64), mine, HOUR, NOW)), Some(NotFound));
    assert_eq!(kind(rooms.claim(room, "upland", "short", mine, HOUR, NOW)), Some(NotFound));
    assert_eq!(kind(rooms.claim(room, "nobody", invitation, mine, HOUR, NOW)), Some(NotFound));
    let other = rooms.create(&shipped("tutorial"), NOW).unwrap();
    assert_eq!(
        kind(rooms.claim(other.room.as_str(), "upland", invitation, mine, HOUR, NOW)),
        Some(NotFound)
    );
    let e = rooms.claim(room, "mediator", c.mediator.expose(), mine, HOUR, NOW).unwrap_err();
    assert_eq!(e.kind(), InvalidInput);
    assert!(e.message().contains("the mediator's token is its own"), "{e}");
    assert_eq!(kind(rooms.claim(room, "upland", invitation, mine, 0, NOW)), Some(InvalidInput));
    let (token, s) = rooms.claim(room, "upland", invitation, mine, HOUR, NOW + 1).unwrap();
    assert_eq!(
        (s.role(), s.credential(), s.expires()),
        (&Role::Party("upland".into()), Credential::Own, NOW + 1 + HOUR)
    );
    assert_eq!(rooms.session(token.expose(), NOW + 2).unwrap(), s);
    assert_eq!(kind(rooms.session(early.expose(), NOW + 2)), Some(NotFound));
    // The invitation is dead at once: it signs in no more, and claims no more (409, saying
    // what to do); the secret signs in.
    assert_eq!(kind(rooms.sign_in(room, "upland", invitation, NOW + 2, HOUR)), Some(NotFound));
    let e =
        rooms.claim(room, "upland", invitation, "another good secret", HOUR, NOW + 2).unwrap_err();
    assert_eq!(e.kind(), Conflict);
    assert_eq!(
        e.message(),
        "the invitation of party \"upland\" is already claimed: if you did not claim it \
         yourself, someone else who held it did; ask the mediator for a new invitation and tell \
         it this happened"
    );
    // ... told only to a holder of that invitation: another token is not found.
    assert_eq!(
        kind(rooms.claim(room, "upland", &"0".repeat(64), "another good secret", HOUR, NOW)),
        Some(NotFound)
    );
    let (_, again) = rooms.sign_in(room, "upland", mine, NOW + 3, HOUR).unwrap();
    assert_eq!(again.credential(), Credential::Own);
    rooms.set_my_inputs(&again, br#"{"reservation": 0.5}"#, NOW + 3).unwrap();
    // The secret opens neither another party nor the mediator.
    assert_eq!(kind(rooms.sign_in(room, "lowland", mine, NOW, HOUR)), Some(NotFound));
    assert_eq!(kind(rooms.sign_in(room, "mediator", mine, NOW, HOUR)), Some(NotFound));
    // The mediator sees who has claimed, and the claim in the trail (no secret, no token).
    let v = rooms.mediator_view(&m, &ViewOptions::default()).unwrap();
    assert_eq!(
        (v.claimed.clone(), v.unclaimed.clone()),
        (vec!["upland".to_string()], vec!["lowland".to_string(), "commission".to_string()])
    );
    assert_eq!(v.to_json()["unclaimed"], serde_json::json!(["lowland", "commission"]));
    let trail = rooms.audit(&m).unwrap();
    let claims: Vec<_> = trail.iter().filter(|e| e.what.starts_with("claimed")).collect();
    assert_eq!(claims.len(), 1);
    assert_eq!(
        (claims[0].who.as_str(), claims[0].what.as_str(), claims[0].at),
        (
            "party:upland",
            "claimed its invitation; 1 session opened with the invitation ended",
            NOW + 1
        )
    );
    let text: String = trail.iter().map(|e| e.what.clone()).collect();
    assert!(!text.contains(mine) && !text.contains(invitation));
}

fn a_weak_secret_is_refused_and_changes_nothing(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let c = rooms.create(&shipped("tutorial"), NOW).unwrap();
    let room = c.room.as_str();
    let (_, m) = rooms.sign_in(room, "mediator", c.mediator.expose(), NOW, HOUR).unwrap();
    let invitation = c.invitations[1].1.expose();
    let before = rooms.audit(&m).unwrap();
    for (weak, kind_, start) in [
        ("lowland", ErrorKind::InvalidInput, "secret: 7 characters, expected at least 12"),
        ("zzzzzzzzzzzzzzzzzzzz", ErrorKind::InvalidInput, "secret: 1 different characters"),
        ("tab\tseparated words", ErrorKind::InvalidInput, "secret: a control character"),
        (invitation, ErrorKind::InvalidInput, "secret: the invitation itself"),
        (&"long enough ".repeat(30), ErrorKind::TooLarge, "secret: longer than 256 bytes"),
    ] {
        let e = rooms.claim(room, "lowland", invitation, weak, HOUR, NOW).unwrap_err();
        assert_eq!(e.kind(), kind_, "{weak}");
        assert!(e.message().starts_with(start), "{weak}: {e}");
    }
    // Nothing changed: no trace, the invitation still signs in (unclaimed) and claims.
    assert_eq!(rooms.audit(&m).unwrap(), before);
    let (_, s) = rooms.sign_in(room, "lowland", invitation, NOW, HOUR).unwrap();
    assert_eq!(s.credential(), Credential::Invitation);
    let (_, s) =
        rooms.claim(room, "lowland", invitation, "lowland's own words", HOUR, NOW).unwrap();
    assert_eq!(s.credential(), Credential::Own);
    assert_eq!(MIN_SECRET_CHARS, 12);
}

fn unclaimed_sessions_read_the_drafts_and_nothing_a_party_entered(
    open: &dyn Fn() -> Rooms,
    _: &str,
) {
    use ErrorKind::*;
    let mut rooms = open();
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let room = f.created.room.as_str();
    let m = &f.mediator;
    // Upland (claimed) enters inputs and bids; Lowland's invitation is reissued, and signed
    // in with before anyone claims it.
    let upland = &f.parties[0].1;
    rooms.set_my_inputs(upland, br#"{"reservation": 0.375}"#, NOW).unwrap();
    let b = rooms.open_bidding(m, "share", "upland", "lowland", NOW).unwrap();
    rooms.offer(upland, b, 30.0, NOW).unwrap();
    let r = rooms.reissue(m, "lowland", NOW).unwrap();
    let (_, low) = rooms.sign_in(room, "lowland", r.token.expose(), NOW, HOUR).unwrap();
    assert_eq!(low.credential(), Credential::Invitation);
    let before = rooms.audit(m).unwrap();
    // It reads the skeleton and its view, which holds no inputs and says it is unclaimed.
    assert!(rooms.skeleton(&low).is_ok());
    let v = rooms.party_view(&low).unwrap();
    assert_eq!(
        (v.party.as_str(), v.claimed, v.inputs.is_none(), v.verdicts.len()),
        ("lowland", false, true, 0)
    );
    let k = rooms.skeleton(&low).unwrap();
    assert_eq!(v.to_json(&k)["claimed"], serde_json::json!(false));
    // Everything else is refused, its own inputs and offers saying to claim first.
    let claim_first = |e: Error| {
        assert_eq!(e.kind(), Forbidden);
        assert!(e.message().contains("with an unclaimed invitation"), "{e}");
        assert!(e.message().contains("claim the invitation first"), "{e}");
    };
    claim_first(rooms.my_inputs(&low).unwrap_err());
    claim_first(rooms.set_my_inputs(&low, br#"{"reservation": 0.2}"#, NOW).unwrap_err());
    claim_first(rooms.offer(&low, b, 70.0, NOW).unwrap_err());
    assert_eq!(kind(rooms.bidding(&low, b)), Some(Forbidden));
    assert_eq!(kind(rooms.mediator_view(&low, &ViewOptions::default())), Some(Forbidden));
    assert_eq!(kind(rooms.audit(&low)), Some(Forbidden));
    assert_eq!(kind(rooms.add_draft(&low, "x", "x", &[], NOW)), Some(Forbidden));
    assert_eq!(kind(rooms.open_bidding(&low, "share", "upland", "lowland", NOW)), Some(Forbidden));
    assert_eq!(kind(rooms.reissue(&low, "lowland", NOW)), Some(Forbidden));
    // Nothing refused left a trace; a session of a claimed party is untouched.
    assert_eq!(rooms.audit(m).unwrap(), before);
    assert_eq!(rooms.my_inputs(upland).unwrap().unwrap().reservation, 0.375);
    // A session found again by its token keeps its credential.
    let (token, _) = rooms.sign_in(room, "lowland", r.token.expose(), NOW, HOUR).unwrap();
    let found = rooms.session(token.expose(), NOW + 1).unwrap();
    assert_eq!(found.credential(), Credential::Invitation);
    claim_first(rooms.my_inputs(&found).unwrap_err());
}

fn a_mediator_that_claims_an_invitation_first_is_found_out(open: &dyn Fn() -> Rooms, _: &str) {
    let mut rooms = open();
    let c = rooms.create(&shipped("tutorial"), NOW).unwrap();
    let room = c.room.as_str();
    let (_, m) = rooms.sign_in(room, "mediator", c.mediator.expose(), NOW, HOUR).unwrap();
    let invitation = c.invitations[0].1.expose();
    // The mediator, who handed the invitation on, claims it itself and enters inputs as
    // Upland, hoping to read what Upland would enter.
    let (_, fake) =
        rooms.claim(room, "upland", invitation, "the mediator's trick", HOUR, NOW).unwrap();
    rooms.set_my_inputs(&fake, br#"{"reservation": 0.9}"#, NOW).unwrap();
    // Upland's own claim is refused, saying what happened and what to do.
    let e =
        rooms.claim(room, "upland", invitation, "upland's own secret", HOUR, NOW + 5).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.message().contains("already claimed"), "{e}");
    assert!(e.message().contains("ask the mediator for a new invitation and tell it"), "{e}");
    // Upland reads nothing with its invitation either.
    assert_eq!(
        kind(rooms.sign_in(room, "upland", invitation, NOW + 5, HOUR)),
        Some(ErrorKind::NotFound)
    );
    // Told, the mediator (or, if it will not, the operator) reissues the invitation: what
    // was entered under the stolen claim is erased, the impostor's session ends, and Upland
    // claims the new invitation and starts clean.
    let r = rooms.reissue(&m, "upland", NOW + 10).unwrap();
    assert!(r.inputs_erased);
    assert_eq!(r.sessions_ended, 1);
    let (_, up) = rooms
        .claim(room, "upland", r.token.expose(), "upland's own secret", HOUR, NOW + 11)
        .unwrap();
    assert_eq!(rooms.my_inputs(&up).unwrap(), None);
    assert_eq!(
        kind(rooms.sign_in(room, "upland", "the mediator's trick", NOW + 11, HOUR)),
        Some(ErrorKind::NotFound)
    );
    // The trail keeps both claims and the reissue.
    let trail = rooms.audit(&m).unwrap();
    let upland: Vec<&str> =
        trail.iter().filter(|e| e.who == "party:upland").map(|e| e.what.as_str()).collect();
    assert_eq!(upland, ["claimed its invitation", "changed its inputs", "claimed its invitation"]);
}

#[test]
fn a_sqlite_store_from_before_claims_is_upgraded_and_a_claim_erases_what_its_invitation_entered() {
    let dir = std::env::temp_dir().join(format!("detente-room-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let c = Rooms::sqlite(&dir)
        .unwrap()
        .with_hash_cost(HashCost::Fast)
        .create(&shipped("tutorial"), NOW)
        .unwrap();
    let room = c.room.as_str();
    // The store as it was before claims: no claim columns, and inputs Upland entered with its
    // invitation (which the mediator had seen).
    {
        let db = rusqlite::Connection::open(dir.join(SQLITE_FILE)).unwrap();
        db.execute_batch(
            "ALTER TABLE credentials DROP COLUMN invitation; ALTER TABLE credentials DROP COLUMN claimed;",
        )
        .unwrap();
        db.execute(
            "INSERT INTO inputs (room, party, body, updated) VALUES (?1, 'upland', '{\"reservation\": 0.5}', 0)",
            [room],
        )
        .unwrap();
    }
    // Opened by this version (twice: the upgrade is done once), every credential unclaimed.
    drop(Rooms::sqlite(&dir).unwrap());
    let mut rooms = Rooms::sqlite(&dir).unwrap().with_hash_cost(HashCost::Fast);
    let invitation = c.invitations[0].1.expose();
    let (_, held) = rooms.sign_in(room, "upland", invitation, NOW, HOUR).unwrap();
    assert_eq!(held.credential(), Credential::Invitation);
    assert_eq!(kind(rooms.my_inputs(&held)), Some(ErrorKind::Forbidden));
    // The claim erases what was entered under the invitation: its holders could read it.
    let (_, up) = rooms.claim(room, "upland", invitation, &secret_of("upland"), HOUR, NOW).unwrap();
    assert_eq!(rooms.my_inputs(&up).unwrap(), None);
    let (_, m) = rooms.sign_in(room, "mediator", c.mediator.expose(), NOW, HOUR).unwrap();
    let last =
        rooms.audit(&m).unwrap().into_iter().rev().find(|e| e.who == "party:upland").unwrap();
    assert_eq!(
        last.what,
        "claimed its invitation; 1 session opened with the invitation ended; the inputs and \
         offers entered under the invitation were erased"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn failed_sign_ins_and_claims_are_limited(open: &dyn Fn() -> Rooms, _: &str) {
    use ErrorKind::*;
    let limit = SignInLimit { failures: 3, per_address: 5, window: HOUR };
    let mut rooms = open().with_sign_in_limit(limit).unwrap();
    let s = shipped("tutorial");
    let f = fixture(&mut rooms, &s);
    let g = fixture(&mut rooms, &s);
    let (room, other) = (f.created.room.as_str(), g.created.room.as_str());
    let wrong = "a wrong secret, guessed";
    let upland = secret_of("upland");
    // Successes are not counted: many sign-ins with the right secret.
    for k in 0..10 {
        rooms.sign_in(room, "upland", &upland, NOW + k, HOUR).unwrap();
    }
    // Three failures, a wrong secret and a wrong claim of the spent invitation alike...
    assert_eq!(kind(rooms.sign_in(room, "upland", wrong, NOW + 10, HOUR)), Some(NotFound));
    let spent = &"0".repeat(64);
    assert_eq!(kind(rooms.claim(room, "upland", spent, wrong, HOUR, NOW + 11)), Some(NotFound));
    assert_eq!(kind(rooms.sign_in(room, "upland", wrong, NOW + 20, HOUR)), Some(NotFound));
    // ... and the next attempt is refused, the right secret included, saying when.
    let e = rooms.sign_in(room, "upland", &upland, NOW + 30, HOUR).unwrap_err();
    assert_eq!((e.kind(), e.retry_at()), (TooMany, Some(NOW + 10 + HOUR)));
    assert_eq!(
        e.message(),
        "the budget of failed sign-ins and claims of party \"upland\" in this room (3 in any 1 \
         hour) is spent (each may be a guess of its secret; docs/security.md): the next sign-in \
         or claim may be tried at 2025-11-24 17:00:10 UTC, in 1 hour"
    );
    assert_eq!(
        kind(rooms.sign_in(room, "upland", &upland, NOW + 10 + HOUR - 1, HOUR)),
        Some(TooMany)
    );
    // Refusals of the limit are not failures, and leave no trace.
    let trail = rooms.audit(&f.mediator).unwrap();
    assert_eq!(kind(rooms.sign_in(room, "upland", wrong, NOW + 40, HOUR)), Some(TooMany));
    assert_eq!(rooms.audit(&f.mediator).unwrap(), trail);
    // The sessions opened before are kept.
    assert!(rooms.my_inputs(&f.parties[0].1).is_ok());
    // Other holders of the room, and Upland of another room, are not limited.
    rooms.sign_in(room, "lowland", &secret_of("lowland"), NOW + 30, HOUR).unwrap();
    rooms.sign_in(room, "mediator", f.created.mediator.expose(), NOW + 30, HOUR).unwrap();
    rooms.sign_in(other, "upland", &upland, NOW + 30, HOUR).unwrap();
    // When the window passes the first failure, one attempt (and one failure) more.
    rooms.sign_in(room, "upland", &upland, NOW + 10 + HOUR, HOUR).unwrap();
    assert_eq!(kind(rooms.sign_in(room, "upland", wrong, NOW + 10 + HOUR, HOUR)), Some(NotFound));
    let e = rooms.sign_in(room, "upland", &upland, NOW + 10 + HOUR, HOUR).unwrap_err();
    assert_eq!(e.retry_at(), Some(NOW + 11 + HOUR));
    // An unknown holder and an unknown room count alike (the limit tells nothing of which
    // exist); a malformed room id and a weak new secret are not failures.
    for _ in 0..3 {
        assert_eq!(kind(rooms.sign_in(room, "nobody", wrong, NOW, HOUR)), Some(NotFound));
        let unknown = "0123456789abcdef0123456789abcdef";
        assert_eq!(kind(rooms.sign_in(unknown, "upland", wrong, NOW, HOUR)), Some(NotFound));
    }
    assert_eq!(kind(rooms.sign_in(room, "nobody", wrong, NOW, HOUR)), Some(TooMany));
    let h = fixture(&mut rooms, &s);
    let (fresh, invitation) = (h.created.room.as_str(), h.created.invitations[0].1.expose());
    let ip: std::net::IpAddr = "192.0.2.7".parse().unwrap();
    let elsewhere: std::net::IpAddr = "192.0.2.8".parse().unwrap();
    for _ in 0..5 {
        let r = rooms.sign_in_from(Some(elsewhere), "nope", "upland", wrong, NOW, HOUR);
        assert_eq!(kind(r), Some(InvalidInput));
        let r = rooms.claim_from(Some(elsewhere), fresh, "upland", invitation, "weak", HOUR, NOW);
        assert_eq!(kind(r), Some(InvalidInput));
    }
    rooms.sign_in(fresh, "upland", &upland, NOW, HOUR).unwrap();
    // By address: five failures from one, on anyone, and it is refused on anyone; another
    // address, or none, is not.
    let party = |k: usize| h.created.invitations[k % 3].0.clone();
    for k in 0..5 {
        let r = rooms.sign_in_from(Some(ip), fresh, &party(k), wrong, NOW, HOUR);
        assert_eq!(kind(r), Some(NotFound));
    }
    let mediator = g.created.mediator.expose();
    let e = rooms.sign_in_from(Some(ip), other, "mediator", mediator, NOW, HOUR).unwrap_err();
    assert!(
        e.message().starts_with(
            "the budget of failed sign-ins and claims from your address (5 in any 1 hour) is spent"
        ),
        "{e}"
    );
    let e = rooms.claim_from(Some(ip), other, "lowland", invitation, &upland, HOUR, NOW);
    assert_eq!(kind(e), Some(TooMany));
    rooms.sign_in_from(Some(elsewhere), other, "mediator", mediator, NOW, HOUR).unwrap();
    rooms.sign_in_from(None, other, "mediator", mediator, NOW, HOUR).unwrap();
    // A limit of nothing is refused; the default is as documented.
    assert!(open().with_sign_in_limit(SignInLimit { failures: 0, ..limit }).is_err());
    assert!(open().with_sign_in_limit(SignInLimit { window: 0, ..limit }).is_err());
    assert_eq!(
        SignInLimit::DEFAULT,
        SignInLimit { failures: 10, per_address: 100, window: 15 * 60 }
    );
}
