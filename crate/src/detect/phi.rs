//! The φ accrual detector's arithmetic (Hayashibara, Défago, Yared &
//! Katayama, "The φ Accrual Failure Detector", SRDS 2004, §4): a sliding
//! window of inter-arrival times, the distribution fitted to it, and
//! φ(t) = −log10(P_later(t)), the probability that a heartbeat comes later
//! than `t` after the last one. Floats only through `libm`.

use std::collections::VecDeque;

use super::msg::{Model, PhiParams};
use crate::protocol::Time;

/// φ never goes above this (1 − F underflows to 0 past it).
pub const PHI_MAX: f64 = 100.0;

/// The sliding window of inter-arrival times of one peer (§4: "the
/// inter-arrival times are stored in a sliding window of fixed size").
#[derive(Clone, Debug, Default)]
pub struct Window {
    gaps: VecDeque<f64>,
    sum: f64,
    squares: f64,
    max: usize,
}

impl Window {
    /// A window seeded as Akka seeds it before the first heartbeat: the
    /// first estimate ± a quarter of it.
    pub fn seeded(p: &PhiParams) -> Window {
        let mut w = Window { max: p.max_samples as usize, ..Window::default() };
        let mean = p.first_estimate_ms as f64;
        w.push(mean - mean / 4.0);
        w.push(mean + mean / 4.0);
        w
    }

    pub fn push(&mut self, gap: f64) {
        if self.gaps.len() >= self.max.max(1)
            && let Some(old) = self.gaps.pop_front()
        {
            self.sum -= old;
            self.squares -= old * old;
        }
        self.gaps.push_back(gap);
        self.sum += gap;
        self.squares += gap * gap;
    }

    pub fn len(&self) -> usize {
        self.gaps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gaps.is_empty()
    }

    pub fn mean(&self) -> f64 {
        if self.gaps.is_empty() { 0.0 } else { self.sum / self.gaps.len() as f64 }
    }

    pub fn std_dev(&self) -> f64 {
        if self.gaps.is_empty() {
            return 0.0;
        }
        let m = self.mean();
        let var = self.squares / self.gaps.len() as f64 - m * m;
        libm::sqrt(var.max(0.0))
    }
}

/// φ for a peer last heard `gap_ms` ago, with `w` its window.
pub fn phi(p: &PhiParams, w: &Window, gap_ms: Time) -> f64 {
    let t = gap_ms as f64;
    let v = match p.model() {
        Model::Exponential => {
            let mean = w.mean().max(1.0);
            t / (mean * core::f64::consts::LN_10)
        }
        Model::Normal | Model::Logistic => {
            let mean = w.mean() + p.acceptable_pause_ms as f64;
            let sd = w.std_dev().max(p.min_std_dev_ms as f64);
            let y = (t - mean) / sd;
            let later = if p.model() == Model::Normal {
                0.5 * libm::erfc(y / core::f64::consts::SQRT_2)
            } else {
                // Akka's PhiAccrualFailureDetector.phi.
                let e = libm::exp(-y * (1.5976 + 0.070566 * y * y));
                if t > mean { e / (1.0 + e) } else { 1.0 - 1.0 / (1.0 + e) }
            };
            if later <= 0.0 { PHI_MAX } else { -libm::log10(later) }
        }
    };
    v.clamp(0.0, PHI_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_one_is_about_ten_percent_and_grows_with_the_gap() {
        let p = PhiParams { acceptable_pause_ms: 0, ..PhiParams::default() };
        let w = Window::seeded(&p);
        // mean 1000, sd max(250, 100) = 250: at the mean P_later = 1/2.
        assert!((phi(&p, &w, 1000) - libm::log10(2.0)).abs() < 1e-9);
        // 1.2816 sd past the mean: P_later = 10%, φ = 1.
        assert!((phi(&p, &w, 1000 + 320) - 1.0).abs() < 0.01);
        assert!(phi(&p, &w, 2000) < phi(&p, &w, 2500));
        assert_eq!(phi(&p, &w, 100_000), PHI_MAX);
    }

    #[test]
    fn the_window_slides() {
        let p = PhiParams { max_samples: 3, ..PhiParams::default() };
        let mut w = Window::seeded(&p);
        for _ in 0..5 {
            w.push(100.0);
        }
        assert_eq!(w.len(), 3);
        assert!((w.mean() - 100.0).abs() < 1e-9 && w.std_dev() < 1e-6);
    }
}
