//! The limit of failed sign-ins and claims ([`SignInLimit`]): a party's secret is its own
//! choice and may be weak, so guessing it (or an invitation, or the mediator's token) must
//! be slow. Failures are counted in memory, per holder of a room and per client address;
//! successes are not counted.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::error::Error;
use crate::model::{RoomId, next_in_window, quote, spent};

/// The limit of failed sign-ins and claims: at most `failures` failed attempts on one
/// holder of one room (the mediator, or one party; sign-ins and claims counted together) in
/// any `window` seconds, and at most `per_address` from one client address, whatever they
/// tried (a sliding window, as [`crate::DraftBudget`]'s). Past either, every attempt of that
/// holder, or from that address, is refused with [`crate::ErrorKind::TooMany`] saying when
/// the next one may be tried, the right token or secret included, until the window frees a
/// place. A success is not counted, and forgives nothing.
///
/// A failure is an attempt refused as not found: a wrong token, secret or invitation, or an
/// unknown room or holder (counted alike, so that the limit tells nothing of which exist).
/// A malformed request (a room id of the wrong shape, a weak new secret) and a second claim
/// of an invitation are not failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimit {
    /// Failed attempts allowed on one holder of a room in any window (at least 1).
    pub failures: usize,
    /// Failed attempts allowed from one client address in any window (at least 1).
    pub per_address: usize,
    /// The window, in seconds (at least 1).
    pub window: i64,
}

impl SignInLimit {
    /// The limit of a server: 10 failures on one holder, and 100 from one address, in any
    /// 15 minutes.
    pub const DEFAULT: SignInLimit =
        SignInLimit { failures: 10, per_address: 100, window: 15 * 60 };
}

/// The most holders (and, apart, addresses) whose failures are kept at once. Past it, the
/// failures that left the window are dropped; if every one is still in it (a flood of
/// failures on as many targets within one window), an attempt on a holder not yet counted
/// is refused until one leaves, so that no holder escapes the count.
const MAX_TRACKED: usize = 100_000;

/// The failures in the window, by holder and by address.
pub(crate) struct Failures {
    limit: SignInLimit,
    holders: HashMap<(String, String), Vec<i64>>,
    addresses: HashMap<IpAddr, Vec<i64>>,
}

/// The address counted for a client: an IPv4 address as it is (also when mapped into
/// IPv6), an IPv6 address by its /64 network (what one host is usually given).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !(u64::MAX as u128)).into()),
        },
    }
}

/// Keeps the times still in the window ending at `now`.
fn prune(times: &mut Vec<i64>, window: i64, now: i64) {
    times.retain(|&t| t > now - window);
}

/// Drops the keys with no failure left in the window; if `map` is still full, the earliest
/// time at which a key's failures all leave it.
fn make_room<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Vec<i64>>,
    window: i64,
    now: i64,
) -> Option<i64> {
    if map.len() < MAX_TRACKED {
        return None;
    }
    map.retain(|_, times| {
        prune(times, window, now);
        !times.is_empty()
    });
    if map.len() < MAX_TRACKED {
        return None;
    }
    map.values().filter_map(|t| t.iter().max()).map(|t| t + window).min()
}

impl Failures {
    pub(crate) fn new(limit: SignInLimit) -> Failures {
        Failures { limit, holders: HashMap::new(), addresses: HashMap::new() }
    }

    /// Leave to try signing in or claiming as `who` in `room` from `client` at `now`, or a
    /// [`crate::ErrorKind::TooMany`] error saying when the next try may be made.
    pub(crate) fn check(
        &mut self,
        room: &RoomId,
        who: &str,
        client: Option<IpAddr>,
        now: i64,
    ) -> Result<(), Error> {
        let SignInLimit { failures, per_address, window } = self.limit;
        let holder = if who == "mediator" {
            "the mediator".to_string()
        } else {
            format!("party {}", quote(who))
        };
        let key = (room.as_str().to_string(), who.to_string());
        let times = self.holders.get_mut(&key).map(|t| {
            prune(t, window, now);
            t.as_slice()
        });
        let at = next_in_window(failures, window, times.unwrap_or_default(), now);
        if at > now {
            return Err(spent(
                &format!("the budget of failed sign-ins and claims of {holder} in this room"),
                failures,
                window,
                "each may be a guess of its secret",
                "the next sign-in or claim may be tried",
                at,
                now,
            ));
        }
        if let Some(ip) = client.map(address_key) {
            let times = self.addresses.get_mut(&ip).map(|t| {
                prune(t, window, now);
                t.as_slice()
            });
            let at = next_in_window(per_address, window, times.unwrap_or_default(), now);
            if at > now {
                return Err(spent(
                    "the budget of failed sign-ins and claims from your address",
                    per_address,
                    window,
                    "each may be a guess of a secret",
                    "the next sign-in or claim may be tried",
                    at,
                    now,
                ));
            }
        }
        let full = match self.holders.contains_key(&key) {
            true => None,
            false => make_room(&mut self.holders, window, now),
        };
        let full = full.or_else(|| match client.map(address_key) {
            Some(ip) if !self.addresses.contains_key(&ip) => {
                make_room(&mut self.addresses, window, now)
            }
            _ => None,
        });
        if let Some(at) = full {
            return Err(spent(
                "the server's count of failed sign-ins and claims",
                MAX_TRACKED,
                window,
                "a flood of failures on as many holders or addresses; every one is counted",
                "the next sign-in or claim may be tried",
                at.max(now + 1),
                now,
            ));
        }
        Ok(())
    }

