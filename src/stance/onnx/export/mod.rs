//! The stance classifier (encoder, mention pooling, linear head) as an ONNX graph, built from
//! the trained weights alone: the graph-building helpers here, one file per architecture.
//!
//! The graph uses ONNX Runtime's fused transformer operators (`Attention`,
//! `SkipLayerNormalization`, `BiasGelu`; `DynamicQuantizeMatMul` and `MultiHeadAttention` for
//! int8) rather than
//! spelling each layer out in primitive operators and hoping the runtime's pattern matcher
//! finds them: the fused kernels are what makes ONNX Runtime fast on a CPU.
//!
//! Inputs and output (dynamic `batch`, `seq`, `targets`):
//! - `input_ids` int64 (batch, seq), `attention_mask` int64 (batch, seq), 1 for tokens;
//! - `pool_weights` float (targets, seq): the weights of `encoding::Batch`;
//! - `input_of` int64 (targets): which input row each target pools from;
//! - `probabilities` float (targets, 3): negative, neutral, positive; or, for a bare encoder
//!   (`GraphOutput::Pooled`, story embeddings), `pooled` float (targets, hidden).

mod bert;
mod mpnet;

use std::collections::HashMap;

use candle_core::Tensor;
use prost::Message;

use super::proto::{
    attribute_type, data_type, AttributeProto, Dimension, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto,
};
use crate::stance::arch::EncoderConfig;
use crate::stance::card::ModelDir;
use crate::stance::model::HEAD;
use crate::stance::StanceError;

/// How the encoder's linear layers store and multiply their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    F32,
    /// The query, key, value and feed-forward weights as int8 (symmetric, one scale per
    /// output column), their inputs quantized on the fly: eleven twelfths of the encoder's
    /// multiply work. The attention output projection stays f32: quantizing it cost 1.7 points
    /// of dev-rw macro-F1, against 0.4 for everything else (see benches/RESULTS.md). MPNet
    /// keeps its feed-forward output in f32 too (`LayerNames::quantize_ffn_output`): seven
    /// twelfths.
    Int8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        }
    }
}

const MICROSOFT: &str = "com.microsoft";
const ONNX_OPSET: i64 = 17;
const IR_VERSION: i64 = 8;

/// What the graph returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphOutput {
    /// The stance classifier's class probabilities (needs the trained head).
    Probabilities,
    /// Each target's pooled encoder vector (any encoder, a bare one too).
    Pooled,
}

impl GraphOutput {
    pub fn name(self) -> &'static str {
        match self {
            GraphOutput::Probabilities => "probabilities",
            GraphOutput::Pooled => "pooled",
        }
    }
}

/// Builds the ONNX model of a stance classifier (or of its encoder and pooling alone) from
/// its config and f32 tensors (`ModelDir::tensors`). `description` goes into the model's
/// metadata.
pub fn export(
    dir: &ModelDir,
    precision: Precision,
    description: &str,
    output: GraphOutput,
) -> Result<Vec<u8>, StanceError> {
    let mut graph = GraphBuilder {
        tensors: &dir.tensors,
        nodes: Vec::new(),
        initializers: Vec::new(),
        next: 0,
    };
    let pooled = match &dir.encoder {
        EncoderConfig::Bert(config) => graph.bert_pooled(config, precision)?,
        EncoderConfig::Mpnet(config) => graph.mpnet_pooled(config, precision)?,
    };
    let hidden = dir.encoder.hidden_size();
    let result = match output {
        GraphOutput::Probabilities => graph.head(&pooled, hidden)?,
        GraphOutput::Pooled => pooled,
    };
    // A numeric name is a fixed size, anything else a dynamic axis.
    let dims = |names: &[&str]| TensorShapeProto {
        dim: names
            .iter()
            .map(|n| match n.parse::<i64>() {
                Ok(dim_value) => Dimension {
                    dim_value,
                    dim_param: String::new(),
                },
                Err(_) => Dimension {
                    dim_value: 0,
                    dim_param: n.to_string(),
                },
            })
            .collect(),
    };
    let value = |name: &str, elem_type: i32, shape: TensorShapeProto| ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type,
                shape: Some(shape),
            }),
        }),
    };
    let width = match output {
        GraphOutput::Probabilities => crate::stance::Label::ALL.len(),
        GraphOutput::Pooled => hidden,
    }
    .to_string();
    let output_value = value(output.name(), data_type::FLOAT, dims(&["targets", &width]));
    let mut nodes = graph.nodes;
    nodes.push(node("Identity", "", &[&result], output.name(), vec![]));
    let model = ModelProto {
        ir_version: IR_VERSION,
        producer_name: "slant".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: description.into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "stance".into(),
            initializer: graph.initializers,
            input: vec![
                value("input_ids", data_type::INT64, dims(&["batch", "seq"])),
                value("attention_mask", data_type::INT64, dims(&["batch", "seq"])),
                value("pool_weights", data_type::FLOAT, dims(&["targets", "seq"])),
                value("input_of", data_type::INT64, dims(&["targets"])),
            ],
            output: vec![output_value],
        }),
        opset_import: vec![
            OperatorSetIdProto {
                domain: String::new(),
                version: ONNX_OPSET,
            },
            OperatorSetIdProto {
                domain: MICROSOFT.into(),
                version: 1,
            },
        ],
        metadata_props: vec![StringStringEntryProto {
            key: "precision".into(),
            value: precision.name().into(),
        }],
    };
    Ok(model.encode_to_vec())
}

