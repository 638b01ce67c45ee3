//! Floating-point maths that gives the same bits natively and in wasm: the
//! transcendental functions come from the pure-Rust `libm` (clippy refuses
//! `f64::exp` and its kin in this crate). Square roots and the basic
//! operations are exact IEEE 754 everywhere and need no help.

pub use libm::{exp, log, log10, pow};

/// The standard normal distribution's CDF, through the complementary error
/// function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
        assert!((log10(1000.0) - 3.0).abs() < 1e-15);
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.96) - 0.975).abs() < 1e-3);
        assert_eq!(pow(2.0, 10.0), 1024.0);
    }
}
