//! Tokens and their hashes: invitation tokens and the secrets parties choose when they claim
//! them stored only as argon2 hashes, session tokens looked up by their BLAKE2b digest, every
//! token 256 bits from the operating system's generator.

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

/// The fewest characters of a secret a party chooses when it claims its invitation.
pub const MIN_SECRET_CHARS: usize = 12;

/// The fewest different characters in such a secret (`aaaaaaaaaaaa` is refused).
pub const MIN_SECRET_DISTINCT: usize = 5;

/// The longest secret or token accepted (bytes).
pub const MAX_SECRET_BYTES: usize = 256;

/// Whether `secret` is strong enough to be a party's own: at least [`MIN_SECRET_CHARS`]
/// characters, of at least [`MIN_SECRET_DISTINCT`] different ones, at most
/// [`MAX_SECRET_BYTES`] bytes, no control character, and not the invitation it replaces
/// (which the mediator has seen). The error says which rule it breaks, never the secret.
pub fn check_new_secret(secret: &str, invitation: &str) -> Result<(), Error> {
    let n = secret.chars().count();
    let weak = |why: String| Error::invalid(format!("secret: {why}"));
    if secret.len() > MAX_SECRET_BYTES {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("secret: longer than {MAX_SECRET_BYTES} bytes"),
        ));
    }
    if n < MIN_SECRET_CHARS {
        return Err(weak(format!(
            "{n} characters, expected at least {MIN_SECRET_CHARS} (a few words in a row will do)"
        )));
    }
    if secret.chars().any(char::is_control) {
        return Err(weak(
            "a control character (a line break, a tab), expected printable text only".into(),
        ));
    }
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_SECRET_DISTINCT {
        return Err(weak(format!(
            "{} different characters, expected at least {MIN_SECRET_DISTINCT}",
            distinct.len()
        )));
    }
    if secret == invitation {
        return Err(weak(
            "the invitation itself, which the mediator has seen: choose a secret nobody else knows"
                .into(),
        ));
    }
    Ok(())
}

/// Whether a presented secret or token could be one (1 to [`MAX_SECRET_BYTES`] bytes): one
/// that could not is refused before any hashing or lookup.
pub(crate) fn presentable(secret: &str) -> bool {
    (1..=MAX_SECRET_BYTES).contains(&secret.len())
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

/// The argon2 hash of a token or a secret (PHC string: algorithm, parameters, salt, hash).
pub(crate) fn hash(token: &str, cost: HashCost) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&random::<16>()?)
        .map_err(|e| Error::new(ErrorKind::Storage, format!("salt: {e}")))?;
    cost.argon2()
        .hash_password(token.as_bytes(), &salt)
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
        let h = hash(t.expose(), HashCost::Fast).unwrap();
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

    #[test]
    fn a_new_secret_must_be_strong_and_not_the_invitation() {
        let invitation = token().unwrap();
        let inv = invitation.expose();
        for ok in ["correct horse battery", "abcde abcde ", "ünïcödé-pässwörd", "x1y2z3w4v5u6"]
        {
            assert_eq!(check_new_secret(ok, inv), Ok(()), "{ok}");
        }
        let cases = [
            ("short", "secret: 5 characters, expected at least 12"),
            ("ünïcödé-päs", "secret: 11 characters, expected at least 12"),
            ("aaaaaaaaaaaaaaaa", "secret: 1 different characters, expected at least 5"),
            ("abababababab", "secret: 2 different characters, expected at least 5"),
            ("correct\nhorse battery", "secret: a control character"),
            (inv, "secret: the invitation itself, which the mediator has seen"),
        ];
        for (bad, start) in cases {
            let e = check_new_secret(bad, inv).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}");
            assert!(e.message().starts_with(start), "{bad}: {e}");
            assert!(!e.message().contains(bad), "the message does not repeat the secret: {e}");
        }
        let long = "abcdef".repeat(50);
        assert_eq!(check_new_secret(&long, inv).unwrap_err().kind(), ErrorKind::TooLarge);
        // A secret of exactly the bounds.
        assert!(check_new_secret(&"abcdefgh".repeat(32), inv).is_ok());
        assert!(presentable("x") && !presentable("") && !presentable(&long));
    }
}
