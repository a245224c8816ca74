//! SM2 signing (SM2 数字签名, GB/T 32918.2-2016 §6.1) with what does not depend on the
//! message made ahead: `Z_A` and `(1 + d)⁻¹` once per key, and nonces `k` with the
//! x-coordinate of `kG` in a stock that [`Sm2Key::prepare`] fills outside the write
//! transaction. Signing itself is then a hash and a few scalar multiplications.
//!
//! Each `k` comes from the operating system's random generator and is taken out of the stock
//! by the one signature that uses it, so no nonce is ever used twice by this process. (The
//! `sm2` crate's own signer derives `k` from the key and message, RFC 6979, and cannot start
//! before the message is known.) Signatures verify with any SM2 verifier; the tests check them
//! with the `sm2` crate's.
//!
//! The price of a `k` chosen before its message: a copy of the running process (a virtual
//! machine snapshot resumed twice, a process checkpoint restored twice) holds the same stock,
//! and two copies signing different messages with one `k` would give the key away. So the
//! stock is small ([`STOCK`]), a nonce older than [`NONCE_LIFE`] is thrown away rather than
//! used, and the secrets are wiped when dropped. Run signing nodes from a fresh start, not from
//! a copied memory image.

use sm2::elliptic_curve::bigint::U256;
use sm2::elliptic_curve::ops::Reduce;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::elliptic_curve::subtle::ConstantTimeEq;
use sm2::elliptic_curve::{BatchNormalize, Generate, Group};
use sm2::{NonZeroScalar, ProjectivePoint, Scalar};
use sm3::{Digest, Sm3};
use std::sync::{Mutex, PoisonError};
use zeroize::Zeroize;

use super::{KeyError, SM2_DIST_ID};

/// The most nonces kept ahead per key: a few concurrent decisions' worth.
const STOCK: usize = 16;
/// How long a nonce made ahead may wait for its signature.
const NONCE_LIFE: std::time::Duration = std::time::Duration::from_secs(10);

/// The curve's `a`, `b` and base point (GB/T 32918.5-2017), as `Z_A` hashes them.
const A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const GX: [u8; 32] = hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GY: [u8; 32] = hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not an upper-case hex digit"),
        }
    }
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// A nonce `k`, `x₁ mod n` of `kG`, and when it was made.
struct Nonce {
    k: Scalar,
    x1: Scalar,
    made: std::time::Instant,
}

impl Drop for Nonce {
    fn drop(&mut self) {
        self.k.zeroize();
    }
}

/// An SM2 signing key with its precomputed parts.
pub(crate) struct Sm2Key {
    /// Kept for its secret scalar (wiped on drop by the library) and public key.
    key: sm2::dsa::SigningKey,
    /// `Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)`.
    za: [u8; 32],
    /// `(1 + d)⁻¹ mod n`.
    d_plus_1_inv: Scalar,
    nonces: Mutex<Vec<Nonce>>,
}

impl Drop for Sm2Key {
    fn drop(&mut self) {
        // (1 + d)⁻¹ gives d away; the library wipes d itself.
        self.d_plus_1_inv.zeroize();
    }
}

impl Sm2Key {
    pub(crate) fn new(key: sm2::dsa::SigningKey) -> Result<Self, KeyError> {
        let d: Scalar = **key.as_nonzero_scalar();
        let d_plus_1_inv =
            Option::<Scalar>::from((d + Scalar::ONE).invert()).ok_or(KeyError::InvalidSecret)?;
        let public = key.verifying_key().to_sec1_bytes();
        // Uncompressed SEC1: 0x04 ‖ x ‖ y.
        if public.len() != 65 {
            return Err(KeyError::InvalidSecret);
        }
        let id = SM2_DIST_ID.as_bytes();
        let entl = u16::try_from(id.len() * 8).map_err(|_| KeyError::InvalidSecret)?;
        let za: [u8; 32] = Sm3::new()
            .chain_update(entl.to_be_bytes())
            .chain_update(id)
            .chain_update(A)
            .chain_update(B)
            .chain_update(GX)
            .chain_update(GY)
            .chain_update(&public[1..])
            .finalize()
            .into();
        Ok(Sm2Key {
            key,
            za,
            d_plus_1_inv,
            nonces: Mutex::new(Vec::new()),
        })
    }

    /// The 32-byte secret scalar.
    pub(crate) fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes().into()
    }

    /// Adds `n` nonces to the stock, keeping it at most [`STOCK`]: steps that prepare at the
    /// same time each get theirs.
    pub(crate) fn prepare(&self, n: usize) -> Result<(), KeyError> {
        let room = STOCK.saturating_sub(self.stock().len());
        let made = nonces(n.min(room))?;
        let mut stock = self.stock();
        let room = STOCK.saturating_sub(stock.len());
        stock.extend(made.into_iter().take(room));
        Ok(())
    }

    fn stock(&self) -> std::sync::MutexGuard<'_, Vec<Nonce>> {
        self.nonces.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The raw signature `r ‖ s` of `msg` (GB/T 32918.2-2016 §6.1).
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<[u8; 64], KeyError> {
        let digest = Sm3::new_with_prefix(self.za).chain_update(msg).finalize();
        let e = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&digest));
        let d: Scalar = **self.key.as_nonzero_scalar();
        // A nonce that gives r = 0, r + k = n or s = 0 is dropped and the next one tried
        // (each with probability about 2⁻²⁵⁶).
        for _ in 0..8 {
            let taken = self.stock().pop();
            let n = match taken {
                Some(n) if n.made.elapsed() <= NONCE_LIFE => n,
                _ => nonce()?,
            };
            let r = e + n.x1;
            if bool::from(r.is_zero() | (r + n.k).ct_eq(&Scalar::ZERO)) {
                continue;
            }
            let s = self.d_plus_1_inv * (n.k - r * d);
            if bool::from(s.is_zero()) {
                continue;
            }
            let sig =
                sm2::dsa::Signature::from_scalars(r, s).map_err(|_| KeyError::SigningFailed)?;
            return Ok(sig.to_bytes().into());
        }
        Err(KeyError::SigningFailed)
    }
}

