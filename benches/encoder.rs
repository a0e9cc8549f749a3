//! Pure encoder throughput of slant's ONNX Runtime session on prepared batches, for the side by
//! side with Python onnxruntime in scripts/bench (same graph, same batches, same library).
//!
//! `BENCH_ONNX=model.onnx BENCH_BATCHES=batches.bin [BENCH_THREADS=2] [BENCH_REPEATS=3]
//! cargo bench --bench encoder`; batches come from `scripts/bench_reference.py batches`.
//! Prints one JSON line per repeat.

use std::time::Instant;

use ort::value::Tensor;
use slant::stance::onnx::open_session;

struct Batch {
    ids: Tensor<i64>,
    mask: Tensor<i64>,
    pool: Tensor<f32>,
    input_of: Tensor<i64>,
    rows: usize,
}

fn take<const N: usize>(data: &[u8], offset: &mut usize, count: usize) -> Vec<[u8; N]> {
    let end = *offset + N * count;
    assert!(
        end <= data.len(),
        "batch file truncated at byte {} (needs {end}): rewrite it with bench_reference.py batches",
        data.len()
    );
    let out = data[*offset..end]
        .chunks_exact(N)
        .map(|c| c.try_into().expect("chunk of N bytes"))
        .collect();
    *offset += N * count;
    out
}

fn read_batches(path: &str) -> Vec<Batch> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut offset = 0;
    let mut batches = Vec::new();
    while offset < data.len() {
        let header: Vec<u32> = take::<4>(&data, &mut offset, 2)
            .into_iter()
            .map(u32::from_le_bytes)
            .collect();
        let (rows, seq) = (header[0] as usize, header[1] as usize);
        let i64s = |offset: &mut usize, n| -> Vec<i64> {
            take::<8>(&data, offset, n)
                .into_iter()
                .map(i64::from_le_bytes)
                .collect()
        };
        let ids = i64s(&mut offset, rows * seq);
        let mask = i64s(&mut offset, rows * seq);
        let pool: Vec<f32> = take::<4>(&data, &mut offset, rows * seq)
            .into_iter()
            .map(f32::from_le_bytes)
            .collect();
        let input_of = i64s(&mut offset, rows);
        batches.push(Batch {
            ids: Tensor::from_array(([rows, seq], ids)).expect("tensor from batch file"),
            mask: Tensor::from_array(([rows, seq], mask)).expect("tensor from batch file"),
            pool: Tensor::from_array(([rows, seq], pool)).expect("tensor from batch file"),
            input_of: Tensor::from_array(([rows], input_of)).expect("tensor from batch file"),
            rows,
        });
    }
    batches
}

fn main() {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("set {name} (see the file's header)"))
    };
    let (onnx, batches) = (var("BENCH_ONNX"), var("BENCH_BATCHES"));
    let threads = std::env::var("BENCH_THREADS").map_or(2, |t| t.parse().expect("BENCH_THREADS"));
    let repeats = std::env::var("BENCH_REPEATS").map_or(3, |t| t.parse().expect("BENCH_REPEATS"));
    let graph = std::fs::read(&onnx).unwrap_or_else(|e| panic!("{onnx}: {e}"));
    let mut session = open_session(&graph, threads).unwrap_or_else(|e| panic!("{onnx}: {e}"));
    let batches = read_batches(&batches);
    let mentions: usize = batches.iter().map(|b| b.rows).sum();
    let mut run = |b: &Batch| {
        let inputs = ort::inputs![
            "input_ids" => &b.ids,
            "attention_mask" => &b.mask,
            "pool_weights" => &b.pool,
            "input_of" => &b.input_of,
        ];
        session
            .run(inputs)
            .map(drop)
            .unwrap_or_else(|e| panic!("{onnx}: {e}"));
    };
    run(&batches[0]); // warm-up, as the Python side does
    for _ in 0..repeats {
        let start = Instant::now();
        for batch in &batches {
            run(batch);
        }
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "{{\"name\": \"slant-onnxruntime-encoder\", \"mentions\": {mentions}, \"seconds\": {seconds}, \"mentions_per_s\": {}}}",
            mentions as f64 / seconds
        );
    }
}