    /// Counts a failed attempt as `who` in `room` from `client` at `now` (after
    /// [`Failures::check`] allowed it, so that there is room to count it).
    pub(crate) fn failed(&mut self, room: &RoomId, who: &str, client: Option<IpAddr>, now: i64) {
        let key = (room.as_str().to_string(), who.to_string());
        self.holders.entry(key).or_default().push(now);
        if let Some(ip) = client.map(address_key) {
            self.addresses.entry(ip).or_default().push(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn room(n: u8) -> RoomId {
        RoomId::parse(&format!("{n:032x}")).unwrap()
    }

    #[test]
    fn failures_past_the_limit_are_refused_until_the_window_passes_them() {
        let limit = SignInLimit { failures: 3, per_address: 5, window: 60 };
        let mut f = Failures::new(limit);
        let (r1, r2) = (room(1), room(2));
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for t in [0, 10, 20] {
            f.check(&r1, "upland", Some(ip), t).unwrap();
            f.failed(&r1, "upland", Some(ip), t);
        }
        let e = f.check(&r1, "upland", Some(ip), 30).unwrap_err();
        assert_eq!((e.kind(), e.retry_at()), (ErrorKind::TooMany, Some(60)));
        assert_eq!(
            e.message(),
            "the budget of failed sign-ins and claims of party \"upland\" in this room (3 in any \
             1 min) is spent (each may be a guess of its secret; docs/security.md): the next \
             sign-in or claim may be tried at 1970-01-01 00:01:00 UTC, in 30 s"
        );
        assert!(f.check(&r1, "upland", None, 59).is_err());
        // Another holder, the same holder of another room: their own counts.
        f.check(&r1, "mediator", Some(ip), 30).unwrap();
        f.check(&r2, "upland", Some(ip), 30).unwrap();
        // At 60 the first failure leaves the window: one place, and no more.
        f.check(&r1, "upland", Some(ip), 60).unwrap();
        f.failed(&r1, "upland", Some(ip), 60);
        assert_eq!(f.check(&r1, "upland", None, 60).unwrap_err().retry_at(), Some(70));
        // Five failures from the address in the window (10, 20, 60 and two at 61), on
        // anyone: it is refused until the one at 10 leaves.
        f.failed(&r2, "lowland", Some(ip), 61);
        f.failed(&r2, "lowland", Some(ip), 61);
        let e = f.check(&r2, "commission", Some(ip), 62).unwrap_err();
        assert!(
            e.message().starts_with(
                "the budget of failed sign-ins and claims from your address (5 in any 1 min)"
            ),
            "{e}"
        );
        assert_eq!(e.retry_at(), Some(70));
        // Without an address (or from another), the holder's own count alone.
        f.check(&r2, "commission", None, 62).unwrap();
        f.check(&r2, "commission", Some("192.0.2.8".parse().unwrap()), 62).unwrap();
    }

    #[test]
    fn addresses_are_counted_by_host() {
        let v6 = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(v6("2001:db8:1:2:3:4:5:6"), v6("2001:db8:1:2::9"));
        assert_ne!(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1"));
        assert_eq!(v6("::ffff:192.0.2.7"), v6("192.0.2.7"));
        assert_ne!(v6("192.0.2.7"), v6("192.0.2.8"));
    }

    #[test]
    fn a_full_count_refuses_new_holders_until_one_leaves_the_window() {
        let limit = SignInLimit { failures: 3, per_address: 5, window: 60 };
        let mut f = Failures::new(limit);
        for n in 0..MAX_TRACKED {
            f.holders.insert((n.to_string(), "upland".to_string()), vec![n as i64 % 30]);
        }
        let r = room(1);
        let e = f.check(&r, "upland", None, 40).unwrap_err();
        assert_eq!((e.kind(), e.retry_at()), (ErrorKind::TooMany, Some(60)));
        // Once the window passes the oldest failures, they are dropped and a place is free.
        f.check(&r, "upland", None, 60).unwrap();
        assert_eq!(f.holders.len(), MAX_TRACKED - MAX_TRACKED.div_ceil(30));
    }
}
