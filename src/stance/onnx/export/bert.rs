//! BERT as ONNX Runtime's fused transformer operators, keyed on the Hugging Face parameter
//! names (`embeddings.*`, `encoder.layer.N.*`).

use super::*;
use crate::stance::arch::bert::BertConfig;

impl GraphBuilder<'_> {
    /// The encoder and the pooling: each target's vector (targets, hidden).
    pub(super) fn bert_pooled(
        &mut self,
        cfg: &BertConfig,
        precision: Precision,
    ) -> Result<String, StanceError> {
        if cfg.hidden_act != "gelu" {
            return Err(StanceError::Config(format!(
                "unsupported hidden_act {:?}: only \"gelu\"",
                cfg.hidden_act
            )));
        }
        let (h, ff) = (cfg.hidden_size, cfg.intermediate_size);
        let eps = cfg.layer_norm_eps as f32;

        // Embeddings: token type is always 0, so its row folds into the position table.
        let word = self.trained("embeddings.word_embeddings.weight", &[cfg.vocab_size, h])?;
        let word = self.f32_initializer(
            "embeddings.word_embeddings.weight",
            &[cfg.vocab_size, h],
            &word,
        );
        let mut positions = self.trained(
            "embeddings.position_embeddings.weight",
            &[cfg.max_position_embeddings, h],
        )?;
        let types = self.trained(
            "embeddings.token_type_embeddings.weight",
            &[cfg.type_vocab_size, h],
        )?;
        for row in positions.chunks_mut(h) {
            for (p, t) in row.iter_mut().zip(&types[..h]) {
                *p += t;
            }
        }
        let positions = self.f32_initializer(
            "embeddings.position_and_type",
            &[cfg.max_position_embeddings, h],
            &positions,
        );
        let zero = self.i64_initializer("zero", &[], &[0]);
        let one = self.i64_initializer("one", &[], &[1]);
        let axis_one = self.i64_initializer("axis_one", &[1], &[1]);

        let tokens = self.op("Gather", "", &[&word, "input_ids"], vec![]);
        let shape = self.op("Shape", "", &["input_ids"], vec![]);
        let seq = self.op("Gather", "", &[&shape, &one], vec![int_attr("axis", 0)]);
        let range = self.op("Range", "", &[&zero, &seq, &one], vec![]);
        let position_rows = self.op("Gather", "", &[&positions, &range], vec![]);
        let summed = self.op("Add", "", &[&tokens, &position_rows], vec![]);
        let (gamma, beta) = self.layer_norm_params("embeddings.LayerNorm", h)?;
        let mut x = self.op(
            "LayerNormalization",
            "",
            &[&summed, &gamma, &beta],
            vec![int_attr("axis", -1), float_attr("epsilon", eps)],
        );
        let mask = self.op(
            "Cast",
            "",
            &["attention_mask"],
            vec![int_attr("to", data_type::INT32 as i64)],
        );

        for layer in 0..cfg.num_hidden_layers {
            let p = format!("encoder.layer.{layer}");
            let attention = format!("{p}.attention");
            let context = if precision == Precision::F32 {
                // Attention takes query, key and value as one (hidden, 3 * hidden) matrix.
                let mut qkv_weight = vec![0f32; h * 3 * h];
                let mut qkv_bias = Vec::with_capacity(3 * h);
                for (part, name) in ["query", "key", "value"].iter().enumerate() {
                    let w = self.trained(&format!("{attention}.self.{name}.weight"), &[h, h])?;
                    for (out, row) in w.chunks(h).enumerate() {
                        for (i, v) in row.iter().enumerate() {
                            qkv_weight[i * 3 * h + part * h + out] = *v;
                        }
                    }
                    qkv_bias.extend(self.trained(&format!("{attention}.self.{name}.bias"), &[h])?);
                }
                let qkv_weight = self.f32_initializer(
                    &format!("{attention}.qkv.weight"),
                    &[h, 3 * h],
                    &qkv_weight,
                );
                let qkv_bias =
                    self.f32_initializer(&format!("{attention}.qkv.bias"), &[3 * h], &qkv_bias);
                self.op(
                    "Attention",
                    MICROSOFT,
                    &[&x, &qkv_weight, &qkv_bias, &mask],
                    vec![int_attr("num_heads", cfg.num_attention_heads as i64)],
                )
            } else {
                // Quantized projections cannot go into Attention (it takes f32 weights), so
                // they run separately and MultiHeadAttention adds the biases.
                let mut parts = Vec::new();
                let mut bias = Vec::with_capacity(3 * h);
                for name in ["query", "key", "value"] {
                    parts.push(self.matmul(
                        &x,
                        &format!("{attention}.self.{name}"),
                        h,
                        h,
                        precision,
                    )?);
                    bias.extend(self.trained(&format!("{attention}.self.{name}.bias"), &[h])?);
                }
                let bias = self.f32_initializer(&format!("{attention}.qkv.bias"), &[3 * h], &bias);
                self.op(
                    "MultiHeadAttention",
                    MICROSOFT,
                    &[&parts[0], &parts[1], &parts[2], &bias, &mask],
                    vec![int_attr("num_heads", cfg.num_attention_heads as i64)],
                )
            };
            let projected = self.matmul(
                &context,
                &format!("{attention}.output.dense"),
                h,
                h,
                Precision::F32,
            )?;
            let bias = self.bias(&format!("{attention}.output.dense"), h)?;
            let (gamma, beta) =
                self.layer_norm_params(&format!("{attention}.output.LayerNorm"), h)?;
            x = self.op(
                "SkipLayerNormalization",
                MICROSOFT,
                &[&projected, &x, &gamma, &beta, &bias],
                vec![float_attr("epsilon", eps)],
            );

            let intermediate =
                self.matmul(&x, &format!("{p}.intermediate.dense"), h, ff, precision)?;
            let bias = self.bias(&format!("{p}.intermediate.dense"), ff)?;
            let activated = self.op("BiasGelu", MICROSOFT, &[&intermediate, &bias], vec![]);
            let out = self.matmul(&activated, &format!("{p}.output.dense"), ff, h, precision)?;
            let bias = self.bias(&format!("{p}.output.dense"), h)?;
            let (gamma, beta) = self.layer_norm_params(&format!("{p}.output.LayerNorm"), h)?;
            x = self.op(
                "SkipLayerNormalization",
                MICROSOFT,
                &[&out, &x, &gamma, &beta, &bias],
                vec![float_attr("epsilon", eps)],
            );
        }

        // Pooling: each target's weighted sum over its input row's hidden states.
        let rows = self.op("Gather", "", &[&x, "input_of"], vec![int_attr("axis", 0)]);
        let weights = self.op("Unsqueeze", "", &["pool_weights", &axis_one], vec![]);
        let pooled = self.op("MatMul", "", &[&weights, &rows], vec![]);
        Ok(self.op("Squeeze", "", &[&pooled, &axis_one], vec![]))
    }
}
