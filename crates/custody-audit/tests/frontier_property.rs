//! Property test: the incremental frontier gives the same root as the full recomputation, for
//! random sizes up to 2000 and random leaf contents (deterministic xorshift, no extra deps).

use custody_audit::{Frontier, Hash, leaf_hash, root};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[test]
fn frontier_root_equals_root_for_random_sizes_up_to_2000() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for round in 0..60 {
        let size = (rng.next() % 2001) as usize;
        let leaves: Vec<Hash> = (0..size)
            .map(|_| {
                let len = (rng.next() % 64) as usize;
                let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                leaf_hash(&data)
            })
            .collect();
        let mut f = Frontier::new();
        // Check at a few random intermediate sizes too, and after a serialisation round trip.
        let probe = (rng.next() % (size as u64 + 1)) as usize;
        for (i, l) in leaves.iter().enumerate() {
            if i == probe {
                assert_eq!(f.root(), root(&leaves[..i]), "round {round}, probe {probe}");
                f = Frontier::from_bytes(&f.to_bytes()).unwrap();
            }
            f.push(*l);
        }
        assert_eq!(f.size(), size as u64);
        assert_eq!(f.root(), root(&leaves), "round {round}, size {size}");
        assert_eq!(f.hashes().len(), (size as u64).count_ones() as usize);
    }
}

#[test]
fn frontier_at_power_of_two_boundaries() {
    let leaves: Vec<Hash> = (0u32..2049).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut f = Frontier::new();
    for (i, l) in leaves.iter().enumerate() {
        f.push(*l);
        let n = i + 1;
        if n.is_power_of_two() || (n - 1).is_power_of_two() || (n + 1).is_power_of_two() {
            assert_eq!(f.root(), root(&leaves[..n]), "size {n}");
        }
    }
}
