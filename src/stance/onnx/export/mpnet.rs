//! MPNet as ONNX Runtime's fused transformer operators, keyed on the Hugging Face parameter
//! names. The relative-position bias is a constant table by distance (every distance an input
//! can have, each with its bucket's per-head bias), gathered into (1, heads, seq, seq) and
//! given to every layer's attention.

use super::*;
use crate::stance::arch::mpnet::{relative_bucket, MpnetConfig};

const MPNET_NAMES: LayerNames = LayerNames {
    query: "attention.attn.q",
    key: "attention.attn.k",
    value: "attention.attn.v",
    attention_output: "attention.attn.o",
    attention_norm: "attention.LayerNorm",
    quantize_ffn_output: false,
};

impl GraphBuilder<'_> {
    /// The encoder and the pooling: each target's vector (targets, hidden).
    pub(super) fn mpnet_pooled(
        &mut self,
        cfg: &MpnetConfig,
        precision: Precision,
    ) -> Result<String, StanceError> {
        if cfg.hidden_act != "gelu" {
            return Err(StanceError::Config(format!(
                "unsupported hidden_act {:?}: only \"gelu\"",
                cfg.hidden_act
            )));
        }
        let (h, heads) = (cfg.hidden_size, cfg.num_attention_heads);
        let eps = cfg.layer_norm_eps as f32;

        // Embeddings: real tokens at positions pad + 1, pad + 2, ... (padding is on the right,
        // so a running count of the mask numbers them), padding at pad.
        let word = self.trained("embeddings.word_embeddings.weight", &[cfg.vocab_size, h])?;
        let word = self.f32_initializer(
            "embeddings.word_embeddings.weight",
            &[cfg.vocab_size, h],
            &word,
        );
        let positions = self.trained(
            "embeddings.position_embeddings.weight",
            &[cfg.max_position_embeddings, h],
        )?;
        let positions = self.f32_initializer(
            "embeddings.position_embeddings.weight",
            &[cfg.max_position_embeddings, h],
            &positions,
        );
        let zero = self.i64_initializer("zero", &[], &[0]);
        let one = self.i64_initializer("one", &[], &[1]);
        let pad = self.i64_initializer("pad_position", &[], &[cfg.pad_token_id as i64]);
        let counted = self.op("CumSum", "", &["attention_mask", &one], vec![]);
        let counted = self.op("Mul", "", &[&counted, "attention_mask"], vec![]);
        let position_ids = self.op("Add", "", &[&counted, &pad], vec![]);
        let tokens = self.op("Gather", "", &[&word, "input_ids"], vec![]);
        let position_rows = self.op("Gather", "", &[&positions, &position_ids], vec![]);
        let summed = self.op("Add", "", &[&tokens, &position_rows], vec![]);
        let (gamma, beta) = self.layer_norm_params("embeddings.LayerNorm", h)?;
        let x = self.op(
            "LayerNormalization",
            "",
            &[&summed, &gamma, &beta],
            vec![int_attr("axis", -1), float_attr("epsilon", eps)],
        );

        // Relative-position bias: row `d + longest - 1` holds distance d's bias per head.
        let longest = cfg.max_position_embeddings - cfg.pad_token_id as usize - 1;
        let buckets = cfg.relative_attention_num_buckets;
        let table = self.trained("encoder.relative_attention_bias.weight", &[buckets, heads])?;
        let by_distance: Vec<f32> = (-(longest as i64 - 1)..longest as i64)
            .flat_map(|d| {
                let b = relative_bucket(d, buckets) as usize;
                table[b * heads..(b + 1) * heads].to_vec()
            })
            .collect();
        let by_distance = self.f32_initializer(
            "encoder.relative_bias_by_distance",
            &[2 * longest - 1, heads],
            &by_distance,
        );
        let offset = self.i64_initializer("distance_offset", &[], &[longest as i64 - 1]);
        let axes_zero = self.i64_initializer("axes_zero", &[1], &[0]);
        let axes_one = self.i64_initializer("axes_one", &[1], &[1]);
        let shape = self.op("Shape", "", &["input_ids"], vec![]);
        let seq = self.op("Gather", "", &[&shape, &one], vec![int_attr("axis", 0)]);
        let range = self.op("Range", "", &[&zero, &seq, &one], vec![]);
        let keys = self.op("Unsqueeze", "", &[&range, &axes_zero], vec![]);
        let queries = self.op("Unsqueeze", "", &[&range, &axes_one], vec![]);
        let distance = self.op("Sub", "", &[&keys, &queries], vec![]);
        let row = self.op("Add", "", &[&distance, &offset], vec![]);
        let bias = self.op("Gather", "", &[&by_distance, &row], vec![]);
        let bias = self.op(
            "Transpose",
            "",
            &[&bias],
            vec![ints_attr("perm", &[2, 0, 1])],
        );
        let bias = self.op("Unsqueeze", "", &[&bias, &axes_zero], vec![]);

        let x = self.encoder_layers(
            x,
            Some(&bias),
            &LayerShape {
                layers: cfg.num_hidden_layers,
                hidden: h,
                intermediate: cfg.intermediate_size,
                heads,
                eps,
            },
            &MPNET_NAMES,
            precision,
        )?;
        Ok(self.pool(&x))
    }
}
