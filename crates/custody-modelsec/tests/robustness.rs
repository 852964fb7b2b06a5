//! Hostile input never panics, hangs or allocates without bound: ~10,000 deterministic
//! mutations of every sample (byte flips, interesting values, insertions, deletions,
//! truncations, duplicated chunks), each analysed whole and as a prefix of a larger file.

use custody_modelsec::fixtures::samples;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, b: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = b.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = [0x00, 0xFF, 0x7F, 0x80, b'(', b'.', 0x93, 0x95, b'c', b'\n'][rng.below(10)];
            }
            2 => {
                let i = rng.below(len + 1);
                let n = rng.below(16) + 1;
                let ins: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(i..i, ins);
            }
            3 if len > 1 => {
                let i = rng.below(len);
                let n = rng.below((len - i).min(64)) + 1;
                b.drain(i..i + n);
            }
            4 if len > 1 => b.truncate(rng.below(len)),
            5 if len > 1 => {
                let i = rng.below(len);
                let n = rng.below((len - i).min(256)) + 1;
                let chunk = b[i..i + n].to_vec();
                let at = rng.below(b.len() + 1);
                b.splice(at..at, chunk);
            }
            _ if len >= 8 => {
                // Overwrite a little-endian length-looking field with a huge value.
                let i = rng.below(len - 7);
                b[i..i + 8].copy_from_slice(&(u64::MAX >> rng.below(40)).to_le_bytes());
            }
            _ => {}
        }
    }
}

#[test]
fn mutated_samples_never_panic() {
    let all = samples();
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let mut cases = 0;
    let start = std::time::Instant::now();
    while cases < 10_000 {
        let s = &all[rng.below(all.len())];
        let mut b = s.bytes.clone();
        mutate(&mut rng, &mut b);
        let a = custody_modelsec::analyze(s.name, &b, b.len() as u64);
        assert!(a.findings.len() <= custody_modelsec::MAX_FINDINGS + 1);
        let cut = rng.below(b.len() + 1);
        let _ = custody_modelsec::analyze(s.name, &b[..cut], b.len() as u64 + rng.below(1 << 20) as u64);
        cases += 1;
    }
    assert!(start.elapsed().as_secs() < 600, "took {:?}", start.elapsed());
}

#[test]
fn pathological_inputs_are_bounded() {
    // Deep nesting of tuples, memo floods, huge counts, long lines.
    let mut deep = vec![0x80, 2];
    for _ in 0..200_000 {
        deep.extend_from_slice(b"N\x85");
    }
    deep.push(b'.');
    let mut memo = vec![0x80, 4];
    for _ in 0..300_000 {
        memo.extend_from_slice(b"N\x94");
    }
    memo.push(b'.');
    let mut long_line = b"c".to_vec();
    long_line.extend(std::iter::repeat_n(b'a', 1 << 20));
    let mut gets = vec![0x80, 2, b'N', b'q', 0];
    for _ in 0..100_000 {
        gets.extend_from_slice(b"h\x00");
    }
    gets.push(b'.');
    for (name, b) in [("deep.pkl", deep), ("memo.pkl", memo), ("line.pkl", long_line), ("gets.pkl", gets)] {
        let t = std::time::Instant::now();
        let a = custody_modelsec::analyze(name, &b, b.len() as u64);
        assert!(t.elapsed().as_secs() < 30, "{name}: {:?}", t.elapsed());
        assert!(a.findings.len() <= custody_modelsec::MAX_FINDINGS + 1);
    }
}

#[test]
fn large_benign_checkpoints_are_cheap() {
    // 20,000 tensors: a ~2 MB data.pkl, as a large LLM state dict has.
    // Protocol 2 as torch.save writes it, with LONG_BINPUT once memo indices pass 255.
    use custody_modelsec::fixtures::Pickle;
    let mut memo = 0u32;
    let put = |p: Pickle, memo: &mut u32| {
        *memo += 1;
        p.op(b'r').raw(&(*memo - 1).to_le_bytes())
    };
    let mut p = Pickle::proto(2).global("collections", "OrderedDict");
    p = put(p, &mut memo).empty_tuple().reduce();
    p = put(p, &mut memo);
    for i in 0..20_000 {
        p = p.x(&format!("layers.{i}.weight"));
        p = put(p, &mut memo).global("torch._utils", "_rebuild_tensor_v2");
        p = put(p, &mut memo).mark().mark().x("storage").global("torch", "FloatStorage");
        p = put(p, &mut memo)
            .x(&i.to_string())
            .x("cpu")
            .int(16)
            .tuple()
            .op(b'Q')
            .int(0)
            .int(4)
            .int(4)
            .tuple2()
            .int(4)
            .int(1)
            .tuple2();
        p = p.op(0x89).global("collections", "OrderedDict").empty_tuple().reduce().tuple().reduce();
        p = put(p, &mut memo).setitem();
    }
    let pkl = p.stop();
    let zip = custody_formats::fixtures::zip_stored(&[("archive/data.pkl", &pkl), ("archive/version", b"3\n")]);
    let t = std::time::Instant::now();
    let a = custody_modelsec::analyze("big.pt", &zip, zip.len() as u64);
    let took = t.elapsed();
    assert!(a.findings.is_empty() && a.inspected, "{:?}", a.findings);
    let r = a.pickle.expect("report");
    assert!(r.streams[0].opcodes > 500_000);
    // Generous for debug builds on a loaded 2-core machine; release is ~20x faster.
    assert!(took.as_secs() < 20, "{took:?} for {} bytes", pkl.len());
    eprintln!("analysed {} opcodes ({} bytes) in {took:?}", r.streams[0].opcodes, pkl.len());
}
