//! The generator's only source of randomness, and why its output never changes.
//!
//! Every random choice comes from [`rand_chacha::ChaCha8Rng`], whose output for a given
//! 32-byte key is fixed by the ChaCha specification (RFC 8439's block function with 8 rounds;
//! `rand_chacha` documents it as portable and value-stable). Nothing else is delegated to the
//! `rand` ecosystem: keys are built here with SplitMix64, and numbers are turned into ranges
//! here with integer arithmetic only (no floats, no `rand` distributions, whose algorithms may
//! change between releases). Same seed in, same books out, on every platform and release.
//!
//! Each decision gets its own stream, keyed by `(seed, tag, a, b)`: the plan of month 7 is
//! `(seed, PLAN, 7, 0)`, the third invoice planned that month is `(seed, INVOICE, 7, 3)`.
//! Streams are independent, so generating one more month (a later sync) never shifts the
//! numbers an earlier record was built from.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// SplitMix64's finaliser: a bijective mix of 64 bits (Steele, Lea & Flood, 2014).
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stream of random numbers for one decision of the generator.
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// The stream keyed by `(seed, tag, a, b)`.
    pub(crate) fn derive(seed: u64, tag: u64, a: u64, b: u64) -> Self {
        let mut state = seed;
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_exact_mut(8).enumerate() {
            // SplitMix64 over the key material: each word folds in one more input.
            let input = [tag, a, b, 0x6c65_6467_6572_6272][i];
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ mix64(input);
            chunk.copy_from_slice(&mix64(state).to_le_bytes());
        }
        Self(ChaCha8Rng::from_seed(key))
    }

    /// 64 uniformly random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..n` (`0` when `n` is zero), exactly unbiased: Lemire's
    /// multiply-and-reject method.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let wide = u128::from(self.next_u64()) * u128::from(n);
            if (wide as u64) >= threshold {
                return (wide >> 64) as u64;
            }
        }
    }

    /// A uniform integer in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo) + 1;
        lo.wrapping_add(self.below(span) as i64)
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// A uniform index into a collection of `len` elements.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A uniformly chosen element; `slice` must not be empty.
    pub(crate) fn pick<'a, T>(&mut self, slice: &'a [T]) -> &'a T {
        &slice[self.index(slice.len())]
    }

    /// An index chosen with the given integer weights (the last index if all are zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut roll = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if roll < u64::from(w) {
                return i;
            }
            roll -= u64::from(w);
        }
        weights.len().saturating_sub(1)
    }

    /// An index in `0..len` skewed towards the start (the smaller of two uniform draws), so
    /// early customers and suppliers get most of the business, as in real books.
    pub(crate) fn skewed(&mut self, len: usize) -> usize {
        let a = self.index(len);
        let b = self.index(len);
        a.min(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable() {
        // Pinned values: if this fails, every generated data set changed.
        let mut rng = Rng::derive(42, 1, 2, 3);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        let mut again = Rng::derive(42, 1, 2, 3);
        let second: Vec<u64> = (0..3).map(|_| again.next_u64()).collect();
        assert_eq!(first, second);
        let mut other = Rng::derive(42, 1, 2, 4);
        assert_ne!(first[0], other.next_u64());
        assert_eq!(first, PINNED.to_vec());
    }

    const PINNED: [u64; 3] = [
        4_223_079_070_488_967_611,
        3_694_984_514_117_291_253,
        552_067_718_236_211_927,
    ];

    #[test]
    fn ranges_stay_in_bounds() {
        let mut rng = Rng::derive(7, 0, 0, 0);
        for n in 1..200u64 {
            assert!(rng.below(n) < n);
        }
        for _ in 0..1000 {
            let v = rng.between(-3, 5);
            assert!((-3..=5).contains(&v));
        }
        assert_eq!(rng.between(4, 4), 4);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.weighted(&[0, 0, 5]), 2);
        let mut seen = [0u32; 3];
        for _ in 0..3000 {
            seen[rng.weighted(&[1, 2, 0])] += 1;
        }
        assert_eq!(seen[2], 0);
        assert!(seen[1] > seen[0]);
    }
}