fn node(
    op: &str,
    domain: &str,
    inputs: &[&str],
    output: &str,
    attribute: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.to_string()],
        name: output.to_string(),
        op_type: op.into(),
        attribute,
        domain: domain.into(),
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        i,
        r#type: attribute_type::INT,
        ..Default::default()
    }
}

fn ints_attr(name: &str, ints: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        ints: ints.to_vec(),
        r#type: attribute_type::INTS,
        ..Default::default()
    }
}

fn float_attr(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f,
        r#type: attribute_type::FLOAT,
        ..Default::default()
    }
}

struct GraphBuilder<'a> {
    tensors: &'a HashMap<String, Tensor>,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    next: usize,
}

/// Where one encoder layer's attention weights are, under `encoder.layer.N.` (the
/// feed-forward block's names, `intermediate.dense`, `output.dense` and `output.LayerNorm`,
/// are the same in every architecture here).
struct LayerNames {
    query: &'static str,
    key: &'static str,
    value: &'static str,
    attention_output: &'static str,
    attention_norm: &'static str,
    /// Whether int8 quantizes the feed-forward output projection too. Its input (after GELU)
    /// has outlier channels that one dynamic scale per tensor flattens: in MPNet that alone
    /// took int8 sentence embeddings from cosine 0.99 to 0.88-0.93 of f32.
    quantize_ffn_output: bool,
}

/// The sizes of an encoder's layers.
struct LayerShape {
    layers: usize,
    hidden: usize,
    intermediate: usize,
    heads: usize,
    eps: f32,
}

