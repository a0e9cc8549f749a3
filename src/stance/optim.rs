//! AdamW (Loshchilov & Hutter 2019) with the usual fine-tuning conventions: decoupled weight
//! decay that spares biases and layer norms, global gradient-norm clipping, and a state that
//! can be saved and restored so an interrupted run resumes exactly.
//! (candle-nn's AdamW keeps its moments private, so a checkpoint could not hold them.)

use std::collections::HashMap;

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};

pub struct AdamWConfig {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub max_grad_norm: f64,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            max_grad_norm: 1.0,
        }
    }
}

struct Param {
    name: String,
    var: Var,
    first: Tensor,
    second: Tensor,
    decay: bool,
}

pub struct AdamW {
    params: Vec<Param>,
    config: AdamWConfig,
    pub step: u64,
}

fn decays(name: &str) -> bool {
    !(name.ends_with(".bias") || name.contains("LayerNorm"))
}

impl AdamW {
    /// `vars` are named parameters; order does not matter (they are sorted by name).
    pub fn new(vars: HashMap<String, Var>, config: AdamWConfig) -> Result<Self> {
        let mut params = vars
            .into_iter()
            .map(|(name, var)| {
                Ok(Param {
                    decay: decays(&name),
                    first: var.zeros_like()?,
                    second: var.zeros_like()?,
                    name,
                    var,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        params.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self {
            params,
            config,
            step: 0,
        })
    }

    /// Clips the gradients to the configured global norm, then takes one step at `lr`.
    /// Returns the gradient norm before clipping.
    pub fn step(&mut self, grads: &GradStore, lr: f64) -> Result<f64> {
        let mut sum_sq = 0f64;
        for p in &self.params {
            if let Some(g) = grads.get(&p.var) {
                sum_sq += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
            }
        }
        let norm = sum_sq.sqrt();
        let clip = if norm > self.config.max_grad_norm {
            self.config.max_grad_norm / (norm + 1e-6)
        } else {
            1.0
        };
        self.step += 1;
        let c = &self.config;
        let bias1 = 1.0 - c.beta1.powi(self.step as i32);
        let bias2 = 1.0 - c.beta2.powi(self.step as i32);
        for p in &mut self.params {
            let Some(g) = grads.get(&p.var) else { continue };
            let g = (g * clip)?;
            p.first = ((&p.first * c.beta1)? + (&g * (1.0 - c.beta1))?)?;
            p.second = ((&p.second * c.beta2)? + (g.sqr()? * (1.0 - c.beta2))?)?;
            let update = ((&p.first / bias1)? / ((&p.second / bias2)?.sqrt()? + c.eps)?)?;
            let mut theta = p.var.as_tensor().clone();
            if p.decay && c.weight_decay > 0.0 {
                theta = (theta * (1.0 - lr * c.weight_decay))?;
            }
            p.var.set(&(theta - (update * lr)?)?)?;
        }
        Ok(norm)
    }

    /// Moments keyed `m.NAME` and `v.NAME`, for a checkpoint.
    pub fn state(&self) -> HashMap<String, Tensor> {
        let mut state = HashMap::new();
        for p in &self.params {
            state.insert(format!("m.{}", p.name), p.first.clone());
            state.insert(format!("v.{}", p.name), p.second.clone());
        }
        state
    }

    pub fn restore(&mut self, state: &HashMap<String, Tensor>, step: u64) -> Result<()> {
        for p in &mut self.params {
            let get = |key: String| {
                state
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| candle_core::Error::Msg(format!("checkpoint lacks {key}")))
            };
            p.first = get(format!("m.{}", p.name))?;
            p.second = get(format!("v.{}", p.name))?;
        }
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    #[test]
    fn minimises_a_quadratic_and_spares_biases_from_decay() {
        let w = Var::new(&[3.0f32, -2.0], &Device::Cpu).unwrap();
        let b = Var::new(&[5.0f32], &Device::Cpu).unwrap();
        let vars = HashMap::from([
            ("w.weight".to_string(), w.clone()),
            ("w.bias".to_string(), b.clone()),
        ]);
        let config = AdamWConfig {
            weight_decay: 0.5,
            max_grad_norm: 100.0,
            ..Default::default()
        };
        let mut opt = AdamW::new(vars, config).unwrap();
        for _ in 0..500 {
            let loss = w.as_tensor().sqr().unwrap().sum_all().unwrap();
            let grads = loss.backward().unwrap();
            opt.step(&grads, 0.05).unwrap();
        }
        let w: Vec<f32> = w.as_tensor().to_vec1().unwrap();
        assert!(w.iter().all(|x| x.abs() < 0.05), "{w:?}");
        // No gradient and no decay: the bias is untouched.
        assert_eq!(b.as_tensor().to_vec1::<f32>().unwrap(), vec![5.0]);
        let state = opt.state();
        assert_eq!(state.len(), 4);
        let mut again = AdamW::new(
            HashMap::from([
                (
                    "w.weight".to_string(),
                    Var::from_tensor(
                        &Tensor::zeros(2, candle_core::DType::F32, &Device::Cpu).unwrap(),
                    )
                    .unwrap(),
                ),
                (
                    "w.bias".to_string(),
                    Var::new(&[0f32], &Device::Cpu).unwrap(),
                ),
            ]),
            AdamWConfig::default(),
        )
        .unwrap();
        again.restore(&state, opt.step).unwrap();
        assert_eq!(again.step, 500);
    }
}
