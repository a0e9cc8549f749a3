//! BERT as ONNX Runtime's fused transformer operators, keyed on the Hugging Face parameter
//! names (`embeddings.*`, `encoder.layer.N.*`).

use super::*;
use crate::stance::arch::bert::BertConfig;

const BERT_NAMES: LayerNames = LayerNames {
    query: "attention.self.query",
    key: "attention.self.key",
    value: "attention.self.value",
    attention_output: "attention.output.dense",
    attention_norm: "attention.output.LayerNorm",
    quantize_ffn_output: true,
};

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

        let tokens = self.op("Gather", "", &[&word, "input_ids"], vec![]);
        let shape = self.op("Shape", "", &["input_ids"], vec![]);
        let seq = self.op("Gather", "", &[&shape, &one], vec![int_attr("axis", 0)]);
        let range = self.op("Range", "", &[&zero, &seq, &one], vec![]);
        let position_rows = self.op("Gather", "", &[&positions, &range], vec![]);
        let summed = self.op("Add", "", &[&tokens, &position_rows], vec![]);
        let (gamma, beta) = self.layer_norm_params("embeddings.LayerNorm", h)?;
        let x = self.op(
            "LayerNormalization",
            "",
            &[&summed, &gamma, &beta],
            vec![int_attr("axis", -1), float_attr("epsilon", eps)],
        );

        let x = self.encoder_layers(
            x,
            None,
            &LayerShape {
                layers: cfg.num_hidden_layers,
                hidden: h,
                intermediate: ff,
                heads: cfg.num_attention_heads,
                eps,
            },
            &BERT_NAMES,
            precision,
        )?;
        Ok(self.pool(&x))
    }
}