impl GraphBuilder<'_> {
    /// The encoder layers over the embeddings `x` (batch, seq, hidden), with
    /// `attention_bias` (1, heads, seq, seq) added to every attention score when given.
    fn encoder_layers(
        &mut self,
        mut x: String,
        attention_bias: Option<&str>,
        shape: &LayerShape,
        names: &LayerNames,
        precision: Precision,
    ) -> Result<String, StanceError> {
        let LayerShape {
            hidden: h,
            intermediate: ff,
            heads,
            eps,
            ..
        } = *shape;
        let mask = self.op(
            "Cast",
            "",
            &["attention_mask"],
            vec![int_attr("to", data_type::INT32 as i64)],
        );
        let heads = vec![int_attr("num_heads", heads as i64)];
        let projections = [names.query, names.key, names.value];
        for layer in 0..shape.layers {
            let p = format!("encoder.layer.{layer}");
            let qkv_bias_name = format!("{p}.attention.qkv.bias");
            let context = if precision == Precision::F32 {
                // Attention takes query, key and value as one (hidden, 3 * hidden) matrix.
                let mut qkv_weight = vec![0f32; h * 3 * h];
                let mut qkv_bias = Vec::with_capacity(3 * h);
                for (part, name) in projections.iter().enumerate() {
                    let w = self.trained(&format!("{p}.{name}.weight"), &[h, h])?;
                    for (out, row) in w.chunks(h).enumerate() {
                        for (i, v) in row.iter().enumerate() {
                            qkv_weight[i * 3 * h + part * h + out] = *v;
                        }
                    }
                    qkv_bias.extend(self.trained(&format!("{p}.{name}.bias"), &[h])?);
                }
                let qkv_weight = self.f32_initializer(
                    &format!("{p}.attention.qkv.weight"),
                    &[h, 3 * h],
                    &qkv_weight,
                );
                let qkv_bias = self.f32_initializer(&qkv_bias_name, &[3 * h], &qkv_bias);
                let mut inputs = vec![x.as_str(), &qkv_weight, &qkv_bias, &mask];
                if let Some(bias) = attention_bias {
                    inputs.extend(["", bias]);
                }
                self.op("Attention", MICROSOFT, &inputs, heads.clone())
            } else {
                // Quantized projections cannot go into Attention (it takes f32 weights), so
                // they run separately and MultiHeadAttention adds the biases.
                let mut parts = Vec::new();
                let mut bias = Vec::with_capacity(3 * h);
                for name in projections {
                    parts.push(self.matmul(&x, &format!("{p}.{name}"), h, h, precision)?);
                    bias.extend(self.trained(&format!("{p}.{name}.bias"), &[h])?);
                }
                let bias = self.f32_initializer(&qkv_bias_name, &[3 * h], &bias);
                let mut inputs = vec![parts[0].as_str(), &parts[1], &parts[2], &bias, &mask];
                if let Some(attention_bias) = attention_bias {
                    inputs.push(attention_bias);
                }
                self.op("MultiHeadAttention", MICROSOFT, &inputs, heads.clone())
            };
            let output = format!("{p}.{}", names.attention_output);
            let projected = self.matmul(&context, &output, h, h, Precision::F32)?;
            let bias = self.bias(&output, h)?;
            let (gamma, beta) =
                self.layer_norm_params(&format!("{p}.{}", names.attention_norm), h)?;
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
            let out_precision = if names.quantize_ffn_output {
                precision
            } else {
                Precision::F32
            };
            let out = self.matmul(
                &activated,
                &format!("{p}.output.dense"),
                ff,
                h,
                out_precision,
            )?;
            let bias = self.bias(&format!("{p}.output.dense"), h)?;
            let (gamma, beta) = self.layer_norm_params(&format!("{p}.output.LayerNorm"), h)?;
            x = self.op(
                "SkipLayerNormalization",
                MICROSOFT,
                &[&out, &x, &gamma, &beta, &bias],
                vec![float_attr("epsilon", eps)],
            );
        }
        Ok(x)
    }

    /// Pooling: each target's weighted sum over its input row's hidden states `x`.
    fn pool(&mut self, x: &str) -> String {
        let axis_one = self.i64_initializer("axis_one", &[1], &[1]);
        let rows = self.op("Gather", "", &[x, "input_of"], vec![int_attr("axis", 0)]);
        let weights = self.op("Unsqueeze", "", &["pool_weights", &axis_one], vec![]);
        let pooled = self.op("MatMul", "", &[&weights, &rows], vec![]);
        self.op("Squeeze", "", &[&pooled, &axis_one], vec![])
    }

    /// The linear head and softmax over the pooled vectors: class probabilities.
    fn head(&mut self, pooled: &str, hidden: usize) -> Result<String, StanceError> {
        let classes = crate::stance::Label::ALL.len();
        let weight = self.trained(&format!("{HEAD}.weight"), &[classes, hidden])?;
        let weight = self.f32_initializer(&format!("{HEAD}.weight"), &[classes, hidden], &weight);
        let bias = self.bias(HEAD, classes)?;
        let logits = self.op(
            "Gemm",
            "",
            &[pooled, &weight, &bias],
            vec![int_attr("transB", 1)],
        );
        Ok(self.op("Softmax", "", &[&logits], vec![int_attr("axis", -1)]))
    }

    /// A trained tensor, checked against the shape the architecture needs.
    fn trained(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, StanceError> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| StanceError::Config(format!("weights have no tensor {name}")))?;
        if tensor.dims() != shape {
            return Err(StanceError::Config(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                tensor.dims()
            )));
        }
        Ok(tensor.flatten_all()?.to_vec1::<f32>()?)
    }

    fn initializer(
        &mut self,
        name: &str,
        dims: &[usize],
        data_type: i32,
        raw_data: Vec<u8>,
    ) -> String {
        self.initializers.push(TensorProto {
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type,
            name: name.to_string(),
            raw_data,
        });
        name.to_string()
    }

    fn f32_initializer(&mut self, name: &str, dims: &[usize], values: &[f32]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializer(name, dims, data_type::FLOAT, raw)
    }

    fn i64_initializer(&mut self, name: &str, dims: &[usize], values: &[i64]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializer(name, dims, data_type::INT64, raw)
    }

    /// Adds a node with one output and returns the output's name.
    fn op(
        &mut self,
        op: &str,
        domain: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        self.next += 1;
        let output = format!("{}_{}", op.to_lowercase(), self.next);
        self.nodes
            .push(node(op, domain, inputs, &output, attributes));
        output
    }

    /// `x @ W^T` for a Hugging Face linear layer `prefix` (weight (out, in)), without the bias,
    /// which the fused operator that follows adds.
    fn matmul(
        &mut self,
        x: &str,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        precision: Precision,
    ) -> Result<String, StanceError> {
        let weight = self.trained(&format!("{prefix}.weight"), &[outputs, inputs])?;
        let transposed = transpose(&weight, outputs, inputs);
        match precision {
            Precision::F32 => {
                let w = self.f32_initializer(
                    &format!("{prefix}.weight_t"),
                    &[inputs, outputs],
                    &transposed,
                );
                Ok(self.op("MatMul", "", &[x, &w], vec![]))
            }
            Precision::Int8 => {
                let (quantized, scales) = quantize_columns(&transposed, inputs, outputs);
                let raw = quantized.iter().map(|&q| q as u8).collect();
                let w = self.initializer(
                    &format!("{prefix}.weight_t_int8"),
                    &[inputs, outputs],
                    data_type::INT8,
                    raw,
                );
                let s =
                    self.f32_initializer(&format!("{prefix}.weight_scale"), &[outputs], &scales);
                Ok(self.op("DynamicQuantizeMatMul", MICROSOFT, &[x, &w, &s], vec![]))
            }
        }
    }

    fn layer_norm_params(
        &mut self,
        prefix: &str,
        hidden: usize,
    ) -> Result<(String, String), StanceError> {
        let gamma = self.trained(&format!("{prefix}.weight"), &[hidden])?;
        let beta = self.trained(&format!("{prefix}.bias"), &[hidden])?;
        Ok((
            self.f32_initializer(&format!("{prefix}.weight"), &[hidden], &gamma),
            self.f32_initializer(&format!("{prefix}.bias"), &[hidden], &beta),
        ))
    }

    fn bias(&mut self, prefix: &str, size: usize) -> Result<String, StanceError> {
        let bias = self.trained(&format!("{prefix}.bias"), &[size])?;
        Ok(self.f32_initializer(&format!("{prefix}.bias"), &[size], &bias))
    }
}

