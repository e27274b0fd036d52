//! Password hashes and secrets, shared by the command line (`rounds user passwd`,
//! `rounds token add`) and the web (sign-in, sessions, API tokens), so that both write
//! what the other reads. Passwords are argon2id PHC strings (m=19456 KiB, t=2, p=1,
//! OWASP's minimum); secrets are random 256-bit values shown once and stored as their
//! SHA-256 only.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// Password length limits, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 200;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least 10 characters long")]
    TooShort,
    #[error("the password must be at most 200 characters long")]
    TooLong,
    #[error("the password is blank or only spaces; choose one of at least 10 characters")]
    Blank,
    #[error(
        "the password begins or ends with a space, which is lost easily when it is typed or \
         pasted; remove the space or put it inside"
    )]
    EdgeSpace,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

/// The rules a new password follows, whichever door it comes through (`rounds user
/// passwd`, the pages, the API): not blank, no space at either end, 10 to 200
/// characters. Existing passwords are never re-checked; signing in compares as typed.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    if password.trim().is_empty() {
        return Err(PasswordError::Blank);
    }
    if password.trim() != password {
        return Err(PasswordError::EdgeSpace);
    }
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// Checks a new password ([`check_password`]) and hashes it as an argon2id PHC string.
/// It takes tens of milliseconds of CPU on purpose: async callers run it off their
/// workers.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_password(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// A hash of a password nobody has, verified when the sign-in name is unknown so that an
/// unknown name costs the same time as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

/// Whether `password` matches the PHC string; `None` (an unknown user) never matches
/// but costs the same time.
pub fn verify_password(password: &str, phc: Option<&str>) -> bool {
    let phc = phc.unwrap_or(DUMMY_HASH.as_str());
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new random secret (session id, CSRF token or API token), 64 hex digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    // The OS generator failing is not something a caller can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    hex(&bytes)
}

/// What the store keeps of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_at_owasp_strength_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }

    #[test]
    fn blank_and_space_edged_passwords_are_refused_before_hashing() {
        for blank in ["          ", " \t        \n", ""] {
            assert!(
                matches!(check_password(blank), Err(PasswordError::Blank)),
                "{blank:?}"
            );
        }
        for edged in [" correct horse", "correct horse ", "\tcorrect horse"] {
            assert!(
                matches!(check_password(edged), Err(PasswordError::EdgeSpace)),
                "{edged:?}"
            );
        }
        assert!(check_password("correct horse battery").is_ok());
        assert!(hash_password("          ").is_err());
    }

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret());
        assert_ne!(secret_hash(&a), a);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &new_secret()));
    }
}