/// A fresh nonce from the operating system's random generator.
fn nonce() -> Result<Nonce, KeyError> {
    nonces(1)?.pop().ok_or(KeyError::Random)
}

/// `n` fresh nonces. Their points `kG` share one field inversion (Montgomery's trick) to
/// reach affine `x`; an inversion is about a quarter of the cost of a nonce made alone.
fn nonces(n: usize) -> Result<Vec<Nonce>, KeyError> {
    let mut ks = zeroize::Zeroizing::new(Vec::with_capacity(n));
    for _ in 0..n {
        ks.push(*NonZeroScalar::try_generate().map_err(|_| KeyError::Random)?);
    }
    let points: Vec<ProjectivePoint> = ks.iter().map(ProjectivePoint::mul_by_generator).collect();
    let affine = <ProjectivePoint as BatchNormalize<[ProjectivePoint]>>::batch_normalize(&points);
    let made = std::time::Instant::now();
    Ok(ks
        .iter()
        .zip(affine)
        .map(|(k, point)| Nonce {
            k: *k,
            x1: <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&point.x())),
            made,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use sm2::dsa::signature::Verifier as _;

    fn key() -> sm2::dsa::SigningKey {
        sm2::dsa::SigningKey::new(SM2_DIST_ID, &sm2::SecretKey::try_generate().unwrap()).unwrap()
    }

    #[test]
    fn the_curve_constants_are_the_crates() {
        let g = ProjectivePoint::GENERATOR.to_affine();
        assert_eq!(g.x().as_slice(), GX);
        assert!(!bool::from(g.y_is_odd()), "G's y ends in 0xA0, even");
    }

    #[test]
    fn signatures_verify_with_the_sm2_crate_and_nonces_are_never_reused() {
        for _ in 0..4 {
            let sk = key();
            let vk = sk.verifying_key().clone();
            let k = Sm2Key::new(sk).unwrap();
            k.prepare(2).unwrap();
            k.prepare(1).unwrap();
            assert_eq!(k.stock().len(), 3, "each call adds its own");
            let mut seen = std::collections::HashSet::new();
            // Three from the stock, then two made on the spot.
            for i in 0..5 {
                let msg = format!("电子证照 {i}");
                let raw = k.sign(msg.as_bytes()).unwrap();
                let sig = sm2::dsa::Signature::from_slice(&raw).unwrap();
                vk.verify(msg.as_bytes(), &sig).unwrap();
                assert!(vk.verify(b"another message", &sig).is_err());
                assert!(
                    seen.insert(raw[..32].to_vec()),
                    "r repeats: a nonce was reused"
                );
            }
            assert!(k.stock().is_empty());
            // The same message twice: two different signatures, both valid.
            let a = k.sign(b"same").unwrap();
            let b = k.sign(b"same").unwrap();
            assert_ne!(a, b);
        }
    }

    #[test]
    fn nonces_made_together_have_the_x_of_their_own_point() {
        let made = nonces(5).unwrap();
        assert_eq!(made.len(), 5);
        let mut ks = std::collections::HashSet::new();
        for n in &made {
            let alone = ProjectivePoint::mul_by_generator(&n.k).to_affine();
            let x1 = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&alone.x()));
            assert_eq!(n.x1, x1, "one shared inversion gives each point's own x");
            assert!(ks.insert(n.k.to_bytes().to_vec()), "every k is fresh");
        }
        assert!(nonces(0).unwrap().is_empty());
    }

    #[test]
    fn a_stale_nonce_is_not_used() {
        let sk = key();
        let vk = sk.verifying_key().clone();
        let k = Sm2Key::new(sk).unwrap();
        k.prepare(1).unwrap();
        let old = {
            let mut stock = k.stock();
            stock[0].made -= NONCE_LIFE + std::time::Duration::from_secs(1);
            stock[0].x1
        };
        let raw = k.sign(b"late").unwrap();
        let sig = sm2::dsa::Signature::from_slice(&raw).unwrap();
        vk.verify(b"late", &sig).unwrap();
        assert!(k.stock().is_empty(), "the stale one was thrown away");
        // r = e + x1: with the stale nonce, r - e would be its x1.
        let digest = Sm3::new_with_prefix(k.za).chain_update(b"late").finalize();
        let e = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&digest));
        let r = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&raw[..32]));
        assert_ne!(r - e, old);
    }

    #[test]
    fn the_stock_is_bounded() {
        let k = Sm2Key::new(key()).unwrap();
        k.prepare(1000).unwrap();
        assert_eq!(k.stock().len(), STOCK);
        k.prepare(2).unwrap();
        assert_eq!(k.stock().len(), STOCK, "a full stock is left as it is");
        k.sign(b"one").unwrap();
        k.prepare(2).unwrap();
        assert_eq!(
            k.stock().len(),
            STOCK,
            "topped up to the bound, not past it"
        );
    }
}