/// (rows, cols) row-major to (cols, rows).
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0f32; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// Symmetric int8 quantization of a (rows, cols) matrix with one scale per column:
/// `w ≈ q * scale`, `q` in [-127, 127] (never -128, so negation cannot overflow).
pub fn quantize_columns(values: &[f32], rows: usize, cols: usize) -> (Vec<i8>, Vec<f32>) {
    let mut scales = vec![0f32; cols];
    for r in 0..rows {
        for c in 0..cols {
            scales[c] = scales[c].max(values[r * cols + c].abs());
        }
    }
    for s in &mut scales {
        *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
    }
    let quantized = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v / scales[i % cols]).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (quantized, scales)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantization_error_is_at_most_half_a_step() {
        let values = [0.5, -0.01, 0.0, 2.0, -1.27, 0.003];
        let (q, scales) = quantize_columns(&values, 3, 2);
        assert_eq!(scales, vec![1.27 / 127.0, 2.0 / 127.0]);
        for (i, v) in values.iter().enumerate() {
            let back = q[i] as f32 * scales[i % 2];
            assert!(
                (back - v).abs() <= scales[i % 2] / 2.0 + 1e-7,
                "{v} -> {back}"
            );
        }
        assert_eq!(q[4], -127);
    }

    #[test]
    fn transpose_swaps_axes() {
        assert_eq!(
            transpose(&[1., 2., 3., 4., 5., 6.], 2, 3),
            vec![1., 4., 2., 5., 3., 6.]
        );
    }
}
