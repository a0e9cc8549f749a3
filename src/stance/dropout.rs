//! Dropout with its own seeded generator, so a training run is reproducible and can resume
//! mid-epoch with the same masks (candle's CPU random tensors cannot be seeded).

use candle_core::{Result, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct DropoutRng {
    rng: StdRng,
}

impl DropoutRng {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Zeroes each element with probability `p` and scales the rest by 1/(1-p).
    pub fn apply(&mut self, xs: &Tensor, p: f32) -> Result<Tensor> {
        if p <= 0.0 {
            return Ok(xs.clone());
        }
        if p >= 1.0 {
            return xs.zeros_like();
        }
        let scale = 1.0 / (1.0 - p);
        let mask: Vec<f32> = (0..xs.elem_count())
            .map(|_| {
                if self.rng.gen::<f32>() < p {
                    0.0
                } else {
                    scale
                }
            })
            .collect();
        let mask = Tensor::from_vec(mask, xs.shape(), xs.device())?.to_dtype(xs.dtype())?;
        xs.mul(&mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn keeps_expectation_and_is_reproducible() {
        let xs = Tensor::ones(10_000, candle_core::DType::F32, &Device::Cpu).unwrap();
        let a = DropoutRng::new(7).apply(&xs, 0.1).unwrap();
        let b = DropoutRng::new(7).apply(&xs, 0.1).unwrap();
        let a: Vec<f32> = a.to_vec1().unwrap();
        let b: Vec<f32> = b.to_vec1().unwrap();
        assert_eq!(a, b);
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
        let zeros = a.iter().filter(|v| **v == 0.0).count();
        assert!((800..1200).contains(&zeros), "zeros {zeros}");
    }
}
