//! Tokens and their hashes: invitation tokens stored only as argon2 hashes, session tokens
//! looked up by their BLAKE2b digest, every token 256 bits from the operating system's
//! generator.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use blake2::{Blake2b, Digest, digest::consts::U32};

use crate::error::{Error, ErrorKind};

/// A secret token given to its holder once (an invitation or a session): its `Debug` does
/// not show it, so a log of a value that holds one does not leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The token itself, to hand to its holder.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// How costly an argon2 hash is: [`HashCost::Standard`] for a server (argon2id, 19 MiB,
/// 2 passes: OWASP's recommendation), [`HashCost::Fast`] only for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashCost {
    /// argon2id, m = 19 MiB, t = 2, p = 1.
    Standard,
    /// argon2id, m = 64 KiB, t = 1, p = 1: for tests, never for a server.
    Fast,
}

impl HashCost {
    fn argon2(self) -> Argon2<'static> {
        let params = match self {
            HashCost::Standard => Params::new(19 * 1024, 2, 1, None),
            HashCost::Fast => Params::new(64, 1, 1, None),
        };
        // Both parameter sets are within argon2's limits.
        let params = params.unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }
}

/// `n` bytes from the operating system's generator.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("no randomness: {e}")))?;
    Ok(b)
}

/// A new token: 32 random bytes as 64 hexadecimal digits.
pub(crate) fn token() -> Result<Secret, Error> {
    Ok(Secret(hex(&random::<32>()?)))
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Whether a presented token has a token's shape (64 lowercase hexadecimal digits): one
/// that has not is refused before any hashing or lookup.
pub(crate) fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The argon2 hash of a token (PHC string: algorithm, parameters, salt, hash).
pub(crate) fn hash(token: &Secret, cost: HashCost) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&random::<16>()?)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("salt: {e}")))?;
    cost.argon2()
        .hash_password(token.0.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::new(ErrorKind::Storage, format!("hash: {e}")))
}

/// Whether `token` matches a stored argon2 hash (the parameters are read from the hash).
pub(crate) fn verify(token: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    Argon2::default().verify_password(token.as_bytes(), &parsed).is_ok()
}

/// The digest under which a session token is stored: BLAKE2b-256, hexadecimal. A session
/// token is 256 random bits, so a fast hash suffices; the table never holds the token.
pub(crate) fn digest(token: &str) -> String {
    let mut h = Blake2b::<U32>::new();
    h.update(token.as_bytes());
    hex(&h.finalize())
}

/// The CSRF token of a session: a digest of the session token under its own label, so a
/// page can carry it in a form without carrying the session, and another site, which cannot
/// read the page, cannot forge a change (the server checks it on every change signed in by
/// the session cookie).
pub fn csrf_token(session: &str) -> String {
    digest(&format!("detente csrf\n{session}"))
}

/// Whether `presented` is the CSRF token of `session` (compared in constant time).
pub fn csrf_matches(session: &str, presented: Option<&str>) -> bool {
    let Some(presented) = presented else { return false };
    let expected = csrf_token(session);
    expected.len() == presented.len()
        && expected.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hash_and_verify() {
        let t = token().unwrap();
        assert!(well_formed(t.expose()));
        assert_ne!(t, token().unwrap());
        let h = hash(&t, HashCost::Fast).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(!h.contains(t.expose()));
        assert!(verify(t.expose(), &h));
        assert!(!verify(token().unwrap().expose(), &h));
        assert!(!verify(t.expose(), "not a hash"));
        assert_eq!(format!("{t:?}"), "Secret(..)");
        assert_eq!(digest("abc").len(), 64);
        assert_ne!(digest("abc"), digest("abd"));
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert!(!well_formed("ABC") && !well_formed(&"g".repeat(64)));
        let c = csrf_token(t.expose());
        assert!(csrf_matches(t.expose(), Some(&c)));
        assert!(!csrf_matches(t.expose(), None));
        assert!(!csrf_matches(t.expose(), Some(&csrf_token("other"))));
        assert!(!csrf_matches(t.expose(), Some(&c[..10])));
        assert_ne!(c, digest(t.expose()));
    }
}
