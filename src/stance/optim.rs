//! AdamW (Loshchilov & Hutter 2019) with the usual fine-tuning conventions: decoupled weight
//! decay that spares biases and layer norms, global gradient-norm clipping, and a state that
//! can be saved and restored so an interrupted run resumes exactly.
//! (candle-nn's AdamW keeps its moments private, so a checkpoint could not hold them.)

use std::collections::HashMap;

use candle_core::backprop::GradStore;
use std::sync::Mutex;

use candle_core::{CpuStorage, CustomOp1, InplaceOp2, Layout, Result, Shape, Tensor, Var};

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
    first: Vec<f32>,
    second: Vec<f32>,
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

/// The contiguous f32 data of a CPU tensor.
fn f32_slice<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(data), Some((start, end))) => Ok(&data[start..end]),
        _ => candle_core::bail!("AdamW needs contiguous f32 CPU tensors"),
    }
}

/// Sum of squares of a tensor, as a one-element tensor (no temporary the size of the input).
struct SumOfSquares;

impl CustomOp1 for SumOfSquares {
    fn name(&self) -> &'static str {
        "sum-of-squares"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let sum: f64 = f32_slice(storage, layout)?
            .iter()
            .map(|&x| (x as f64) * (x as f64))
            .sum();
        Ok((CpuStorage::F32(vec![sum as f32]), Shape::from(1)))
    }
}

/// One fused AdamW update of a parameter in place: a single pass over parameter, gradient and
/// moments, where tensor arithmetic would allocate a dozen parameter-sized temporaries.
struct Update<'a> {
    first: Mutex<&'a mut Vec<f32>>,
    second: Mutex<&'a mut Vec<f32>>,
    lr: f32,
    decay: f32,
    clip: f32,
    beta1: f32,
    beta2: f32,
    bias1: f32,
    bias2: f32,
    eps: f32,
}

impl InplaceOp2 for Update<'_> {
    fn name(&self) -> &'static str {
        "adamw-update"
    }

    fn cpu_fwd(
        &self,
        theta: &mut CpuStorage,
        theta_layout: &Layout,
        grad: &CpuStorage,
        grad_layout: &Layout,
    ) -> Result<()> {
        let grad = f32_slice(grad, grad_layout)?;
        let (CpuStorage::F32(theta), Some((start, end))) =
            (theta, theta_layout.contiguous_offsets())
        else {
            candle_core::bail!("AdamW needs contiguous f32 CPU parameters");
        };
        let theta = &mut theta[start..end];
        let mut first = self
            .first
            .lock()
            .map_err(|_| candle_core::Error::Msg("poisoned".into()))?;
        let mut second = self
            .second
            .lock()
            .map_err(|_| candle_core::Error::Msg("poisoned".into()))?;
        if theta.len() != grad.len() || first.len() != grad.len() || second.len() != grad.len() {
            candle_core::bail!("AdamW: parameter, gradient and moments differ in size");
        }
        for (((t, &g), m), v) in theta
            .iter_mut()
            .zip(grad)
            .zip(first.iter_mut())
            .zip(second.iter_mut())
        {
            let g = g * self.clip;
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            let update = (*m / self.bias1) / ((*v / self.bias2).sqrt() + self.eps);
            *t = *t * (1.0 - self.lr * self.decay) - self.lr * update;
        }
        Ok(())
    }
}

impl AdamW {
    /// `vars` are named parameters; order does not matter (they are sorted by name).
    pub fn new(vars: HashMap<String, Var>, config: AdamWConfig) -> Result<Self> {
        let mut params: Vec<Param> = vars
            .into_iter()
            .map(|(name, var)| Param {
                decay: decays(&name),
                first: vec![0.0; var.elem_count()],
                second: vec![0.0; var.elem_count()],
                name,
                var,
            })
            .collect();
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
                sum_sq += g
                    .contiguous()?
                    .apply_op1_no_bwd(&SumOfSquares)?
                    .to_vec1::<f32>()?[0] as f64;
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
            let update = Update {
                first: Mutex::new(&mut p.first),
                second: Mutex::new(&mut p.second),
                lr: lr as f32,
                decay: if p.decay { c.weight_decay as f32 } else { 0.0 },
                clip: clip as f32,
                beta1: c.beta1 as f32,
                beta2: c.beta2 as f32,
                bias1: bias1 as f32,
                bias2: bias2 as f32,
                eps: c.eps as f32,
            };
            p.var.as_tensor().inplace_op2(&g.contiguous()?, &update)?;
        }
        Ok(norm)
    }

    /// Moments keyed `m.NAME` and `v.NAME`, for a checkpoint.
    pub fn state(&self) -> HashMap<String, Tensor> {
        let mut state = HashMap::new();
        for p in &self.params {
            let shape = p.var.shape();
            let device = p.var.device();
            if let (Ok(m), Ok(v)) = (
                Tensor::from_slice(&p.first, shape, device),
                Tensor::from_slice(&p.second, shape, device),
            ) {
                state.insert(format!("m.{}", p.name), m);
                state.insert(format!("v.{}", p.name), v);
            }
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
            p.first = get(format!("m.{}", p.name))?.flatten_all()?.to_vec1()?;
            p.second = get(format!("v.{}", p.name))?.flatten_all()?.to_vec1()?;
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
