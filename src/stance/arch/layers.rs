//! Pieces the encoder architectures share: layer norm, the feed-forward block and scaled
//! dot-product attention, each with a training mode (differentiable kernels, dropout).

use candle_core::{Module, Result, Tensor, D};
use candle_nn::{Linear, VarBuilder};

use super::Mode;

pub(super) struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    pub(super) fn load(size: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get(size, "weight")?,
            bias: vb.get(size, "bias")?,
            eps,
        })
    }

    pub(super) fn forward(&self, xs: &Tensor, mode: &Mode) -> Result<Tensor> {
        if mode.is_train() {
            candle_nn::ops::layer_norm_slow(xs, &self.weight, &self.bias, self.eps as f32)
        } else {
            candle_nn::ops::layer_norm(&xs.contiguous()?, &self.weight, &self.bias, self.eps as f32)
        }
    }
}

/// The position-wise block after attention: `intermediate.dense`, GELU, `output.dense`,
/// dropout, residual, `output.LayerNorm` (the Hugging Face names BERT and MPNet share).
pub(super) struct FeedForward {
    intermediate: Linear,
    output: Linear,
    norm: LayerNorm,
    dropout: f32,
}

impl FeedForward {
    pub(super) fn load(
        hidden: usize,
        intermediate: usize,
        eps: f64,
        dropout: f32,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            intermediate: candle_nn::linear(hidden, intermediate, vb.pp("intermediate.dense"))?,
            output: candle_nn::linear(intermediate, hidden, vb.pp("output.dense"))?,
            norm: LayerNorm::load(hidden, eps, vb.pp("output.LayerNorm"))?,
            dropout,
        })
    }

    pub(super) fn forward(&self, xs: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let hidden = self.intermediate.forward(xs)?.gelu_erf()?;
        let out = mode.dropout(&self.output.forward(&hidden)?, self.dropout)?;
        self.norm.forward(&(out + xs)?, mode)
    }
}

/// Multi-head scaled dot-product attention over projections already made, without the
/// output projection: `bias` is added to the scores (the padding mask, and MPNet's relative
/// positions), broadcast to (batch, heads, seq, seq).
pub(super) struct Attention {
    pub heads: usize,
    pub head_dim: usize,
    pub dropout: f32,
}

impl Attention {
    pub(super) fn new(hidden: usize, heads: usize, dropout: f32) -> Result<Self> {
        if !hidden.is_multiple_of(heads) {
            candle_core::bail!(
                "hidden_size {hidden} is not a multiple of num_attention_heads {heads}"
            );
        }
        Ok(Self {
            heads,
            head_dim: hidden / heads,
            dropout,
        })
    }

    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        xs.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()
    }

    /// The context vectors (batch, seq, hidden) for queries `q`, keys `k` and values `v`, each
    /// (batch, seq, hidden).
    pub(super) fn forward(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        bias: &Tensor,
        mode: &mut Mode,
    ) -> Result<Tensor> {
        let (q, k, v) = (
            self.split_heads(q)?,
            self.split_heads(k)?,
            self.split_heads(v)?,
        );
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?)? * scale)?.broadcast_add(bias)?;
        let probs = if mode.is_train() {
            candle_nn::ops::softmax(&scores, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let probs = mode.dropout(&probs, self.dropout)?;
        probs.matmul(&v)?.transpose(1, 2)?.flatten_from(2)
    }
}

/// (batch, 1, 1, seq): 0 for tokens, a large negative for padding, from a (batch, seq) mask of
/// 1.0 and 0.0.
pub(super) fn padding_bias(attention_mask: &Tensor) -> Result<Tensor> {
    ((attention_mask.to_dtype(candle_core::DType::F32)? - 1.0)? * 1e4)?
        .unsqueeze(1)?
        .unsqueeze(1)
}
