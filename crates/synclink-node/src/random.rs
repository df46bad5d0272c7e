//! Randomness for ids, secrets and tokens, from the operating system's generator.

use thiserror::Error;

#[derive(Debug, Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(getrandom::Error);

pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(RandomError)?;
    Ok(buf)
}

/// `N` random bytes written as lower-case hexadecimal: session ids, tokens, instance ids.
pub fn hex_token<const N: usize>() -> Result<String, RandomError> {
    Ok(synclink_core::invitation::hex(&bytes::<N>()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_and_have_the_right_length() {
        let a = super::hex_token::<16>().unwrap();
        let b = super::hex_token::<16>().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
