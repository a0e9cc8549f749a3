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
    /// of dev-rw macro-F1, against 0.4 for everything else (see benches/RESULTS.md).
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

impl GraphBuilder<'_> {
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
